namespace FedActors.Actors.Aggregation;

/// <summary>
/// Mean-shift clustering with a flat kernel (Comaniciu and Meer 2002) of a few low-dimensional points, as scikit-learn's
/// MeanShift does by default: every point seeds a climb to the mean of the points within the bandwidth; modes closer than
/// the bandwidth to a better-supported one merge into it; each point joins its nearest mode if that is within the
/// bandwidth, and no cluster otherwise (scikit-learn's <c>cluster_all = False</c>). The bandwidth is scikit-learn's
/// estimate: the mean distance of each point to its ⌊q·n⌋-th nearest, itself counted. Seeds are all the points, not
/// scikit-learn's binned ones (a shortcut for many points).
/// </summary>
/// <remarks>Holds its scratch, sized on first use, so clustering a step allocates nothing; not thread-safe.</remarks>
internal sealed class MeanShift
{
    private const int MaxIterations = 300;

    private double[] _modes = [], _next = [], _distances = [];
    private int[] _support = [], _order = [], _kept = [], _size = [], _label = [];

    /// <summary>
    /// Marks in <paramref name="largest"/> the points of the largest cluster of the <paramref name="n"/> points of
    /// <paramref name="dimensions"/> coordinates each in <paramref name="points"/> (row-major), with the bandwidth
    /// estimated at <paramref name="quantile"/>. Of clusters of equal size the one whose mode more points support wins,
    /// then the one seeded earlier.
    /// </summary>
    public void LargestCluster(ReadOnlySpan<double> points, int n, int dimensions, Span<bool> largest, double quantile = 0.5)
    {
        if (points.Length != n * dimensions || largest.Length != n) throw new ArgumentException($"{n} points of {dimensions} need {n * dimensions} values and {n} marks");
        if (_support.Length != n)
            (_support, _order, _kept, _size, _label, _distances) = (new int[n], new int[n], new int[n], new int[n], new int[n], new double[n]);
        if (_modes.Length != n * dimensions) (_modes, _next) = (new double[n * dimensions], new double[dimensions]);
        double bandwidth = Bandwidth(points, n, dimensions, quantile, _distances);
        if (!(bandwidth > 0))
        {
            // All points coincide with their neighbours: one cluster.
            largest.Fill(true);
            return;
        }
        var (modes, support, next) = (_modes, _support, _next);
        for (int s = 0; s < n; s++)
        {
            var mode = modes.AsSpan(s * dimensions, dimensions);
            points.Slice(s * dimensions, dimensions).CopyTo(mode);
            for (int iteration = 0; iteration < MaxIterations; iteration++)
            {
                Array.Clear(next);
                int within = 0;
                for (int i = 0; i < n; i++)
                {
                    var p = points.Slice(i * dimensions, dimensions);
                    if (Distance(p, mode) > bandwidth) continue;
                    within++;
                    for (int k = 0; k < dimensions; k++) next[k] += p[k];
                }
                for (int k = 0; k < dimensions; k++) next[k] /= within;
                double shift = Distance(next, mode);
                next.CopyTo(mode);
                support[s] = within;
                if (shift < 1e-3 * bandwidth) break;
            }
        }
        // Best-supported modes first (then the earlier seed); a mode within the bandwidth of a kept one merges into it.
        for (int i = 0; i < n; i++) _order[i] = i;
        Array.Sort(_order, 0, n, Comparer<int>.Create((x, y) => support[x] != support[y] ? support[y].CompareTo(support[x]) : x.CompareTo(y)));
        int modeCount = 0;
        foreach (var s in _order)
        {
            bool distinct = true;
            for (int m = 0; m < modeCount && distinct; m++)
                distinct = Distance(modes.AsSpan(s * dimensions, dimensions), modes.AsSpan(_kept[m] * dimensions, dimensions)) > bandwidth;
            if (distinct) _kept[modeCount++] = s;
        }
        Array.Clear(_size);
        for (int i = 0; i < n; i++)
        {
            var p = points.Slice(i * dimensions, dimensions);
            int best = 0;
            double nearest = Distance(p, modes.AsSpan(_kept[0] * dimensions, dimensions));
            for (int m = 1; m < modeCount; m++)
            {
                double d = Distance(p, modes.AsSpan(_kept[m] * dimensions, dimensions));
                if (d < nearest) (best, nearest) = (m, d);
            }
            // An orphan, farther than the bandwidth from every mode, belongs to no cluster.
            _label[i] = nearest <= bandwidth ? best : -1;
            if (_label[i] >= 0) _size[best]++;
        }
        int winner = 0;
        for (int m = 1; m < modeCount; m++)
            if (_size[m] > _size[winner]) winner = m;
        for (int i = 0; i < n; i++) largest[i] = _label[i] == winner;
    }

    /// <summary>scikit-learn's estimate_bandwidth: the mean over points of the distance to the ⌊q·n⌋-th nearest point, itself first.</summary>
    /// <param name="points">n points of <paramref name="dimensions"/> coordinates, row-major.</param>
    /// <param name="n">The number of points.</param>
    /// <param name="dimensions">Coordinates per point.</param>
    /// <param name="quantile">q.</param>
    /// <param name="distances">Scratch of n.</param>
    public static double Bandwidth(ReadOnlySpan<double> points, int n, int dimensions, double quantile, Span<double> distances)
    {
        int k = Math.Max(1, (int)(quantile * n));
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++) distances[j] = Distance(points.Slice(i * dimensions, dimensions), points.Slice(j * dimensions, dimensions));
            distances[..n].Sort();
            sum += distances[k - 1];
        }
        return sum / n;
    }

    private static double Distance(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double sum = 0;
        for (int k = 0; k < a.Length; k++) sum += (a[k] - b[k]) * (a[k] - b[k]);
        return Math.Sqrt(sum);
    }
}
