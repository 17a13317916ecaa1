using FedActors.Actors.Compression;
using FedActors.Actors.Updates;

namespace FedActors.Actors.Tests.Compression;

public sealed class TopKSparsifierTests
{
    private static readonly TransformContext Context = new(1, 2, 3, 0, 6);

    [Fact(DisplayName = "top-3 of [0.1, −3, 2, 0, −2, 0.5] must keep −3 and both 2s, with positions 1, 2, 4")]
    public void Largest_magnitudes_must_travel()
    {
        var sent = Assert.IsType<SparsePayload>(new TopKSparsifier(new SparsifiedCount(null, 3)).Encode(new DensePayload([0.1f, -3f, 2f, 0f, -2f, 0.5f]), Context));

        Assert.Equal([1, 2, 4], sent.Indices);
        Assert.Equal([-3f, 2f, -2f], Assert.IsType<DensePayload>(sent.Values).Values);
        // kind, length, count, gaps 1, 0, 1 (one byte each), then the values: 5 + 4·3.
        Assert.Equal(1 + 4 + 4 + 3 + 5 + 12, UpdatePayloadCodec.SizeOf(sent));
        var dense = new float[6];
        sent.CopyTo(dense);
        Assert.Equal([0f, -3f, 2f, 0f, -2f, 0f], dense);
    }

    [Fact(DisplayName = "Ties at the threshold must go to the lowest positions: top-2 keeps −3 and the first 2")]
    public void Ties_must_go_to_the_lowest_positions()
    {
        var sent = Assert.IsType<SparsePayload>(new TopKSparsifier(new SparsifiedCount(null, 2)).Encode(new DensePayload([0.1f, -3f, 2f, 0f, -2f, 0.5f]), Context));

        Assert.Equal([1, 2], sent.Indices);
        Assert.Equal([-3f, 2f], Assert.IsType<DensePayload>(sent.Values).Values);
    }

    [Theory(DisplayName = "A fraction must keep ⌈F·n⌉ values, at least one and at most n")]
    [InlineData(0.5, 6, 3)]
    [InlineData(0.01, 6, 1)]
    [InlineData(0.34, 6, 3)]
    [InlineData(1.0, 6, 6)]
    [InlineData(0.1, 44_426, 4_443)]
    public void Fractions_must_round_up(double fraction, int n, int k) => Assert.Equal(k, new SparsifiedCount(fraction, null).Of(n));

    [Fact(DisplayName = "On random updates top-k must keep exactly the k largest magnitudes")]
    public void Selection_must_match_a_sort()
    {
        var random = new Random(11);
        foreach (int n in new[] { 1, 2, 17, 1000, 4097 })
            foreach (int k in new[] { 1, n / 3 + 1, n })
            {
                // Few distinct values make ties common.
                var x = Enumerable.Range(0, n).Select(_ => (float)random.Next(-20, 21) / 4).ToArray();
                var sent = Assert.IsType<SparsePayload>(new TopKSparsifier(new SparsifiedCount(null, k)).Encode(new DensePayload((float[])x.Clone()), Context with { Dimension = n }));
                var expected = Enumerable.Range(0, n).OrderByDescending(i => Math.Abs(x[i])).ThenBy(i => i).Take(k).Order().ToArray();
                Assert.Equal(expected, sent.Indices);
                Assert.Equal(expected.Select(i => x[i]), Assert.IsType<DensePayload>(sent.Values).Values);
            }
    }

    [Fact(DisplayName = "NaN must be sent, not hidden among the dropped values")]
    public void NaN_must_travel()
    {
        var sent = Assert.IsType<SparsePayload>(new TopKSparsifier(new SparsifiedCount(null, 1)).Encode(new DensePayload([5f, float.NaN, 1f]), Context with { Dimension = 3 }));

        Assert.Equal([1], sent.Indices);
    }

    [Fact(DisplayName = "A sparse update with another count of values than top-k sends must not decode")]
    public void Other_counts_must_not_decode()
    {
        var topk = new TopKSparsifier(new SparsifiedCount(null, 2));

        Assert.Equal([0, 5], Assert.IsType<SparsePayload>(topk.Decode(new SparsePayload(6, [0, 5], [1f, 2f]), Context, null)).Indices);
        var e = Assert.Throws<InvalidDataException>(() => topk.Decode(new SparsePayload(6, [0, 1, 5], [1f, 2f, 3f]), Context, null));
        Assert.Equal("topk-2 sends 2 values of 6, the update has 3", e.Message);
        Assert.Throws<WrongUpdateLengthException>(() => topk.Decode(new SparsePayload(7, [0, 5], [1f, 2f]), Context, null));
        Assert.Throws<InvalidDataException>(() => topk.Decode(new DensePayload(new float[6]), Context, null));
    }

    private static readonly TransformContext TwoLayers = Context with { Layers = new[] { 3, 3 } };

    [Fact(DisplayName = "Per-layer top-1 of [0.1, −3, 2 | 0, −2, 0.5] must keep −3 from the first layer and −2 from the second, where whole top-2 keeps −3 and 2")]
    public void Per_layer_top_k_must_keep_each_layers_largest()
    {
        var perLayer = new TopKSparsifier(new SparsifiedCount(null, 1), perLayer: true);
        var sent = Assert.IsType<SparsePayload>(perLayer.Encode(new DensePayload([0.1f, -3f, 2f, 0f, -2f, 0.5f]), TwoLayers));

        Assert.Equal("topk-layer-1", perLayer.Name);
        Assert.Equal([1, 4], sent.Indices);
        Assert.Equal([-3f, -2f], Assert.IsType<DensePayload>(sent.Values).Values);
        Assert.Same(sent, perLayer.Decode(sent, TwoLayers, null));
        // A fraction counts per layer: half of 3, rounded up, is 2 from each.
        var half = new TopKSparsifier(new SparsifiedCount(0.5, null), perLayer: true);
        Assert.Equal([1, 2, 4, 5], Assert.IsType<SparsePayload>(half.Encode(new DensePayload([0.1f, -3f, 2f, 0f, -2f, 0.5f]), TwoLayers)).Indices);
    }

    [Fact(DisplayName = "Per-layer top-k must refuse an update whose values are not shared out as its layers say, and a context without layers")]
    public void Per_layer_top_k_must_check_each_layers_share()
    {
        var perLayer = new TopKSparsifier(new SparsifiedCount(null, 1), perLayer: true);
        var wholeTopTwo = new SparsePayload(6, [1, 2], [-3f, 2f]);

        var e = Assert.Throws<InvalidDataException>(() => perLayer.Decode(wholeTopTwo, TwoLayers, null));
        Assert.Contains("sends 1 values of layer 0 (3 values), the update has 2", e.Message);
        Assert.Throws<InvalidOperationException>(() => perLayer.Encode(new DensePayload(new float[6]), Context));
        Assert.Throws<InvalidOperationException>(() => perLayer.Decode(wholeTopTwo, Context with { Layers = new[] { 3, 2 } }, null));
    }
}
