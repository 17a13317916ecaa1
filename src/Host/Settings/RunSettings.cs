using Akka.Configuration;
using FedActors.Host.Configuration;

namespace FedActors.Host.Settings;

/// <summary>When a run stops and how often it is evaluated (<c>fedactors.run.*</c>).</summary>
public sealed record RunSettings
{
    private RunSettings() { }

    /// <summary>Stop after this many server steps. <value>Default 1000.</value></summary>
    public int MaxServerSteps { get; init; }

    /// <summary>Test accuracy that counts as reached for the <c>*_to_target</c> summary keys; null disables it. <value>Default 0.85.</value></summary>
    public double? TargetAccuracy { get; init; }

    /// <summary>Evaluate the global model every this many server steps. <value>Default 10.</value></summary>
    public int EvalEverySteps { get; init; }

    /// <summary>Reads and validates <c>fedactors.run</c>.</summary>
    public static RunSettings Create(Config config)
    {
        var r = new ConfigReader(config, "fedactors.run");
        return new RunSettings
        {
            MaxServerSteps = r.PositiveInt("max-server-steps"),
            TargetAccuracy = r.NullableProbability("target-accuracy"),
            EvalEverySteps = r.PositiveInt("eval-every-steps"),
        };
    }
}
