using Akka.Configuration;
using FedActors.Host.Configuration;
using FedActors.Training.Centralized;

namespace FedActors.Host.Settings;

/// <summary>The centralized baseline (<c>fedactors.centralized.*</c>).</summary>
public sealed record CentralizedSettings
{
    private CentralizedSettings() { }

    /// <summary>Epochs over the pooled training set. <value>Default 15.</value></summary>
    public int Epochs { get; init; }

    /// <summary>Minibatch size. <value>Default 64.</value></summary>
    public int BatchSize { get; init; }

    /// <summary>SGD learning rate. <value>Default 0.01.</value></summary>
    public double LearningRate { get; init; }

    /// <summary>SGD momentum in [0, 1). <value>Default 0.9.</value></summary>
    public double Momentum { get; init; }

    /// <summary>L2 weight decay. <value>Default 1e-5.</value></summary>
    public double WeightDecay { get; init; }

    /// <summary>Learning-rate factor per epoch, in (0, 1]. <value>Default 1.0 (constant).</value></summary>
    public double LearningRateDecay { get; init; }

    /// <summary>Evaluate every this many epochs. <value>Default 1.</value></summary>
    public int EvalEveryEpochs { get; init; }

    /// <summary>Reads and validates <c>fedactors.centralized</c>.</summary>
    public static CentralizedSettings Create(Config config)
    {
        var r = new ConfigReader(config, "fedactors.centralized");
        return new CentralizedSettings
        {
            Epochs = r.PositiveInt("epochs"),
            BatchSize = r.PositiveInt("batch-size"),
            LearningRate = r.PositiveDouble("lr"),
            Momentum = r.DoubleInRange("momentum", 0, 1, maxInclusive: false),
            WeightDecay = r.NonNegativeDouble("weight-decay"),
            LearningRateDecay = r.Double("lr-decay", "a number in (0, 1]", v => v is > 0 and <= 1),
            EvalEveryEpochs = r.PositiveInt("eval-every-epochs"),
        };
    }

    /// <summary>The training core's options for these settings.</summary>
    public CentralizedOptions ToOptions() => new()
    {
        Epochs = Epochs,
        Sgd = new() { BatchSize = BatchSize, LearningRate = LearningRate, Momentum = Momentum, WeightDecay = WeightDecay },
        LearningRateDecay = LearningRateDecay,
        EvalEveryEpochs = EvalEveryEpochs,
    };
}
