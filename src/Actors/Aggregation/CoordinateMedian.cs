using System.Numerics;

namespace FedActors.Actors.Aggregation;

/// <summary>
/// <c>median</c>: each coordinate of the result is the median of that coordinate over the updates (Yin et al., ICML 2018;
/// Flower's FedMedian); with an even count, the mean of the two middle values. Up to half the updates minus one can be
/// arbitrary without moving a coordinate outside the honest values' range.
/// </summary>
public sealed class CoordinateMedian : IUpdateCombiner
{
    private float[] _column = [];
    private Vector<float>[] _block = [];

    /// <summary>The name in <c>fedactors.server.aggregator</c>.</summary>
    public const string CombinerName = "median";

    /// <inheritdoc />
    public string Name => CombinerName;

    /// <inheritdoc />
    public void Combine(ReadOnlySpan<BufferedUpdate> updates, Span<float> result)
    {
        int n = Combiners.RequireUpdates(updates, result.Length, 1, Name);
        if (_column.Length != n) _column = new float[n];
        var column = _column.AsSpan();
        // (a + b)/2 in float rounds once, as (float)(((double)a + b) / 2) does: the scalar path's value.
        int j = SortedColumns.ReduceBlocks(updates, ref _block, result, n, static (sorted, destination, n) =>
            ((n & 1) == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) * 0.5f).CopyTo(destination));
        for (; j < result.Length; j++)
        {
            SortedColumn(updates, j, column);
            result[j] = (float)OfSorted(column);
        }
    }

    /// <summary>Coordinate <paramref name="j"/> of every update, sorted, in <paramref name="column"/> (as long as there are updates).</summary>
    internal static void SortedColumn(ReadOnlySpan<BufferedUpdate> updates, int j, Span<float> column)
    {
        for (int i = 0; i < updates.Length; i++) column[i] = updates[i].Delta[j];
        column.Sort();
    }

    /// <summary>The median of sorted values: the middle one, or the mean of the middle two.</summary>
    internal static double OfSorted(ReadOnlySpan<float> sorted)
    {
        int n = sorted.Length;
        return (n & 1) == 1 ? sorted[n / 2] : ((double)sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
