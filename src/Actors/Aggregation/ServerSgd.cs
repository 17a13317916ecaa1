using System.Numerics.Tensors;

namespace FedActors.Actors.Aggregation;

/// <summary>
/// Server SGD: x_{t+1} = x_t + η·Δ_t (Reddi et al. 2021, FedOpt with SGD as ServerOpt). With η = 1 and
/// Δ the sample-weighted mean of client deltas this is FedAvg (McMahan et al. 2017).
/// </summary>
public sealed class ServerSgd : IServerOptimizer
{
    private long _steps;

    /// <summary>Creates server SGD.</summary>
    /// <param name="dimension">Length of the weight vectors.</param>
    /// <param name="eta">η, the server learning rate; &gt; 0 (1 for FedAvg).</param>
    public ServerSgd(int dimension, double eta = 1.0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        Dimension = dimension;
        Eta = StepArguments.Positive(eta, nameof(eta), "η (server learning rate)");
    }

    /// <summary>η, the server learning rate.</summary>
    public float Eta { get; }

    /// <inheritdoc />
    public string Name => "sgd";

    /// <inheritdoc />
    public int Dimension { get; }

    /// <inheritdoc />
    public void Step(ReadOnlySpan<float> global, ReadOnlySpan<float> pseudoGradient, Span<float> next)
    {
        StepArguments.Check(Dimension, global, pseudoGradient, next);
        TensorPrimitives.MultiplyAdd(pseudoGradient, Eta, global, next);
        _steps++;
    }

    /// <inheritdoc />
    public ServerOptimizerState State => new(Name, _steps, null, null);

    /// <inheritdoc />
    public void Restore(ServerOptimizerState state)
    {
        StepArguments.CheckState(state, Name, Dimension, hasM: false, hasV: false);
        _steps = state.Steps;
    }
}
