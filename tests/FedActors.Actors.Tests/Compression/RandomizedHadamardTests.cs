using FedActors.Actors.Compression;
using FedActors.Actors.Updates;
using FedActors.Training;

namespace FedActors.Actors.Tests.Compression;

public sealed class RandomizedHadamardTests
{
    private static TransformContext Job(long job, int dimension) => new(42, 3, job, 0, dimension);

    [Fact(DisplayName = "A rotation of 4 values must be H·D·x / 2 with Sylvester's H and the stream's sign bits, and must undo exactly")]
    public void Rotation_must_match_the_matrix()
    {
        float[] x = [1f, 2f, 3f, 4f];
        ulong bits = DeterministicRandom.For(1, 2, 3).NextUInt64();
        var d = Enumerable.Range(0, 4).Select(i => ((bits >> i) & 1) != 0 ? -x[i] : x[i]).ToArray();
        int[,] h = { { 1, 1, 1, 1 }, { 1, -1, 1, -1 }, { 1, 1, -1, -1 }, { 1, -1, -1, 1 } };
        var expected = Enumerable.Range(0, 4).Select(r => Enumerable.Range(0, 4).Sum(c => h[r, c] * d[c]) / 2f).ToArray();

        var rotation = new RandomizedHadamard(4);
        var y = (float[])x.Clone();
        rotation.Rotate(y, DeterministicRandom.For(1, 2, 3));
        Assert.Equal(expected, y);

        rotation.Unrotate(y, DeterministicRandom.For(1, 2, 3));
        Assert.Equal(x, y);
    }

    [Fact(DisplayName = "A rotation of 512 values must keep the norm and spread a single spike over the whole chunk")]
    public void Rotation_must_keep_the_norm_and_spread_spikes()
    {
        var x = new float[512];
        x[100] = 8f;
        var rotation = new RandomizedHadamard(512);
        rotation.Rotate(x, DeterministicRandom.For(5, 6, 7));

        Assert.Equal(8.0, Math.Sqrt(x.Sum(v => (double)v * v)), 4);
        // Every coefficient is ±8/√512.
        Assert.All(x, v => Assert.Equal(8 / Math.Sqrt(512), Math.Abs(v), 5));
    }

    [Fact(DisplayName = "q4-hadamard must stay unbiased and, on updates with a few large values, decode closer than q4")]
    public void Rotated_quantization_must_help_on_spiky_updates()
    {
        var random = new Random(3);
        // 700 small values and one large one per 64: the range a plain quantizer must cover is set by the spikes.
        var x = Enumerable.Range(0, 700).Select(i => i % 64 == 0 ? 1f : (float)(random.NextDouble() * 2 - 1) * 0.01f).ToArray();
        double Error(StochasticQuantizer q, out double maxBias)
        {
            double squared = 0;
            var mean = new double[x.Length];
            const int draws = 200;
            for (long job = 0; job < draws; job++)
            {
                var back = Assert.IsType<DensePayload>(q.Decode(q.Encode(new DensePayload((float[])x.Clone()), Job(job, x.Length)), Job(job, x.Length), null)).Values;
                Assert.Equal(x.Length, back.Length);
                for (int i = 0; i < x.Length; i++)
                {
                    squared += (back[i] - x[i]) * (double)(back[i] - x[i]) / draws;
                    mean[i] += back[i] / draws;
                }
            }
            maxBias = x.Select((v, i) => Math.Abs(mean[i] - v)).Max();
            return squared;
        }

        double plain = Error(new StochasticQuantizer(4, 512), out _);
        double rotated = Error(new StochasticQuantizer(4, 512, rotate: true), out double bias);

        Assert.True(rotated < plain / 2, $"squared error with rotation {rotated:G4}, without {plain:G4}");
        // One decoding's error per value is at most a step of the rotated chunk (range ≤ 2·|x|·√8/√512·…); the mean of
        // 200 stays well inside a tenth of the spikes' size.
        Assert.InRange(bias, 0, 0.1);
    }

    [Fact(DisplayName = "q4-hadamard must pad the last chunk: 610 values travel as 1,024 codes, and another length must not decode")]
    public void Rotated_payloads_must_hold_whole_chunks()
    {
        var q = new StochasticQuantizer(4, 512, rotate: true);
        var sent = Assert.IsType<QuantizedPayload>(q.Encode(new DensePayload(Enumerable.Range(0, 610).Select(i => MathF.Sin(i)).ToArray()), Job(1, 610)));

        Assert.Equal((1024, 2), (sent.Length, sent.Scales.Length));
        Assert.Equal("q4-hadamard", q.Name);
        var e = Assert.Throws<InvalidDataException>(() => q.Decode(new QuantizedPayload(610, 4, 512, [1f, 1f], [0f, 0f], new byte[305]), Job(1, 610), null));
        Assert.Contains("decodes 1024 rotated values in chunks of 512 for a model of 610", e.Message);
        Assert.Throws<ArgumentException>(() => q.Encode(new SparsePayload(610, [1], [1f]), Job(1, 610)));
    }
}
