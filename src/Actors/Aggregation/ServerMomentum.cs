using System.Numerics.Tensors;

namespace FedActors.Actors.Aggregation;

/// <summary>
/// FedAvgM (Hsu et al. 2019, "Measuring the Effects of Non-Identical Data Distribution for Federated
/// Visual Classification"): server momentum m_t = β·m_{t−1} + Δ_t, x_{t+1} = x_t + η·m_t, m_{−1} = 0.
/// </summary>
public sealed class ServerMomentum : IServerOptimizer
{
    private readonly float[] _m;
    private long _steps;

    /// <summary>Creates FedAvgM.</summary>
    /// <param name="dimension">Length of the weight vectors.</param>
    /// <param name="eta">η, the server learning rate; &gt; 0.</param>
    /// <param name="beta">β, the server momentum; in [0, 1).</param>
    public ServerMomentum(int dimension, double eta, double beta)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        Eta = StepArguments.Positive(eta, nameof(eta), "η (server learning rate)");
        Beta = StepArguments.UnitInterval(beta, nameof(beta), "β (server momentum)");
        _m = new float[dimension];
    }

    /// <summary>η, the server learning rate.</summary>
    public float Eta { get; }

    /// <summary>β, the server momentum.</summary>
    public float Beta { get; }

    /// <inheritdoc />
    public string Name => "fedavgm";

    /// <inheritdoc />
    public int Dimension => _m.Length;

    /// <inheritdoc />
    public void Step(ReadOnlySpan<float> global, ReadOnlySpan<float> pseudoGradient, Span<float> next)
    {
        StepArguments.Check(Dimension, global, pseudoGradient, next);
        TensorPrimitives.MultiplyAdd(_m, Beta, pseudoGradient, _m);
        TensorPrimitives.MultiplyAdd(_m, Eta, global, next);
        _steps++;
    }

    /// <inheritdoc />
    public ServerOptimizerState State => new(Name, _steps, (float[])_m.Clone(), null);

    /// <inheritdoc />
    public void Restore(ServerOptimizerState state)
    {
        StepArguments.CheckState(state, Name, Dimension, hasM: true, hasV: false);
        state.M!.CopyTo(_m, 0);
        _steps = state.Steps;
    }
}
