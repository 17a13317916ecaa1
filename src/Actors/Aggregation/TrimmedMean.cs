using System.Globalization;
using System.Numerics;

namespace FedActors.Actors.Aggregation;

/// <summary>
/// <c>trimmed-mean</c>: for each coordinate, the ⌊β·n⌋ largest and ⌊β·n⌋ smallest values are dropped and the rest
/// averaged (Yin et al., ICML 2018; Flower's FedTrimmedAvg). β = 0 is the plain mean; β must leave at least one value.
/// </summary>
public sealed class TrimmedMean : IUpdateCombiner
{
    private float[] _column = [];
    private Vector<float>[] _block = [];

    /// <summary>The name in <c>fedactors.server.aggregator</c>.</summary>
    public const string CombinerName = "trimmed-mean";

    /// <summary>Trims a fraction <paramref name="beta"/> of the updates from each end, 0 ≤ β &lt; 0.5.</summary>
    public TrimmedMean(double beta)
    {
        if (!(beta >= 0 && beta < 0.5)) throw new ArgumentOutOfRangeException(nameof(beta), beta, "the trimmed fraction must be in [0, 0.5)");
        Beta = beta;
    }

    /// <summary>β, the fraction trimmed from each end.</summary>
    public double Beta { get; }

    /// <inheritdoc />
    public string Name => CombinerName;

    /// <summary>Values dropped from each end of a coordinate with <paramref name="n"/> updates: ⌊β·n⌋.</summary>
    public int Trimmed(int n) => (int)Math.Floor(Beta * n);

    /// <inheritdoc />
    public void Combine(ReadOnlySpan<BufferedUpdate> updates, Span<float> result)
    {
        int n = Combiners.RequireUpdates(updates, result.Length, 1, Name);
        int cut = Trimmed(n), kept = n - 2 * cut;
        if (kept < 1)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"trimmed-mean with beta {Beta} drops all {n} updates"), nameof(updates));
        if (_column.Length != n) _column = new float[n];
        var column = _column.AsSpan();
        int j = SortedColumns.ReduceBlocks(updates, ref _block, result, (cut, kept), static (sorted, destination, trim) =>
        {
            // Summed in double, in the scalar path's order, for the same bits.
            var low = Vector<double>.Zero;
            var high = Vector<double>.Zero;
            for (int i = trim.cut; i < trim.cut + trim.kept; i++)
            {
                Vector.Widen(sorted[i], out var l, out var h);
                low += l;
                high += h;
            }
            Vector.Narrow(low / trim.kept, high / trim.kept).CopyTo(destination);
        });
        for (; j < result.Length; j++)
        {
            CoordinateMedian.SortedColumn(updates, j, column);
            double sum = 0;
            for (int i = cut; i < n - cut; i++) sum += column[i];
            result[j] = (float)(sum / kept);
        }
    }
}
