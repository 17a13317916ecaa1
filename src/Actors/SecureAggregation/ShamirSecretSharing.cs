using System.Security.Cryptography;

namespace FedActors.Actors.SecureAggregation;

/// <summary>
/// Shamir's t-of-n secret sharing (Shamir 1979) over GF(2^61 − 1): any <see cref="Threshold"/> shares rebuild the
/// secret, fewer reveal nothing about it. A secret of L bytes is cut into ⌈L / 7⌉ chunks, each the constant term of its
/// own random polynomial of degree t − 1; member i's share is every polynomial evaluated at x = i.
/// </summary>
/// <remarks>
/// SecAgg shares two secrets per client this way: the seed of its self-mask and the private key of its pairwise masks,
/// so that survivors can remove a dropped member's pairwise masks, or a surviving member's self-mask, but never both.
/// </remarks>
public sealed class ShamirSecretSharing
{
    /// <summary>Shares for <paramref name="members"/> members, any <paramref name="threshold"/> of which rebuild the secret.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The threshold is below 1 or above the members, or the members exceed 2^20.</exception>
    public ShamirSecretSharing(int threshold, int members)
    {
        if (members < 1 || members > 1 << 20)
            throw new ArgumentOutOfRangeException(nameof(members), members, "a sharing needs between 1 and 2^20 members");
        if (threshold < 1 || threshold > members)
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, $"the threshold must be in [1, {members}], got {threshold}");
        (Threshold, Members) = (threshold, members);
    }

    /// <summary>Shares needed to rebuild a secret.</summary>
    public int Threshold { get; }

    /// <summary>Shares made of each secret: members get the points 1 … Members.</summary>
    public int Members { get; }

    /// <summary>
    /// Shares <paramref name="secret"/>: element i of the result is the share of the member at point i + 1. The polynomials'
    /// other coefficients come from <paramref name="random"/> (the OS's cryptographic generator when null).
    /// </summary>
    public ShamirShare[] Split(ReadOnlySpan<byte> secret, Func<int, byte[]>? random = null)
    {
        var points = new ulong[Members];
        for (int m = 0; m < Members; m++) points[m] = (ulong)(m + 1);
        return SplitAt(secret, points, random);
    }

    /// <summary>
    /// Shares <paramref name="secret"/> for the members at <paramref name="points"/> only (each in 1 … Members, distinct):
    /// what a SecAgg+ member does for its neighbours, at O(neighbours) rather than O(members) cost.
    /// </summary>
    public ShamirShare[] SplitAt(ReadOnlySpan<byte> secret, IReadOnlyList<ulong> points, Func<int, byte[]>? random = null)
    {
        if (secret.IsEmpty) throw new ArgumentException("cannot share an empty secret", nameof(secret));
        ArgumentNullException.ThrowIfNull(points);
        if (points.Any(x => x < 1 || x > (ulong)Members) || points.Distinct().Count() != points.Count)
            throw new ArgumentException($"share points must be distinct and in 1 … {Members}", nameof(points));
        random ??= RandomNumberGenerator.GetBytes;
        int chunks = (secret.Length + MersenneField.BytesPerElement - 1) / MersenneField.BytesPerElement;
        var shares = new ShamirShare[points.Count];
        for (int m = 0; m < points.Count; m++) shares[m] = new ShamirShare(points[m], new ulong[chunks], secret.Length);

        var coefficients = new ulong[Threshold];
        Span<byte> chunk = stackalloc byte[8];
        for (int c = 0; c < chunks; c++)
        {
            chunk.Clear();
            var part = secret[(c * MersenneField.BytesPerElement)..Math.Min(secret.Length, (c + 1) * MersenneField.BytesPerElement)];
            part.CopyTo(chunk);
            coefficients[0] = BitConverter.ToUInt64(chunk);
            for (int k = 1; k < Threshold; k++) coefficients[k] = RandomElement(random);
            for (int m = 0; m < points.Count; m++) shares[m].Values[c] = Evaluate(coefficients, points[m]);
        }
        CryptographicOperations.ZeroMemory(System.Runtime.InteropServices.MemoryMarshal.AsBytes(coefficients.AsSpan()));
        return shares;
    }

    /// <summary>
    /// Rebuilds the secret from at least <see cref="Threshold"/> shares (Lagrange interpolation at 0 over the first
    /// Threshold of them).
    /// </summary>
    /// <exception cref="ArgumentException">Too few shares, two shares at one point, a point outside 1 … Members, shares of
    /// different secrets' shapes, or a value outside the field.</exception>
    public byte[] Reconstruct(IReadOnlyList<ShamirShare> shares)
    {
        ArgumentNullException.ThrowIfNull(shares);
        if (shares.Count < Threshold)
            throw new ArgumentException($"{shares.Count} shares cannot rebuild a secret shared {Threshold}-of-{Members}", nameof(shares));
        var used = shares.Take(Threshold).ToArray();
        int length = used[0].SecretLength, chunks = used[0].Values.Length;
        if (length < 1 || chunks != (length + MersenneField.BytesPerElement - 1) / MersenneField.BytesPerElement)
            throw new ArgumentException($"a share of a {length}-byte secret must carry {(length + 6) / 7} values, got {chunks}", nameof(shares));
        var seen = new HashSet<ulong>();
        foreach (var share in used)
        {
            if (share.X < 1 || share.X > (ulong)Members)
                throw new ArgumentException($"share point {share.X} is outside 1 … {Members}", nameof(shares));
            if (!seen.Add(share.X))
                throw new ArgumentException($"two shares at point {share.X}", nameof(shares));
            if (share.SecretLength != length || share.Values.Length != chunks)
                throw new ArgumentException($"the share at point {share.X} is of another secret ({share.SecretLength} bytes, not {length})", nameof(shares));
            foreach (ulong v in share.Values)
                if (v >= MersenneField.Prime) throw new ArgumentException($"the share at point {share.X} holds {v}, outside the field", nameof(shares));
        }

        // λ_j = Π_{m ≠ j} x_m / (x_m − x_j): the weight of share j in the value at 0.
        var lambda = new ulong[Threshold];
        for (int j = 0; j < Threshold; j++)
        {
            ulong numerator = 1, denominator = 1;
            for (int m = 0; m < Threshold; m++)
            {
                if (m == j) continue;
                numerator = MersenneField.Multiply(numerator, used[m].X);
                denominator = MersenneField.Multiply(denominator, MersenneField.Subtract(used[m].X, used[j].X));
            }
            lambda[j] = MersenneField.Multiply(numerator, MersenneField.Inverse(denominator));
        }

        var secret = new byte[length];
        Span<byte> chunk = stackalloc byte[8];
        for (int c = 0; c < chunks; c++)
        {
            ulong value = 0;
            for (int j = 0; j < Threshold; j++) value = MersenneField.Add(value, MersenneField.Multiply(lambda[j], used[j].Values[c]));
            if (value >> (8 * MersenneField.BytesPerElement) != 0)
                throw new ArgumentException("the shares do not belong to one secret: the rebuilt chunk is not 7 bytes", nameof(shares));
            BitConverter.TryWriteBytes(chunk, value);
            int offset = c * MersenneField.BytesPerElement;
            chunk[..Math.Min(MersenneField.BytesPerElement, length - offset)].CopyTo(secret.AsSpan(offset));
        }
        return secret;
    }

    private static ulong Evaluate(ReadOnlySpan<ulong> coefficients, ulong x)
    {
        ulong y = 0; // Horner, from the highest coefficient down
        for (int k = coefficients.Length - 1; k >= 0; k--) y = MersenneField.Add(MersenneField.Multiply(y, x), coefficients[k]);
        return y;
    }

    private static ulong RandomElement(Func<int, byte[]> random)
    {
        while (true)
        {
            if (MersenneField.TryFromRandom(random(8), out ulong value)) return value;
        }
    }
}
