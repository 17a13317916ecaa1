using System.Security.Cryptography;
using FedActors.Actors.SecureAggregation;

namespace FedActors.Actors.Tests.SecureAggregation;

public class MaskStreamTests
{
    [Fact]
    public void The_mask_is_AES_256_CTR_keystream_read_as_little_endian_words()
    {
        var seed = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        // Block 0 is AES-256_seed(00…0) with the block index 0 little-endian in the first 8 bytes.
        using var aes = Aes.Create();
        aes.Key = seed;
        var block0 = aes.EncryptEcb(new byte[16], PaddingMode.None);
        var counter1 = new byte[16];
        counter1[0] = 1;
        var block1 = aes.EncryptEcb(counter1, PaddingMode.None);

        var words = new uint[8];
        using var stream = new MaskStream();
        stream.Add(words, seed);
        Assert.Equal(BitConverter.ToUInt32(block0, 0), words[0]);
        Assert.Equal(BitConverter.ToUInt32(block0, 12), words[3]);
        Assert.Equal(BitConverter.ToUInt32(block1, 4), words[5]);
    }

    [Fact]
    public void Adding_then_subtracting_a_mask_restores_the_vector_across_keystream_chunks()
    {
        var seed = RandomNumberGenerator.GetBytes(32);
        var original = Enumerable.Range(0, 10_003).Select(i => (uint)i * 2_654_435_761u).ToArray();
        var words = original.ToArray();
        using var stream = new MaskStream();
        stream.Add(words, seed);
        Assert.True(words.Zip(original).Count(p => p.Item1 == p.Item2) < 5); // masked: about 10^4 · 2^−32 equal by chance
        stream.Subtract(words, seed);
        Assert.Equal(original, words);
    }

    [Fact]
    public void Pairwise_masks_cancel_in_the_sum_of_two_members()
    {
        // Member 1 adds the shared mask, member 2 subtracts it: their masked vectors sum to their plain sum mod 2^32.
        var shared = RandomNumberGenerator.GetBytes(32);
        uint[] x1 = [1, 2, 3, uint.MaxValue], x2 = [10, 20, 30, 1];
        var m1 = x1.ToArray();
        var m2 = x2.ToArray();
        using var stream = new MaskStream();
        stream.Add(m1, shared);
        stream.Subtract(m2, shared);
        Assert.Equal([11u, 22u, 33u, 0u], m1.Zip(m2, (a, b) => unchecked(a + b)));
        Assert.Throws<ArgumentException>(() => stream.Add(m1, new byte[16]));
    }
}
