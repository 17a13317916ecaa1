using System.Globalization;
using System.Numerics.Tensors;

namespace FedActors.Actors.Aggregation;

/// <summary>
/// <c>krum</c> and <c>multi-krum</c> (Blanchard et al., NeurIPS 2017): each update is scored by the sum of its squared
/// distances to its n − f − 2 nearest other updates, and the result is the mean of the m best-scored (m = 1: Krum). It
/// tolerates f Byzantine updates when n ≥ 2f + 3; fewer updates are refused. Ties in score go to the earlier update.
/// </summary>
public sealed class Krum : IUpdateCombiner
{
    private double[] _distances = [], _scores = [], _row = [];
    private int[] _order = [];
    private bool[] _kept = [];

    /// <summary>Krum with <paramref name="byzantine"/> tolerated updates, averaging the <paramref name="selected"/> best.</summary>
    public Krum(int byzantine, int selected = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(byzantine);
        ArgumentOutOfRangeException.ThrowIfLessThan(selected, 1);
        (Byzantine, Selected) = (byzantine, selected);
    }

    /// <summary>f, the malicious updates tolerated.</summary>
    public int Byzantine { get; }

    /// <summary>m, the best-scored updates averaged.</summary>
    public int Selected { get; }

    /// <inheritdoc />
    public string Name => Selected == 1 ? "krum" : "multi-krum";

    /// <summary>The score of every update (sum of squared distances to its n − f − 2 nearest), for tests and reports.</summary>
    public ReadOnlySpan<double> Scores => _scores;

    /// <summary>Which updates the last combination averaged (the m best-scored) and which it left out.</summary>
    public ReadOnlySpan<bool> Kept => _kept;

    /// <summary>
    /// The squared Euclidean distance of every pair of updates, into the n × n <paramref name="distances"/>, zeros on
    /// the diagonal; finite for finite updates (<see cref="Vectors.SquaredDistance"/>).
    /// </summary>
    internal static void SquaredDistances(ReadOnlySpan<BufferedUpdate> updates, double[] distances)
    {
        int n = updates.Length;
        for (int a = 0; a < n; a++)
        {
            distances[a * n + a] = 0;
            for (int b = a + 1; b < n; b++) distances[a * n + b] = distances[b * n + a] = Vectors.SquaredDistance(updates[a].Delta, updates[b].Delta);
        }
    }

    /// <summary>
    /// Krum's score of update <paramref name="a"/>: the sum of its <paramref name="neighbours"/> smallest squared distances
    /// to the other updates, among those <paramref name="left"/> marks (all when empty); <paramref name="row"/> is scratch of n.
    /// </summary>
    internal static double Score(double[] distances, int n, int a, ReadOnlySpan<bool> left, int neighbours, double[] row)
    {
        int count = 0;
        for (int b = 0; b < n; b++)
            if (b != a && (left.IsEmpty || left[b])) row[count++] = distances[a * n + b];
        Array.Sort(row, 0, count);
        double score = 0;
        for (int k = 0; k < Math.Min(neighbours, count); k++) score += row[k];
        return score;
    }

    /// <inheritdoc />
    public void Combine(ReadOnlySpan<BufferedUpdate> updates, Span<float> result)
    {
        int n = Combiners.RequireUpdates(updates, result.Length, 1, Name);
        if (n < 2 * Byzantine + 3)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{Name} tolerating f = {Byzantine} needs at least 2f + 3 = {2 * Byzantine + 3} updates per step, got {n}: raise the buffer size or lower krum-f"), nameof(updates));
        if (Selected > n)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{Name} averages {Selected} updates, but a step has only {n}"), nameof(updates));
        if (_scores.Length != n) (_distances, _scores, _row, _order) = (new double[n * n], new double[n], new double[n], new int[n]);
        SquaredDistances(updates, _distances);
        for (int a = 0; a < n; a++)
        {
            _scores[a] = Score(_distances, n, a, [], n - Byzantine - 2, _row);
            _order[a] = a;
        }
        // Stable by index on equal scores: the earlier update wins a tie.
        Array.Sort(_order, (x, y) => _scores[x] != _scores[y] ? _scores[x].CompareTo(_scores[y]) : x.CompareTo(y));
        if (_kept.Length != n) _kept = new bool[n];
        Array.Clear(_kept);
        result.Clear();
        for (int k = 0; k < Selected; k++)
        {
            TensorPrimitives.Add(result, updates[_order[k]].Delta, result);
            _kept[_order[k]] = true;
        }
        if (Selected > 1) TensorPrimitives.Multiply(result, 1f / Selected, result);
    }
}
