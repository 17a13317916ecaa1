using System.Globalization;
using System.Numerics;

namespace FedActors.Actors.Aggregation;

/// <summary>
/// <c>bulyan</c> (El Mhamdi et al., ICML 2018): Krum picks θ = n − 2f updates one at a time, each time the best-scored of
/// those left (scores over max(1, m − f − 2) nearest neighbours of the m left, ties to the earlier update); then each
/// coordinate is the mean of the θ − 2f selected values closest to their median. Needs n ≥ 4f + 3.
/// </summary>
public sealed class Bulyan : IUpdateCombiner
{
    /// <summary>The name in <c>fedactors.server.aggregator</c>.</summary>
    public const string CombinerName = "bulyan";

    private double[] _distances = [], _row = [];
    private bool[] _left = [], _kept = [];
    private int[] _selected = [];
    private float[] _column = [];
    private BufferedUpdate[] _chosen = [];
    private Vector<float>[] _block = [];
    private Vector<double>[] _half = [];

    /// <summary>Bulyan tolerating <paramref name="byzantine"/> malicious updates.</summary>
    public Bulyan(int byzantine)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(byzantine);
        Byzantine = byzantine;
    }

    /// <summary>f.</summary>
    public int Byzantine { get; }

    /// <inheritdoc />
    public string Name => CombinerName;

    /// <summary>The updates selected by the last combination, in the order Krum chose them (for tests and reports).</summary>
    public ReadOnlySpan<int> Selected => _selected;

    /// <summary>Which updates Krum's stage selected (true) and which it left out, for the last combination.</summary>
    public ReadOnlySpan<bool> Kept => _kept;

    /// <inheritdoc />
    public void Combine(ReadOnlySpan<BufferedUpdate> updates, Span<float> result)
    {
        int n = Combiners.RequireUpdates(updates, result.Length, 1, Name);
        int f = Byzantine;
        if (n < 4 * f + 3)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"bulyan tolerating f = {f} needs at least 4f + 3 = {4 * f + 3} updates per step, got {n}: raise the buffer size or lower krum-f"), nameof(updates));
        int theta = n - 2 * f, beta = theta - 2 * f;
        if (_left.Length != n) (_distances, _row, _left, _selected) = (new double[n * n], new double[n], new bool[n], new int[theta]);
        if (_selected.Length != theta) _selected = new int[theta];
        if (_column.Length != theta) _column = new float[theta];
        Krum.SquaredDistances(updates, _distances);
        Array.Fill(_left, true);
        for (int k = 0, m = n; k < theta; k++, m--)
        {
            int neighbours = Math.Max(1, m - f - 2), best = -1;
            double bestScore = double.PositiveInfinity;
            for (int a = 0; a < n; a++)
            {
                if (!_left[a]) continue;
                double score = Krum.Score(_distances, n, a, _left, neighbours, _row);
                if (score < bestScore) (best, bestScore) = (a, score);
            }
            _selected[k] = best;
            _left[best] = false;
        }
        if (_kept.Length != n) _kept = new bool[n];
        for (int a = 0; a < n; a++) _kept[a] = !_left[a];
        var column = _column.AsSpan();
        int j = 0;
        if (SortedColumns.Applies(theta)) j = CombineBlocks(updates, theta, beta, result);
        for (; j < result.Length; j++)
        {
            for (int k = 0; k < theta; k++) column[k] = updates[_selected[k]].Delta[j];
            column.Sort();
            // The β values closest to the median of θ sorted values are a contiguous window around the middle.
            double median = CoordinateMedian.OfSorted(column);
            // Slide the window up while the value it would take in is nearer the median than the one it would drop.
            int lo = 0;
            while (lo + beta < theta && Math.Abs(column[lo + beta] - median) < Math.Abs(column[lo] - median)) lo++;
            double sum = 0;
            for (int k = lo; k < lo + beta; k++) sum += column[k];
            result[j] = (float)(sum / beta);
        }
    }

    // The second stage on whole blocks of coordinates, lanes sorted by the network (SortedColumns) and the window chosen
    // lane by lane in double precision, as the scalar loop does: the same values. Returns the first coordinate not done.
    private int CombineBlocks(ReadOnlySpan<BufferedUpdate> updates, int theta, int beta, Span<float> result)
    {
        if (_chosen.Length != theta) (_chosen, _block, _half) = (new BufferedUpdate[theta], new Vector<float>[theta], new Vector<double>[2 * theta]);
        for (int k = 0; k < theta; k++) _chosen[k] = updates[_selected[k]];
        int width = SortedColumns.Width, j = 0;
        Span<Vector<double>> window = stackalloc Vector<double>[2];
        for (; j + width <= result.Length; j += width)
        {
            SortedColumns.SortBlock(_chosen, j, _block);
            for (int k = 0; k < theta; k++) Vector.Widen(_block[k], out _half[k], out _half[theta + k]);
            for (int h = 0; h < 2; h++)
            {
                var sorted = _half.AsSpan(h * theta, theta);
                var median = (theta & 1) == 1 ? sorted[theta / 2] : (sorted[theta / 2 - 1] + sorted[theta / 2]) / 2;
                var chosen = WindowSum(sorted, 0, beta);
                var sliding = Vector<long>.AllBitsSet;
                for (int lo = 0; lo + beta < theta; lo++)
                {
                    sliding &= Vector.LessThan(Vector.Abs(sorted[lo + beta] - median), Vector.Abs(sorted[lo] - median));
                    chosen = Vector.ConditionalSelect(sliding, WindowSum(sorted, lo + 1, beta), chosen);
                }
                window[h] = chosen / beta;
            }
            Vector.Narrow(window[0], window[1]).CopyTo(result.Slice(j, width));
        }
        return j;
    }

    private static Vector<double> WindowSum(ReadOnlySpan<Vector<double>> sorted, int from, int count)
    {
        var sum = Vector<double>.Zero;
        for (int k = from; k < from + count; k++) sum += sorted[k];
        return sum;
    }
}
