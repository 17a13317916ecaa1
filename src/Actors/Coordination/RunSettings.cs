using Akka.Configuration;
using FedActors.Actors.Attacks;
using FedActors.Actors.Compression;
using FedActors.Actors.Configuration;
using FedActors.Actors.Privacy;
using FedActors.Actors.Updates;
using FedActors.Training.LocalTraining;
using FedActors.Training.Models;

namespace FedActors.Actors.Coordination;

/// <summary>How long a run lasts and how it is measured (<c>fedactors.seed</c>, <c>fedactors.run.*</c>), plus the local training options.</summary>
public sealed record RunSettings
{
    private RunSettings() { }

    /// <summary>Master seed: the bits of <c>fedactors.seed</c>, a signed 64-bit integer. <value>Default 42.</value></summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>The run ends after this many server steps. <value>Default 1000.</value></summary>
    public int MaxServerSteps { get; init; } = 1000;

    /// <summary>Evaluate every this many server steps (and at step 0 and at the end). <value>Default 10.</value></summary>
    public int EvalEverySteps { get; init; } = 10;

    /// <summary>Accuracy that counts as reached; null disables target tracking. <value>Default 0.85.</value></summary>
    public double? TargetAccuracy { get; init; } = 0.85;

    /// <summary>
    /// End the run (completed) at the first evaluation that reaches <see cref="TargetAccuracy"/>. Under the
    /// virtual clock the coordinator then waits for each evaluation before applying further results, so the
    /// run ends at exactly the evaluated step whatever the real timing. <value>Default false.</value>
    /// </summary>
    public bool StopAtTarget { get; init; }

    /// <summary>Config name of the model (<c>fedactors.model.name</c>). <value>Default simple-cnn.</value></summary>
    public string ModelName { get; init; } = "simple-cnn";

    /// <summary>Local training (<c>fedactors.client.*</c>).</summary>
    public LocalTrainingOptions Client { get; init; } = new();

    /// <summary>
    /// The client update pipeline: the transforms of <c>fedactors.client.transforms</c>, then the uplink codecs of
    /// <see cref="Compression"/>. <value>Default none: Δ is sent as it is.</value>
    /// </summary>
    public UpdatePipelineSettings Transforms { get; init; } = UpdatePipelineSettings.Identity;

    /// <summary>A simulated attack (<c>fedactors.attack</c>), whose transform runs after the client transforms and before the codecs. <value>Default none.</value></summary>
    public AttackSettings Attack { get; init; } = AttackSettings.None;

    /// <summary>Client-level differential privacy (<c>fedactors.privacy</c>). <value>Default none.</value></summary>
    public PrivacySettings Privacy { get; init; } = PrivacySettings.Default;

    /// <summary>Communication compression (<c>fedactors.compression</c>), whose codecs end <see cref="Transforms"/>. <value>Default none.</value></summary>
    public CompressionSettings Compression { get; init; } = CompressionSettings.None;

    /// <summary>
    /// The value count of each of the model's parameter tensors, for transforms that work layer by layer (per-layer
    /// top-k); filled from the model when a run is set up, empty when no transform needs it. Not read from the config.
    /// </summary>
    public ValueList<int> LayerSizes { get; init; } = ValueList<int>.Empty;

    /// <summary>Defaults, as in reference.conf.</summary>
    public static RunSettings Default { get; } = new();

    /// <summary>
    /// Reads and validates <c>fedactors.seed</c>, <c>fedactors.run</c>, <c>fedactors.model.name</c>, <c>fedactors.client</c>
    /// (the update pipeline's transforms from <paramref name="transforms"/>, the built-in ones by default) and
    /// <c>fedactors.compression</c>.
    /// </summary>
    /// <remarks>The seed is a signed 64-bit integer, read exactly; a negative one keeps its bits as <see cref="Seed"/>.</remarks>
    public static RunSettings Create(Config config, TransformCatalog? transforms = null)
    {
        var seed = new ConfigReader(config, "fedactors").Long("seed");
        var c = new ConfigReader(config, "fedactors.run");
        var maxServerSteps = c.Int("max-server-steps", min: 1);
        var targetAccuracy = c.OptionalDouble("target-accuracy", min: 0, max: 1);
        var evalEverySteps = c.Int("eval-every-steps", min: 1);
        var stopAtTarget = c.Bool("stop-at-target");
        var modelName = new ConfigReader(config, "fedactors.model").OneOf("name", ModelCatalog.Names);
        var client = new ConfigReader(config, "fedactors.client");
        LocalTrainingOptions options;
        try
        {
            options = new LocalTrainingOptions
            {
                Epochs = client.Int("local-epochs", min: 1),
                BatchSize = client.Int("batch-size", min: 1),
                LearningRate = client.Double("lr", minExclusive: 0),
                Momentum = client.Double("momentum", min: 0, maxExclusive: 1),
                WeightDecay = client.Double("weight-decay", min: 0),
                ProximalMu = client.Double("proximal-mu", min: 0),
                MaxSteps = client.OptionalInt("local-steps", min: 1),
            }.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new ConfigurationException(e.Message);
        }
        var compression = CompressionSettings.Create(config);
        var privacy = PrivacySettings.Create(config);
        var attack = AttackSettings.Create(config, unchecked((ulong)seed));
        UpdatePipelineSettings pipeline;
        try
        {
            pipeline = UpdatePipelineSettings.Create(config, transforms ?? TransformCatalog.BuiltIn)
                // Honest clients noise their own update; an attacker then replaces what leaves.
                .Then(privacy.LocalTransform is { } local ? [local] : [])
                .Then(attack.PoisonsUpdates ? [attack] : [])
                .Then(compression.Transforms);
        }
        catch (ArgumentException e)
        {
            throw new ConfigurationException($"fedactors.client.transforms with fedactors.compression.uplink: {e.Message}");
        }
        return new RunSettings
        {
            Seed = unchecked((ulong)seed),
            MaxServerSteps = maxServerSteps,
            EvalEverySteps = evalEverySteps,
            TargetAccuracy = targetAccuracy,
            StopAtTarget = stopAtTarget,
            ModelName = modelName,
            Client = options,
            Transforms = pipeline,
            Compression = compression,
            Privacy = privacy,
            Attack = attack,
        };
    }
}
