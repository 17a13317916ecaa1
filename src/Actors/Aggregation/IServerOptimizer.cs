namespace FedActors.Actors.Aggregation;

/// <summary>
/// A server optimizer in the FedOpt framing (Reddi et al., ICLR 2021, "Adaptive Federated
/// Optimization"): the aggregated client update Δ is a pseudo-gradient, and the server steps
/// x_{t+1} = x_t + η·(direction from Δ). Client deltas are local − global, so Δ points downhill and is
/// added. FedAvg is <see cref="ServerSgd"/> with η = 1.
/// </summary>
public interface IServerOptimizer
{
    /// <summary>The config name: sgd | fedavgm | fedadam | fedyogi | fedadagrad.</summary>
    string Name { get; }

    /// <summary>Length of the weight vectors this optimizer steps.</summary>
    int Dimension { get; }

    /// <summary>
    /// Writes x_{t+1} into <paramref name="next"/> from x_t = <paramref name="global"/> and
    /// Δ_t = <paramref name="pseudoGradient"/>, and advances the optimizer state. Allocation-free.
    /// Published versions are immutable, so <paramref name="next"/> is a fresh buffer: it must not
    /// overlap either input (it may be used as scratch).
    /// </summary>
    void Step(ReadOnlySpan<float> global, ReadOnlySpan<float> pseudoGradient, Span<float> next);

    /// <summary>A copy of the optimizer state (t, m, v) for snapshots; allocates.</summary>
    ServerOptimizerState State { get; }

    /// <summary>Replaces the state with a copy of <paramref name="state"/>; the next step continues bit-identically.</summary>
    /// <exception cref="ArgumentException">The state belongs to another optimizer or dimension.</exception>
    void Restore(ServerOptimizerState state);
}

/// <summary>
/// A server optimizer's state. The arrays are copies owned by the record; treat them as read-only.
/// </summary>
/// <param name="Optimizer">The <see cref="IServerOptimizer.Name"/> it came from.</param>
/// <param name="Steps">t, server steps taken.</param>
/// <param name="M">m_t, the first moment (momentum buffer of FedAvgM and FedAdam/Yogi/Adagrad); null for SGD.</param>
/// <param name="V">v_t, the second moment of FedAdam/Yogi/Adagrad; null otherwise.</param>
public sealed record ServerOptimizerState(string Optimizer, long Steps, float[]? M, float[]? V);

internal static class StepArguments
{
    public static void Check(int dimension, ReadOnlySpan<float> global, ReadOnlySpan<float> pseudoGradient, Span<float> next)
    {
        Vectors.RequireSameLength(dimension, global.Length, nameof(global));
        Vectors.RequireSameLength(dimension, pseudoGradient.Length, nameof(pseudoGradient));
        Vectors.RequireSameLength(dimension, next.Length, nameof(next));
        Vectors.RequireNoOverlap(next, global, nameof(next), nameof(global));
        Vectors.RequireNoOverlap(next, pseudoGradient, nameof(next), nameof(pseudoGradient));
    }

    public static void CheckState(ServerOptimizerState state, string name, int dimension, bool hasM, bool hasV)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Optimizer != name)
            throw new ArgumentException($"state of optimizer '{state.Optimizer}' cannot restore '{name}'", nameof(state));
        if (state.Steps < 0)
            throw new ArgumentException($"state has {state.Steps} steps; must be ≥ 0", nameof(state));
        CheckMoment(state.M, hasM, "m", dimension);
        CheckMoment(state.V, hasV, "v", dimension);
    }

    private static void CheckMoment(float[]? moment, bool expected, string symbol, int dimension)
    {
        if (!expected && moment is not null)
            throw new ArgumentException($"state has {symbol} but the optimizer keeps none", "state");
        if (expected && moment?.Length != dimension)
            throw new ArgumentException($"state {symbol} has {moment?.Length.ToString() ?? "no"} values, expected {dimension}", "state");
    }

    public static float Positive(double value, string name, string symbol)
    {
        if (!double.IsFinite(value) || value <= 0)
            throw new ArgumentOutOfRangeException(name, value, $"{symbol} must be finite and > 0");
        return (float)value;
    }

    public static float UnitInterval(double value, string name, string symbol)
    {
        if (!(value >= 0 && value < 1))
            throw new ArgumentOutOfRangeException(name, value, $"{symbol} must be in [0, 1)");
        return (float)value;
    }
}
