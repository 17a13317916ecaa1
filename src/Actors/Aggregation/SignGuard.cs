using System.Globalization;
using System.Numerics;
using System.Numerics.Tensors;

namespace FedActors.Actors.Aggregation;

/// <summary>
/// <c>signguard</c> (Xu et al., ICDCS 2022): an update passes two filters and then counts with its norm clipped.
/// <list type="number">
/// <item>Norm: its L2 norm lies strictly between L and R times the median norm of the step (L = 0.1, R = 3 as in the paper).</item>
/// <item>Sign statistics: the shares of its positive, zero and negative coordinates, each divided by its largest value
/// in the step, clustered by mean shift (bandwidth at quantile 0.5, as the authors' code); only the largest cluster
/// passes. An update crafted as μ − z·σ ("a little is enough") is negative
/// wherever σ outweighs μ, which is most coordinates, while an honest update is about as often positive as negative:
/// distances cannot tell them apart, sign shares can.</item>
/// </list>
/// The result is the mean of the updates that passed both, each scaled to at most the median norm; the updates count
/// alike. If no update passes both filters, the largest sign cluster is used.
/// </summary>
/// <remarks>The paper computes sign shares on a random tenth of the coordinates to save time; this counts them all
/// (one vectorized pass per update), so the result depends on no random draw.</remarks>
public sealed class SignGuard : IUpdateCombiner
{
    /// <summary>The name in <c>fedactors.server.aggregator</c>.</summary>
    public const string CombinerName = "signguard";

    private double[] _norms = [], _sorted = [], _shares = [], _features = [];
    private bool[] _cluster = [], _kept = [];
    private readonly MeanShift _clustering = new();

    /// <summary>SignGuard keeping norms within [<paramref name="lower"/>, <paramref name="upper"/>] times the median.</summary>
    public SignGuard(double lower = 0.1, double upper = 3.0)
    {
        if (!(lower >= 0 && upper > lower && double.IsFinite(upper)))
            throw new ArgumentOutOfRangeException(nameof(upper), $"signguard needs 0 <= lower < upper, got [{lower}, {upper}]");
        (Lower, Upper) = (lower, upper);
    }

    /// <summary>L, the least norm passed, as a multiple of the median.</summary>
    public double Lower { get; }

    /// <summary>R, the largest norm passed, as a multiple of the median.</summary>
    public double Upper { get; }

    /// <inheritdoc />
    public string Name => CombinerName;

    /// <summary>Which updates of the last combination passed both filters.</summary>
    public ReadOnlySpan<bool> Kept => _kept;

    /// <summary>The shares of positive, zero and negative coordinates of each update of the last combination, three per update.</summary>
    public ReadOnlySpan<double> SignShares => _shares;

    /// <inheritdoc />
    public void Combine(ReadOnlySpan<BufferedUpdate> updates, Span<float> result)
    {
        int n = Combiners.RequireUpdates(updates, result.Length, 1, Name);
        if (_norms.Length != n)
            (_norms, _sorted, _shares, _features, _cluster, _kept) = (new double[n], new double[n], new double[3 * n], new double[3 * n], new bool[n], new bool[n]);
        for (int i = 0; i < n; i++)
        {
            _norms[i] = Vectors.Norm(updates[i].Delta);
            CountSigns(updates[i].Delta, _shares.AsSpan(3 * i, 3));
        }
        _norms.CopyTo(_sorted, 0);
        Array.Sort(_sorted);
        double median = n % 2 == 1 ? _sorted[n / 2] : (_sorted[n / 2 - 1] + _sorted[n / 2]) / 2;
        // The features are the shares scaled by their largest value in the step, as the authors' code does.
        for (int k = 0; k < 3; k++)
        {
            double max = 0;
            for (int i = 0; i < n; i++) max = Math.Max(max, _shares[3 * i + k]);
            for (int i = 0; i < n; i++) _features[3 * i + k] = max > 0 ? _shares[3 * i + k] / max : 0;
        }
        _clustering.LargestCluster(_features, n, 3, _cluster);
        int count = 0;
        for (int i = 0; i < n; i++)
        {
            _kept[i] = _cluster[i] && _norms[i] > Lower * median && _norms[i] < Upper * median;
            if (_kept[i]) count++;
        }
        if (count == 0)
        {
            _cluster.CopyTo(_kept, 0);
            foreach (var c in _cluster) count += c ? 1 : 0;
        }
        result.Clear();
        for (int i = 0; i < n; i++)
        {
            if (!_kept[i]) continue;
            double scale = _norms[i] > median ? median / _norms[i] : 1;
            TensorPrimitives.MultiplyAdd(updates[i].Delta, (float)(scale / count), result, result);
        }
    }

    // Shares of coordinates > 0, == 0 and < 0 (NaN counts as none: the buffer refuses non-finite updates anyway).
    private static void CountSigns(ReadOnlySpan<float> delta, Span<double> shares)
    {
        long positive = 0, negative = 0;
        int j = 0;
        if (Vector.IsHardwareAccelerated && delta.Length >= Vector<float>.Count)
        {
            var pos = Vector<int>.Zero;
            var neg = Vector<int>.Zero;
            // Comparison masks are −1 where true; subtracting them counts. Counts per lane stay far below 2^31 per block.
            for (; j <= delta.Length - Vector<float>.Count; j += Vector<float>.Count)
            {
                var v = new Vector<float>(delta.Slice(j));
                pos -= Vector.GreaterThan(v, Vector<float>.Zero);
                neg -= Vector.LessThan(v, Vector<float>.Zero);
            }
            positive = Vector.Sum(pos);
            negative = Vector.Sum(neg);
        }
        for (; j < delta.Length; j++)
        {
            if (delta[j] > 0) positive++;
            else if (delta[j] < 0) negative++;
        }
        double d = delta.Length;
        shares[0] = positive / d;
        shares[1] = (d - positive - negative) / d;
        shares[2] = negative / d;
    }
}
