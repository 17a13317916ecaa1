using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace FedActors.Training.Models;

/// <summary>Hashes of flat weight vectors.</summary>
public static class ModelHash
{
    /// <summary>
    /// SHA-256 of <paramref name="weights"/> as little-endian float32 bytes, lower-case hex
    /// (summary.json <c>model_sha256</c>). The digest is the same on every machine.
    /// </summary>
    public static string Sha256(ReadOnlySpan<float> weights)
    {
        if (BitConverter.IsLittleEndian) return Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(weights)));
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> le = stackalloc byte[4];
        foreach (var w in weights)
        {
            BinaryPrimitives.WriteSingleLittleEndian(le, w);
            hash.AppendData(le);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
