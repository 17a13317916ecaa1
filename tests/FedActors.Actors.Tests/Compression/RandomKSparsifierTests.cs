using FedActors.Actors.Compression;
using FedActors.Actors.Updates;

namespace FedActors.Actors.Tests.Compression;

public sealed class RandomKSparsifierTests
{
    private static TransformContext Job(long job, int dimension) => new(42, 5, job, 0, dimension);

    [Fact(DisplayName = "random-k must send only k values, scaled by n/k, which the server puts back at the positions it draws itself")]
    public void Positions_must_cost_nothing()
    {
        var x = Enumerable.Range(0, 10).Select(i => (float)i + 1).ToArray();
        var randk = new RandomKSparsifier(new SparsifiedCount(null, 2));

        var sent = Assert.IsType<DensePayload>(randk.Encode(new DensePayload((float[])x.Clone()), Job(7, 10)));
        Assert.Equal(2, sent.Length);
        var back = Assert.IsType<SparsePayload>(new RandomKSparsifier(new SparsifiedCount(null, 2)).Decode(sent, Job(7, 10), null));

        Assert.Equal(2, back.Indices.Length);
        Assert.True(back.Indices[0] < back.Indices[1]);
        // Each kept value is x·n/k = 5x at its own position.
        Assert.Equal(back.Indices.Select(i => 5 * x[i]), sent.Values);
    }

    [Fact(DisplayName = "random-k must be unbiased: every position is kept with probability k/n, so decodings average to the update")]
    public void Decodings_must_average_to_the_update()
    {
        var randk = new RandomKSparsifier(new SparsifiedCount(0.2, null));
        const int n = 10, draws = 20_000;
        var mean = new double[n];
        var kept = new int[n];
        for (long job = 0; job < draws; job++)
        {
            var back = Assert.IsType<SparsePayload>(randk.Decode(randk.Encode(new DensePayload(Enumerable.Repeat(1f, n).ToArray()), Job(job, n)), Job(job, n), null));
            var dense = new float[n];
            back.CopyTo(dense);
            for (int i = 0; i < n; i++) mean[i] += dense[i] / draws;
            foreach (int i in back.Indices) kept[i]++;
        }
        // 5 with probability 0.2: variance 4, standard error sqrt(4/20000) = 0.014; five of them.
        Assert.All(mean, m => Assert.InRange(m, 1 - 0.071, 1 + 0.071));
        Assert.All(kept, c => Assert.InRange(c, 0.2 * draws - 5 * 57, 0.2 * draws + 5 * 57));
    }

    [Fact(DisplayName = "random-k must refuse an update with another count of values")]
    public void Other_counts_must_not_decode()
    {
        var e = Assert.Throws<InvalidDataException>(() => new RandomKSparsifier(new SparsifiedCount(null, 3)).Decode(new DensePayload(new float[4]), Job(0, 10), null));
        Assert.Equal("randk-3 sends 3 values of 10, the update has 4", e.Message);
    }
}
