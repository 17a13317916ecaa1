using System.Security.Cryptography;

namespace FedActors.Actors.SecureAggregation;

/// <summary>
/// A reproducible stream of pseudorandom bytes: HMAC-SHA256 under a 32-byte seed of a label and a block counter. A
/// simulated cohort draws all its members' randomness from streams like this one, derived from the run's seed, so that
/// a run and its resumption mask alike; real clients use the OS's generator instead.
/// </summary>
internal sealed class SeededBytes(byte[] seed, byte[] label)
{
    private ulong _block;

    /// <summary>The next <paramref name="count"/> bytes.</summary>
    public byte[] Next(int count)
    {
        var output = new byte[count];
        Span<byte> input = stackalloc byte[label.Length + 8];
        label.CopyTo(input);
        Span<byte> block = stackalloc byte[32];
        for (int offset = 0; offset < count; offset += 32)
        {
            BitConverter.TryWriteBytes(input[label.Length..], _block++);
            HMACSHA256.HashData(seed, input, block);
            block[..Math.Min(32, count - offset)].CopyTo(output.AsSpan(offset));
        }
        return output;
    }
}
