namespace FedActors.Actors.Aggregation;

/// <summary>
/// FedYogi (Reddi et al., ICLR 2021, "Adaptive Federated Optimization", Algorithm 2: Yogi (Zaheer et al. 2018) as ServerOpt):
/// m_t = β1·m_{t−1} + (1 − β1)·Δ_t; v_t = v_{t−1} − (1 − β2)·Δ_t²·sign(v_{t−1} − Δ_t²); x_{t+1} = x_t + η·m_t / (√v_t + τ).
/// No bias correction, v_{−1} = τ² unless <c>initialV</c> says otherwise (Flower uses 0).
/// </summary>
public sealed class FedYogi : IServerOptimizer
{
    private readonly AdaptiveMoments _moments;

    /// <summary>Creates FedYogi.</summary>
    /// <param name="dimension">Length of the weight vectors.</param>
    /// <param name="eta">η, the server learning rate; &gt; 0.</param>
    /// <param name="beta1">β1, the first-moment decay; in [0, 1).</param>
    /// <param name="beta2">β2, the second-moment decay; in [0, 1).</param>
    /// <param name="tau">τ, the degree of adaptivity (added to √v); &gt; 0.</param>
    /// <param name="initialV">v_{−1}; null means τ², the paper's least value.</param>
    public FedYogi(int dimension, double eta, double beta1 = 0.9, double beta2 = 0.99, double tau = 1e-3, double? initialV = null)
    {
        Beta2 = StepArguments.UnitInterval(beta2, nameof(beta2), "β2 (second-moment decay)");
        _moments = new AdaptiveMoments("fedyogi", dimension, eta, beta1, tau, initialV);
    }

    /// <summary>η, the server learning rate.</summary>
    public float Eta => _moments.Eta;

    /// <summary>β1, the first-moment decay.</summary>
    public float Beta1 => _moments.Beta1;

    /// <summary>β2, the second-moment decay.</summary>
    public float Beta2 { get; }

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
        _moments.Step(global, pseudoGradient, next, SecondMomentRule.Yogi, Beta2);

    /// <inheritdoc />
    public ServerOptimizerState State => _moments.Export();

    /// <inheritdoc />
    public void Restore(ServerOptimizerState state) => _moments.Restore(state);
}
