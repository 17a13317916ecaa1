namespace FedActors.Training.LocalTraining;

/// <summary>How a client trains locally (<c>fedactors.client.*</c>).</summary>
public sealed record LocalTrainingOptions
{
    /// <summary>Local epochs E over the client's data. <value>Default 1.</value></summary>
    public int Epochs { get; init; } = 1;

    /// <summary>Minibatch size B. <value>Default 32.</value></summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Local learning rate η_l. <value>Default 0.05.</value></summary>
    public double LearningRate { get; init; } = 0.05;

    /// <summary>SGD momentum (PyTorch convention, no dampening). <value>Default 0.</value></summary>
    public double Momentum { get; init; }

    /// <summary>L2 weight decay added to the gradient. <value>Default 0.</value></summary>
    public double WeightDecay { get; init; }

    /// <summary>
    /// FedProx proximal coefficient μ (Li et al., MLSys 2020): the local loss gains μ/2·‖w − w_global‖².
    /// <value>Default 0 (plain FedAvg local SGD).</value>
    /// </summary>
    public double ProximalMu { get; init; }

    /// <summary>
    /// Most optimizer steps one local training takes (over all its epochs); null trains every batch of every epoch.
    /// A fixed number of local steps K instead of epochs is how FedBuff (Nguyen et al. 2022) and SCAFFOLD
    /// (Karimireddy et al. 2020) set local work; here it caps the epochs. <value>Default null (no cap).</value>
    /// </summary>
    public int? MaxSteps { get; init; }

    /// <summary>Optimizer steps a training over <paramref name="samples"/> samples takes: E·⌈n/B⌉, capped at <see cref="MaxSteps"/>.</summary>
    public int StepsFor(int samples)
    {
        long steps = (long)Epochs * ((samples + (long)BatchSize - 1) / BatchSize);
        if (MaxSteps is int cap) steps = Math.Min(steps, cap);
        return (int)Math.Min(steps, int.MaxValue);
    }

    /// <summary>Throws when a value is out of range, naming the config key.</summary>
    public LocalTrainingOptions Validate()
    {
        if (Epochs < 1) throw new ArgumentOutOfRangeException(nameof(Epochs), $"fedactors.client.local-epochs must be ≥ 1, got {Epochs}");
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), $"fedactors.client.batch-size must be ≥ 1, got {BatchSize}");
        if (!(LearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(LearningRate), $"fedactors.client.lr must be > 0, got {LearningRate}");
        if (Momentum is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(Momentum), $"fedactors.client.momentum must be in [0, 1), got {Momentum}");
        if (WeightDecay < 0) throw new ArgumentOutOfRangeException(nameof(WeightDecay), $"fedactors.client.weight-decay must be ≥ 0, got {WeightDecay}");
        if (ProximalMu < 0) throw new ArgumentOutOfRangeException(nameof(ProximalMu), $"fedactors.client.proximal-mu must be ≥ 0, got {ProximalMu}");
        if (MaxSteps < 1) throw new ArgumentOutOfRangeException(nameof(MaxSteps), $"fedactors.client.local-steps must be ≥ 1 or null, got {MaxSteps}");
        return this;
    }
}

/// <summary>What one local training produced, besides the update itself.</summary>
/// <param name="Samples">Samples processed (epochs × client samples, fewer when <see cref="LocalTrainingOptions.MaxSteps"/> cut the training short).</param>
/// <param name="Steps">Optimizer steps taken.</param>
/// <param name="MeanLoss">Mean training loss over all processed samples.</param>
/// <param name="UpdateNorm">L2 norm of the update Δ = w_local − w_global.</param>
/// <param name="ComputeSeconds">Real seconds spent training (excludes waiting for a trainer).</param>
public sealed record LocalTrainingStats(long Samples, int Steps, double MeanLoss, double UpdateNorm, double ComputeSeconds);
