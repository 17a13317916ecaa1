using System.Numerics;
using System.Numerics.Tensors;

namespace FedActors.Actors.Aggregation;

/// <summary>
/// The shared part of FedAdagrad, FedAdam and FedYogi: Algorithm 2 of Reddi et al. (ICLR 2021),
/// which differ only in the second-moment rule.
/// <code>
///   m_t = β1·m_{t−1} + (1 − β1)·Δ_t
///   v_t = rule(v_{t−1}, Δ_t²)
///   x_{t+1} = x_t + η·m_t / (√v_t + τ)
/// </code>
/// As in the paper (and in Flower's fedadam/fedyogi/fedadagrad.py) there is no bias correction.
/// The paper starts from m_{−1} = 0 and v_{−1} ≥ τ²; we start v at τ², the paper's least value, unless
/// told otherwise. Flower starts v at 0: pass <c>initialV: 0</c> to reproduce it.
/// </summary>
internal sealed class AdaptiveMoments
{
    private readonly float[] _m;
    private readonly float[] _v;
    private long _steps;

    public AdaptiveMoments(string name, int dimension, double eta, double beta1, double tau, double? initialV)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        Name = name;
        Eta = StepArguments.Positive(eta, nameof(eta), "η (server learning rate)");
        Beta1 = StepArguments.UnitInterval(beta1, nameof(beta1), "β1 (first-moment decay)");
        Tau = StepArguments.Positive(tau, nameof(tau), "τ (adaptivity)");
        double v0 = initialV ?? tau * tau;
        if (!double.IsFinite(v0) || v0 < 0)
            throw new ArgumentOutOfRangeException(nameof(initialV), initialV, "initial v must be finite and ≥ 0");
        InitialV = (float)v0;
        _m = new float[dimension];
        _v = new float[dimension];
        Array.Fill(_v, InitialV);
    }

    public string Name { get; }
    public float Eta { get; }
    public float Beta1 { get; }
    public float Tau { get; }
    public float InitialV { get; }
    public int Dimension => _m.Length;

    /// <summary>Algorithm 2, one step. <paramref name="next"/> doubles as scratch for Δ² and √v + τ.</summary>
    public void Step(ReadOnlySpan<float> global, ReadOnlySpan<float> delta, Span<float> next, SecondMomentRule rule, float beta2)
    {
        StepArguments.Check(Dimension, global, delta, next);

        // m_t = β1·m + (1 − β1)·Δ
        TensorPrimitives.Multiply(_m, Beta1, _m);
        TensorPrimitives.MultiplyAdd(delta, 1f - Beta1, _m, _m);

        switch (rule)
        {
            case SecondMomentRule.Adagrad: // v_t = v + Δ²
                TensorPrimitives.MultiplyAdd(delta, delta, _v, _v);
                break;
            case SecondMomentRule.Adam: // v_t = β2·v + (1 − β2)·Δ²
                TensorPrimitives.Multiply(delta, delta, next);
                TensorPrimitives.Multiply(_v, beta2, _v);
                TensorPrimitives.MultiplyAdd(next, 1f - beta2, _v, _v);
                break;
            case SecondMomentRule.Yogi: // v_t = v − (1 − β2)·Δ²·sign(v − Δ²)
                YogiSecondMoment(_v, delta, 1f - beta2);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(rule), rule, "unknown second-moment rule");
        }

        // x_{t+1} = x + η·m / (√v + τ)
        TensorPrimitives.Sqrt(_v, next);
        TensorPrimitives.Add(next, Tau, next);
        TensorPrimitives.Divide(_m, next, next);
        TensorPrimitives.MultiplyAdd(next, Eta, global, next);
        _steps++;
    }

    /// <summary>
    /// Yogi's rule with numpy's sign (sign(0) = 0). TensorPrimitives has no float-valued sign and
    /// CopySign would treat v = Δ² as positive, so this one is a hand-vectorized loop.
    /// </summary>
    private static void YogiSecondMoment(Span<float> v, ReadOnlySpan<float> delta, float oneMinusBeta2)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var c = new Vector<float>(oneMinusBeta2);
            for (; i <= v.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var d = new Vector<float>(delta.Slice(i));
                var vi = new Vector<float>(v.Slice(i));
                var d2 = d * d;
                var diff = vi - d2;
                var sign = Vector.ConditionalSelect(Vector.GreaterThan(diff, Vector<float>.Zero), Vector<float>.One, Vector<float>.Zero)
                         - Vector.ConditionalSelect(Vector.LessThan(diff, Vector<float>.Zero), Vector<float>.One, Vector<float>.Zero);
                (vi - c * d2 * sign).CopyTo(v.Slice(i));
            }
        }
        for (; i < v.Length; i++)
        {
            float d2 = delta[i] * delta[i];
            v[i] = v[i] - oneMinusBeta2 * d2 * MathF.Sign(v[i] - d2);
        }
    }

    public ServerOptimizerState Export() => new(Name, _steps, (float[])_m.Clone(), (float[])_v.Clone());

    public void Restore(ServerOptimizerState state)
    {
        StepArguments.CheckState(state, Name, Dimension, hasM: true, hasV: true);
        state.M!.CopyTo(_m, 0);
        state.V!.CopyTo(_v, 0);
        _steps = state.Steps;
    }
}

internal enum SecondMomentRule
{
    Adagrad,
    Adam,
    Yogi,
}
