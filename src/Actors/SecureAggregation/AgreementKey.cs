using System.Security.Cryptography;

namespace FedActors.Actors.SecureAggregation;

/// <summary>
/// A member's elliptic-curve Diffie–Hellman key pair on NIST P-256, from which it and each neighbour derive the seed of
/// their pairwise mask (ECDH, then HKDF-SHA256 bound to a context such as the cohort and the two member indices).
/// </summary>
/// <remarks>
/// Keys are fresh per cohort. A simulated run derives them from its seed (<see cref="FromSeed"/>) so that it reproduces;
/// real clients draw them from the OS (<see cref="Generate"/>).
/// </remarks>
public sealed class AgreementKey : IDisposable
{
    /// <summary>Bytes of a public key on the wire: X then Y, 32 bytes each, big-endian.</summary>
    public const int PublicKeyLength = 64;

    /// <summary>Bytes of a private scalar (what Shamir shares so that survivors can unmask a dropped member).</summary>
    public const int PrivateKeyLength = 32;

    // The order n of P-256's base point, big-endian: private scalars lie in [1, n − 1].
    private static ReadOnlySpan<byte> Order =>
    [
        0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51,
    ];

    private readonly ECDiffieHellman _key;

    private AgreementKey(ECDiffieHellman key)
    {
        _key = key;
        var q = key.ExportParameters(includePrivateParameters: false).Q;
        PublicKey = [.. q.X!, .. q.Y!];
    }

    /// <summary>The public key, X ‖ Y (<see cref="PublicKeyLength"/> bytes).</summary>
    public byte[] PublicKey { get; }

    /// <summary>A key pair drawn from the OS's cryptographic generator.</summary>
    public static AgreementKey Generate() => new(ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>
    /// The key pair whose private scalar is <paramref name="privateKey"/> (32 bytes, big-endian, in [1, n − 1]): how a
    /// dropped member's key is rebuilt from its shares.
    /// </summary>
    /// <exception cref="ArgumentException">The scalar is not 32 bytes or not in [1, n − 1].</exception>
    public static AgreementKey FromPrivateKey(ReadOnlySpan<byte> privateKey)
    {
        if (privateKey.Length != PrivateKeyLength || !IsScalar(privateKey))
            throw new ArgumentException($"a P-256 private key is {PrivateKeyLength} bytes in [1, n − 1]", nameof(privateKey));
        var key = ECDiffieHellman.Create();
        key.ImportParameters(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, D = privateKey.ToArray() });
        return new AgreementKey(key);
    }

    /// <summary>
    /// A key pair derived from <paramref name="seed"/> and <paramref name="context"/> by HKDF-SHA256 (rejection-sampled into
    /// [1, n − 1]): the same inputs always give the same key, for simulated runs that must reproduce.
    /// </summary>
    public static AgreementKey FromSeed(ReadOnlySpan<byte> seed, ReadOnlySpan<byte> context)
    {
        Span<byte> info = stackalloc byte[context.Length + 4];
        context.CopyTo(info);
        Span<byte> scalar = stackalloc byte[PrivateKeyLength];
        for (int attempt = 0; ; attempt++)
        {
            BitConverter.TryWriteBytes(info[context.Length..], attempt);
            HKDF.DeriveKey(HashAlgorithmName.SHA256, seed, scalar, salt: default, info);
            if (IsScalar(scalar)) return FromPrivateKey(scalar);
        }
    }

    /// <summary>The private scalar (32 bytes, big-endian), to be secret-shared; the caller wipes it after use.</summary>
    public byte[] ExportPrivateKey()
    {
        var d = _key.ExportParameters(includePrivateParameters: true).D!;
        if (d.Length == PrivateKeyLength) return d;
        var padded = new byte[PrivateKeyLength];
        d.CopyTo(padded, PrivateKeyLength - d.Length);
        CryptographicOperations.ZeroMemory(d);
        return padded;
    }

    /// <summary>
    /// Checks a peer's public key: <see cref="PublicKeyLength"/> bytes that name a point on P-256. Returns the reason it is
    /// refused, or null when it is valid.
    /// </summary>
    public static string? Validate(ReadOnlySpan<byte> publicKey)
    {
        if (publicKey.Length != PublicKeyLength) return $"a public key is {PublicKeyLength} bytes, got {publicKey.Length}";
        try
        {
            using var peer = ImportPublic(publicKey);
            return null;
        }
        catch (CryptographicException e)
        {
            return $"the public key is not a point on P-256 ({e.Message})";
        }
    }

    /// <summary>
    /// The 32-byte seed this member shares with the owner of <paramref name="peerPublicKey"/>: HKDF-SHA256 of their ECDH
    /// secret, with <paramref name="context"/> as the info (both sides must pass the same bytes).
    /// </summary>
    /// <exception cref="ArgumentException">The peer's key is malformed or not on the curve.</exception>
    public byte[] SharedSeed(ReadOnlySpan<byte> peerPublicKey, ReadOnlySpan<byte> context) => SharedSeeds(peerPublicKey, [context.ToArray()])[0];

    /// <summary>
    /// One seed per context from a single ECDH agreement with <paramref name="peerPublicKey"/> (checked on the way): the
    /// elliptic-curve work is the cost of a member's rounds, so a member derives everything it needs with a neighbour at once.
    /// </summary>
    /// <exception cref="ArgumentException">The peer's key is malformed or not on the curve.</exception>
    public byte[][] SharedSeeds(ReadOnlySpan<byte> peerPublicKey, IReadOnlyList<byte[]> contexts)
    {
        ArgumentNullException.ThrowIfNull(contexts);
        if (peerPublicKey.Length != PublicKeyLength)
            throw new ArgumentException($"a public key is {PublicKeyLength} bytes, got {peerPublicKey.Length}", nameof(peerPublicKey));
        ECDiffieHellman peer;
        try
        {
            peer = ImportPublic(peerPublicKey);
        }
        catch (CryptographicException e)
        {
            throw new ArgumentException($"the public key is not a point on P-256 ({e.Message})", nameof(peerPublicKey), e);
        }
        using (peer)
        {
            var secret = _key.DeriveRawSecretAgreement(peer.PublicKey);
            try
            {
                var seeds = new byte[contexts.Count][];
                for (int c = 0; c < seeds.Length; c++)
                {
                    seeds[c] = new byte[32];
                    HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, seeds[c], salt: default, contexts[c]);
                }
                return seeds;
            }
            finally
            {
                CryptographicOperations.ZeroMemory(secret);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => _key.Dispose();

    private static ECDiffieHellman ImportPublic(ReadOnlySpan<byte> publicKey)
    {
        var key = ECDiffieHellman.Create();
        try
        {
            key.ImportParameters(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = publicKey[..32].ToArray(), Y = publicKey[32..].ToArray() },
            });
            return key;
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    private static bool IsScalar(ReadOnlySpan<byte> scalar) =>
        scalar.IndexOfAnyExcept((byte)0) >= 0 && scalar.SequenceCompareTo(Order) < 0;
}
