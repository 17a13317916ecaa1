using Akka.Configuration;
using FedActors.Host.Configuration;
using FedActors.Training.LocalTraining;

namespace FedActors.Host.Settings;

/// <summary>Local training on each client (<c>fedactors.client.*</c>).</summary>
public sealed record ClientSettings
{
    private ClientSettings() { }

    /// <summary>Local epochs E per job. <value>Default 1.</value></summary>
    public int LocalEpochs { get; init; }

    /// <summary>Minibatch size B. <value>Default 32.</value></summary>
    public int BatchSize { get; init; }

    /// <summary>Local learning rate η_l. <value>Default 0.05.</value></summary>
    public double LearningRate { get; init; }

    /// <summary>SGD momentum in [0, 1). <value>Default 0.</value></summary>
    public double Momentum { get; init; }

    /// <summary>L2 weight decay. <value>Default 0.</value></summary>
    public double WeightDecay { get; init; }

    /// <summary>FedProx proximal coefficient μ; 0 disables it. <value>Default 0.</value></summary>
    public double ProximalMu { get; init; }

    /// <summary>Reads and validates <c>fedactors.client</c>.</summary>
    public static ClientSettings Create(Config config)
    {
        var r = new ConfigReader(config, "fedactors.client");
        return new ClientSettings
        {
            LocalEpochs = r.PositiveInt("local-epochs"),
            BatchSize = r.PositiveInt("batch-size"),
            LearningRate = r.PositiveDouble("lr"),
            Momentum = r.DoubleInRange("momentum", 0, 1, maxInclusive: false),
            WeightDecay = r.NonNegativeDouble("weight-decay"),
            ProximalMu = r.NonNegativeDouble("proximal-mu"),
        };
    }

    /// <summary>The training core's options for these settings.</summary>
    public LocalTrainingOptions ToLocalTrainingOptions() => new()
    {
        Epochs = LocalEpochs,
        BatchSize = BatchSize,
        LearningRate = LearningRate,
        Momentum = Momentum,
        WeightDecay = WeightDecay,
        ProximalMu = ProximalMu,
    };
}
