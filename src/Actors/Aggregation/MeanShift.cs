namespace FedActors.Actors.Aggregation;

/// <summary>
/// Mean-shift clustering with a flat kernel (Comaniciu and Meer 2002) of a few low-dimensional points, as scikit-learn's
/// MeanShift does by default: every point seeds a climb to the mean of the points within the bandwidth; modes closer than
/// the bandwidth to a better-supported one merge into it; each point joins its nearest mode if that is within the
/// bandwidth, and no cluster otherwise (scikit-learn's <c>cluster_all = False</c>). The bandwidth is scikit-learn's
/// estimate: the mean distance of each point to its ⌊q·n⌋-th nearest, itself counted. Seeds are all the points, not
/// scikit-learn's binned ones (a shortcut for many points).
/// </summary>
internal static class MeanShift
{
    private const int MaxIterations = 300;

    /// <summary>
    /// Marks in <paramref name="largest"/> the points of the largest cluster of the <paramref name="n"/> points of
    /// <paramref name="dimensions"/> coordinates each in <paramref name="points"/> (row-major), with the bandwidth
    /// estimated at <paramref name="quantile"/>. Of clusters of equal size the one whose mode more points support wins,
    /// then the one seeded earlier.
    /// </summary>
    public static void LargestCluster(ReadOnlySpan<double> points, int n, int dimensions, Span<bool> largest, double quantile = 0.5)
    {
        if (points.Length != n * dimensions || largest.Length != n) throw new ArgumentException($"{n} points of {dimensions} need {n * dimensions} values and {n} marks");
        double bandwidth = Bandwidth(points, n, dimensions, quantile);
        if (!(bandwidth > 0))
        {
            // All points coincide with their neighbours: one cluster.
            largest.Fill(true);
            return;
        }
        var modes = new double[n * dimensions];
        var support = new int[n];
        var next = new double[dimensions];
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
        // Best-supported modes first; a mode within the bandwidth of a kept one merges into it.
        var order = Enumerable.Range(0, n).OrderByDescending(s => support[s]).ThenBy(s => s).ToArray();
        var kept = new List<int>();
        foreach (var s in order)
            if (kept.TrueForAll(m => Distance(modes.AsSpan(s * dimensions, dimensions), modes.AsSpan(m * dimensions, dimensions)) > bandwidth)) kept.Add(s);
        var size = new int[kept.Count];
        var label = new int[n];
        for (int i = 0; i < n; i++)
        {
            int best = 0;
            for (int m = 1; m < kept.Count; m++)
                if (Distance(points.Slice(i * dimensions, dimensions), modes.AsSpan(kept[m] * dimensions, dimensions))
                    < Distance(points.Slice(i * dimensions, dimensions), modes.AsSpan(kept[best] * dimensions, dimensions))) best = m;
            // An orphan, farther than the bandwidth from every mode, belongs to no cluster.
            label[i] = Distance(points.Slice(i * dimensions, dimensions), modes.AsSpan(kept[best] * dimensions, dimensions)) <= bandwidth ? best : -1;
            if (label[i] >= 0) size[best]++;
        }
        int winner = 0;
        for (int m = 1; m < kept.Count; m++)
            if (size[m] > size[winner]) winner = m;
        for (int i = 0; i < n; i++) largest[i] = label[i] == winner;
    }

    /// <summary>scikit-learn's estimate_bandwidth: the mean over points of the distance to the ⌊q·n⌋-th nearest point, itself first.</summary>
    public static double Bandwidth(ReadOnlySpan<double> points, int n, int dimensions, double quantile)
    {
        int k = Math.Max(1, (int)(quantile * n));
        var distances = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++) distances[j] = Distance(points.Slice(i * dimensions, dimensions), points.Slice(j * dimensions, dimensions));
            Array.Sort(distances);
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
