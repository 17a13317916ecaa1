namespace FedActors.Actors.Aggregation;

/// <summary>
/// FedAdagrad (Reddi et al., ICLR 2021, "Adaptive Federated Optimization", Algorithm 2: Adagrad as
/// ServerOpt): m_t = β1·m_{t−1} + (1 − β1)·Δ_t; v_t = v_{t−1} + Δ_t²; x_{t+1} = x_t + η·m_t / (√v_t + τ).
/// No bias correction, v_{−1} = τ² unless <c>initialV</c> says otherwise (Flower uses 0).
/// </summary>
public sealed class FedAdagrad : IServerOptimizer
{
    private readonly AdaptiveMoments _moments;

    /// <summary>Creates FedAdagrad.</summary>
    /// <param name="dimension">Length of the weight vectors.</param>
    /// <param name="eta">η, the server learning rate; &gt; 0.</param>
    /// <param name="beta1">β1, the first-moment decay; in [0, 1). The paper notes β1 = 0 is plain Adagrad.</param>
    /// <param name="tau">τ, the degree of adaptivity (added to √v); &gt; 0.</param>
    /// <param name="initialV">v_{−1}; null means τ², the paper's least value.</param>
    public FedAdagrad(int dimension, double eta, double beta1 = 0.0, double tau = 1e-3, double? initialV = null) =>
        _moments = new AdaptiveMoments("fedadagrad", dimension, eta, beta1, tau, initialV);

    /// <summary>η, the server learning rate.</summary>
    public float Eta => _moments.Eta;

    /// <summary>β1, the first-moment decay.</summary>
    public float Beta1 => _moments.Beta1;

    /// <summary>τ, the degree of adaptivity.</summary>
    public float Tau => _moments.Tau;

    /// <summary>v_{−1}, the initial second moment.</summary>
    public float InitialV => _moments.InitialV;

    /// <inheritdoc />
    public string Name => _moments.Name;

    /// <inheritdoc />
    public int Dimension => _moments.Dimension;

    /// <inheritdoc />
    public void Step(ReadOnlySpan<float> global, ReadOnlySpan<float> pseudoGradient, Span<float> next) =>
        _moments.Step(global, pseudoGradient, next, SecondMomentRule.Adagrad, beta2: 0f);

    /// <inheritdoc />
    public ServerOptimizerState State => _moments.Export();

    /// <inheritdoc />
    public void Restore(ServerOptimizerState state) => _moments.Restore(state);
}
