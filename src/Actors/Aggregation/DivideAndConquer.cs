using System.Globalization;
using System.Numerics.Tensors;

namespace FedActors.Actors.Aggregation;

/// <summary>
/// <c>divide-and-conquer</c> (DnC, Shejwalkar and Houmansadr, NDSS 2021): the updates are centred on their mean, each is
/// scored by the square of its projection on the top singular vector of the centred updates, the r = ⌊c·f⌋
/// highest-scored are dropped and the rest averaged alike. Colluding attacks that pass distance and coordinate
/// statistics ("a little is enough", inner-product manipulation) all push one way, and that shared direction is what
/// the top singular vector finds.
/// </summary>
/// <remarks>
/// The paper projects random subsets of coordinates to keep the SVD of n × d affordable; here the top singular vector
/// comes exactly from the n × n Gram matrix of the centred updates, by double-centring the pairwise squared distances
/// (no cancellation against a large mean) and Jacobi rotations, so every coordinate counts and the result depends on
/// no random draw. A centred update's projection is √λ·aᵢ, with a the Gram matrix's top eigenvector. Ties in score go
/// to the earlier update, which is kept.
/// </remarks>
public sealed class DivideAndConquer : IUpdateCombiner
{
    /// <summary>The name in <c>fedactors.server.aggregator</c>.</summary>
    public const string CombinerName = "divide-and-conquer";

    private double[] _gram = [], _rotations = [], _vector = [], _scores = [], _rowMeans = [];
    private int[] _order = [];
    private bool[] _kept = [];

    /// <summary>DnC dropping ⌊<paramref name="filterFraction"/> · <paramref name="byzantine"/>⌋ updates per step.</summary>
    public DivideAndConquer(int byzantine, double filterFraction = 1.0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(byzantine);
        if (!(filterFraction > 0) || double.IsInfinity(filterFraction)) throw new ArgumentOutOfRangeException(nameof(filterFraction), filterFraction, "must be positive");
        (Byzantine, FilterFraction) = (byzantine, filterFraction);
    }

    /// <summary>f, the malicious updates a step is expected to hold at most.</summary>
    public int Byzantine { get; }

    /// <summary>c, the filtering fraction: ⌊c·f⌋ updates are dropped per step.</summary>
    public double FilterFraction { get; }

    /// <summary>r, the updates dropped per step.</summary>
    public int Dropped => (int)Math.Floor(FilterFraction * Byzantine);

    /// <inheritdoc />
    public string Name => CombinerName;

    /// <summary>The outlier score of every update in the last combination (squared projection on the top singular vector).</summary>
    public ReadOnlySpan<double> Scores => _scores;

    /// <summary>Which updates of the last combination were averaged (true) or dropped.</summary>
    public ReadOnlySpan<bool> Kept => _kept;

    /// <inheritdoc />
    public void Combine(ReadOnlySpan<BufferedUpdate> updates, Span<float> result)
    {
        int n = Combiners.RequireUpdates(updates, result.Length, 1, Name);
        int r = Dropped;
        if (n <= r)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{Name} drops floor(c f) = {r} updates per step and must keep one, got {n}: raise the buffer size or lower krum-f or dnc-filter-fraction"), nameof(updates));
        if (_scores.Length != n)
            (_gram, _rotations, _vector, _scores, _rowMeans, _order, _kept) =
                (new double[n * n], new double[n * n], new double[n], new double[n], new double[n], new int[n], new bool[n]);
        // Finite for finite updates: a diverging model's updates must not turn the Gram matrix into NaN.
        Krum.SquaredDistances(updates, _gram);
        DoubleCentre(_gram, n, _rowMeans);
        double lambda = LeadingEigenvector.Find(_gram, n, _rotations, _vector);
        for (int i = 0; i < n; i++)
        {
            _scores[i] = Math.Max(0, lambda) * _vector[i] * _vector[i];
            _order[i] = i;
        }
        // Highest score first; of equal scores the later update goes first, so the earlier one is kept.
        Array.Sort(_order, (x, y) => _scores[x] != _scores[y] ? _scores[y].CompareTo(_scores[x]) : y.CompareTo(x));
        Array.Fill(_kept, true);
        for (int k = 0; k < r; k++) _kept[_order[k]] = false;
        result.Clear();
        for (int i = 0; i < n; i++)
            if (_kept[i]) TensorPrimitives.Add(result, updates[i].Delta, result);
        TensorPrimitives.Multiply(result, 1f / (n - r), result);
    }

    // Squared distances D into the Gram matrix of the centred points: G = −½ (D − row means − column means + grand mean).
    private static void DoubleCentre(double[] d, int n, double[] rowMeans)
    {
        double grand = 0;
        for (int a = 0; a < n; a++)
        {
            double sum = 0;
            for (int b = 0; b < n; b++) sum += d[a * n + b];
            rowMeans[a] = sum / n;
            grand += sum;
        }
        grand /= (double)n * n;
        for (int a = 0; a < n; a++)
        for (int b = 0; b < n; b++)
            d[a * n + b] = -0.5 * (d[a * n + b] - rowMeans[a] - rowMeans[b] + grand);
    }
}
