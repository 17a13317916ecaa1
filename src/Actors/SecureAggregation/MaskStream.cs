using System.Numerics.Tensors;
using System.Security.Cryptography;

namespace FedActors.Actors.SecureAggregation;

/// <summary>
/// The pseudorandom masks of SecAgg: AES-256 in counter mode keyed by a 32-byte seed, read as little-endian 32-bit words
/// and added to (or subtracted from) a vector of Z_(2^32) words. Masking in Z_(2^32) and reducing to Z_(2^b) at the end is
/// the same as masking in Z_(2^b), since 2^b divides 2^32.
/// </summary>
/// <remarks>
/// One instance keeps its AES object and a keystream buffer, so masking allocates nothing per call; not thread-safe.
/// </remarks>
public sealed class MaskStream : IDisposable
{
    private const int BlockBytes = 16;
    private const int ChunkWords = 4096; // 16 KiB of keystream per AES call

    private readonly Aes _aes = Aes.Create();
    private readonly byte[] _counters = new byte[ChunkWords * 4];
    private readonly byte[] _keystream = new byte[ChunkWords * 4];

    /// <summary>Adds the mask of <paramref name="seed"/> to <paramref name="words"/>, wrapping modulo 2^32.</summary>
    public void Add(Span<uint> words, ReadOnlySpan<byte> seed) => Apply(words, seed, subtract: false);

    /// <summary>Subtracts the mask of <paramref name="seed"/> from <paramref name="words"/>, wrapping modulo 2^32.</summary>
    public void Subtract(Span<uint> words, ReadOnlySpan<byte> seed) => Apply(words, seed, subtract: true);

    /// <inheritdoc />
    public void Dispose() => _aes.Dispose();

    private void Apply(Span<uint> words, ReadOnlySpan<byte> seed, bool subtract)
    {
        if (seed.Length != 32) throw new ArgumentException($"a mask seed is 32 bytes, got {seed.Length}", nameof(seed));
        _aes.SetKey(seed);
        ulong block = 0;
        for (int start = 0; start < words.Length; start += ChunkWords)
        {
            int count = Math.Min(ChunkWords, words.Length - start);
            int bytes = (count * 4 + BlockBytes - 1) / BlockBytes * BlockBytes;
            // Counter blocks: a 64-bit little-endian block index in the first half, zeros in the second.
            var counters = _counters.AsSpan(0, bytes);
            counters.Clear();
            for (int b = 0; b < bytes; b += BlockBytes) BitConverter.TryWriteBytes(counters[b..], block++);
            _aes.EncryptEcb(counters, _keystream.AsSpan(0, bytes), PaddingMode.None);
            var mask = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(_keystream.AsSpan(0, count * 4));
            var target = words.Slice(start, count);
            if (subtract) TensorPrimitives.Subtract(target, mask, target);
            else TensorPrimitives.Add(target, mask, target);
        }
    }
}
