using FedActors.Actors.Compression;
using FedActors.Actors.Updates;

namespace FedActors.Actors.Tests.Compression;

public sealed class StochasticQuantizerTests
{
    private static TransformContext Job(long job, int dimension) => new(42, 3, job, 0, dimension);

    [Fact(DisplayName = "Values on the grid must get their own codes whatever the draw: [0, 1, 2, 3] at 2 bits packs to 0xE4")]
    public void Grid_values_must_encode_exactly()
    {
        var q = new StochasticQuantizer(bits: 2, chunkSize: 4);
        for (long job = 0; job < 20; job++)
        {
            var sent = Assert.IsType<QuantizedPayload>(q.Encode(new DensePayload([0f, 1f, 2f, 3f]), Job(job, 4)));
            // Offset 0, step (3 − 0)/3 = 1; codes 0, 1, 2, 3 at 2 bits each, low bits first: 11 10 01 00.
            Assert.Equal([0f], sent.Offsets);
            Assert.Equal([1f], sent.Scales);
            Assert.Equal([0xE4], sent.Codes);
            Assert.Equal([0f, 1f, 2f, 3f], Assert.IsType<DensePayload>(q.Decode(sent, Job(job, 4), null)).Values);
        }
    }

    [Fact(DisplayName = "Each chunk must carry its own offset and step, and a constant chunk must decode to its value")]
    public void Chunks_must_scale_separately()
    {
        var q = new StochasticQuantizer(bits: 8, chunkSize: 3);
        var sent = Assert.IsType<QuantizedPayload>(q.Encode(new DensePayload([-1f, 0.5f, 1.55f, 5f, 5f]), Job(1, 5)));

        Assert.Equal([-1f, 5f], sent.Offsets);
        Assert.Equal([(1.55f - -1f) / 255, 0f], sent.Scales);
        Assert.Equal(5 + 1 + 4 + 8 * 2 + 5, UpdatePayloadCodec.SizeOf(sent));
        var back = Assert.IsType<DensePayload>(q.Decode(sent, Job(1, 5), null)).Values;
        Assert.Equal(-1f, back[0], 6);
        Assert.Equal(1.55f, back[2], 5);
        Assert.Equal([5f, 5f], back[3..]);
        // 0.5 lies 150 steps above −1: code 150 exactly (up to float rounding of the step), never further than one step.
        Assert.InRange(back[1], 0.5f - 0.011f, 0.5f + 0.011f);
    }

    [Fact(DisplayName = "Stochastic rounding must be unbiased: at 1 bit, 0.3 between 0 and 1 must decode to 0.3 on average")]
    public void Rounding_must_be_unbiased()
    {
        var q = new StochasticQuantizer(bits: 1, chunkSize: 16);
        const int draws = 20_000;
        double sum = 0;
        int ones = 0;
        for (long job = 0; job < draws; job++)
        {
            var back = Assert.IsType<DensePayload>(q.Decode(q.Encode(new DensePayload([0f, 0.3f, 1f]), Job(job, 3)), Job(job, 3), null)).Values;
            Assert.Equal(0f, back[0]);
            Assert.Equal(1f, back[2]);
            Assert.True(back[1] is 0f or 1f);
            sum += back[1];
            if (back[1] == 1f) ones++;
        }
        // Bernoulli(0.3): standard error sqrt(0.21 / 20000) = 0.0032; five of them.
        Assert.InRange(sum / draws, 0.3 - 0.016, 0.3 + 0.016);
        Assert.InRange(ones, 1, draws - 1);
    }

    [Fact(DisplayName = "At 4 and 8 bits the mean of many decodings must approach the update, and one decoding must stay within a step")]
    public void Decodings_must_average_to_the_update()
    {
        var random = new Random(5);
        var x = Enumerable.Range(0, 700).Select(_ => (float)(random.NextDouble() * 2 - 1) * 0.01f).ToArray();
        foreach (int bits in new[] { 4, 8 })
        {
            var q = new StochasticQuantizer(bits, chunkSize: 256);
            var mean = new double[x.Length];
            const int draws = 400;
            for (long job = 0; job < draws; job++)
            {
                var sent = Assert.IsType<QuantizedPayload>(q.Encode(new DensePayload((float[])x.Clone()), Job(job, x.Length)));
                var back = Assert.IsType<DensePayload>(q.Decode(sent, Job(job, x.Length), null)).Values;
                for (int i = 0; i < x.Length; i++)
                {
                    float step = sent.Scales[i / 256];
                    Assert.InRange(back[i], x[i] - step * 1.0001f, x[i] + step * 1.0001f);
                    mean[i] += back[i] / draws;
                }
            }
            // The error of one decoding is at most a step (0.02/15 at 4 bits) with variance ≤ step²/4: the mean of 400
            // has a standard error ≤ step/40, and the largest of 700 deviations stays under five of them.
            float largestStep = 0.02f / ((1 << bits) - 1);
            Assert.InRange(x.Select((v, i) => Math.Abs(mean[i] - v)).Max(), 0, 5 * largestStep / 40);
        }
    }

    [Fact(DisplayName = "The same job must encode to the same bytes, another job to other bytes")]
    public void Encoding_must_be_reproducible()
    {
        var x = Enumerable.Range(0, 100).Select(i => MathF.Sin(i)).ToArray();
        var q = new StochasticQuantizer(4, 32);

        var a = UpdatePayloadCodec.Encode(q.Encode(new DensePayload((float[])x.Clone()), Job(9, 100)));
        var b = UpdatePayloadCodec.Encode(new StochasticQuantizer(4, 32).Encode(new DensePayload((float[])x.Clone()), Job(9, 100)));
        var c = UpdatePayloadCodec.Encode(q.Encode(new DensePayload((float[])x.Clone()), Job(10, 100)));

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Theory(DisplayName = "A quantized update with a non-finite or negative step, a non-finite offset or other bits must not decode")]
    [InlineData(float.NaN, 0f, 8, "chunk 0 has step NaN")]
    [InlineData(float.PositiveInfinity, 0f, 8, "both must be finite")]
    [InlineData(-1f, 0f, 8, "the step ≥ 0")]
    [InlineData(1f, float.NaN, 8, "offset NaN")]
    [InlineData(1f, 0f, 4, "q8 decodes 8-bit codes, the update has 4-bit codes")]
    public void Malformed_quantized_updates_must_not_decode(float step, float offset, int bits, string message)
    {
        var payload = new QuantizedPayload(2, bits, 512, [step], [offset], new byte[QuantizedPayload.CodeBytes(2, bits)]);

        var e = Assert.Throws<InvalidDataException>(() => new StochasticQuantizer(8, 512).Decode(payload, Job(0, 2), null));
        Assert.Contains(message, e.Message);
    }

    [Fact(DisplayName = "An update with NaN must reach the server as a chunk that does not decode, never as zeros")]
    public void Non_finite_updates_must_not_become_zeros()
    {
        var q = new StochasticQuantizer(8, 2);
        var sent = q.Encode(new DensePayload([float.NaN, 1f, 2f, 3f]), Job(0, 4));

        Assert.Throws<InvalidDataException>(() => q.Decode(sent, Job(0, 4), null));
    }
}
