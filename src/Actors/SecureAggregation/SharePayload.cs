namespace FedActors.Actors.SecureAggregation;

/// <summary>What one envelope carries: a member's share of its self-mask seed, then of its masking key, as little-endian field elements.</summary>
internal static class SharePayload
{
    public static byte[] Write(ShamirShare seed, ShamirShare key)
    {
        var bytes = new byte[8 * (seed.Values.Length + key.Values.Length)];
        int offset = 0;
        foreach (ulong v in seed.Values.Concat(key.Values))
        {
            BitConverter.TryWriteBytes(bytes.AsSpan(offset), v);
            offset += 8;
        }
        return bytes;
    }

    /// <summary>The two shares at point <paramref name="x"/> of secrets of <paramref name="secretLength"/> bytes; null when the payload has another shape.</summary>
    public static (ShamirShare Seed, ShamirShare Key)? Read(ReadOnlySpan<byte> payload, ulong x, int secretLength)
    {
        int chunks = (secretLength + MersenneField.BytesPerElement - 1) / MersenneField.BytesPerElement;
        if (payload.Length != 16 * chunks) return null;
        var seed = new ulong[chunks];
        var key = new ulong[chunks];
        for (int c = 0; c < chunks; c++)
        {
            seed[c] = BitConverter.ToUInt64(payload[(8 * c)..]);
            key[c] = BitConverter.ToUInt64(payload[(8 * (chunks + c))..]);
            if (seed[c] >= MersenneField.Prime || key[c] >= MersenneField.Prime) return null;
        }
        return (new ShamirShare(x, seed, secretLength), new ShamirShare(x, key, secretLength));
    }
}
