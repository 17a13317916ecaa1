using Akka.Configuration;
using FedActors.Actors.Configuration;
using FedActors.Actors.Population;
using FedActors.Actors.Updates;
using FedActors.Training.Data;

namespace FedActors.Actors.Attacks;

/// <summary>The simulated attacks of <c>fedactors.attack.kind</c>.</summary>
public enum AttackKind
{
    /// <summary>Nobody attacks.</summary>
    None,

    /// <summary>Malicious clients send −s·Δ.</summary>
    SignFlip,

    /// <summary>Malicious clients send s·Δ (a boosted update, model replacement).</summary>
    Scaling,

    /// <summary>Malicious clients send N(0, σ²) noise instead of Δ.</summary>
    GaussianNoise,

    /// <summary>Malicious clients train on their data with every label y replaced by C − 1 − y (data poisoning).</summary>
    LabelFlip,

    /// <summary>
    /// Malicious clients train on their data with a share of it stamped with a pixel-pattern trigger and relabeled to the
    /// target label, then boost the update by s (model replacement, Bagdasaryan et al. 2020).
    /// </summary>
    Backdoor,

    /// <summary>
    /// "A little is enough" (Baruch et al. 2019): colluding malicious clients send μ − z·σ, the coordinate-wise mean and
    /// standard deviation of the honest updates they aggregate with.
    /// </summary>
    LittleIsEnough,

    /// <summary>Inner-product manipulation (Xie et al. 2020): colluding malicious clients send −ε·μ, μ the honest updates' mean.</summary>
    InnerProduct,
}

/// <summary>
/// A simulated attack (<c>fedactors.attack</c>): which clients are malicious (a fraction of the population, drawn from the
/// run's seed) and what they do: poison the data they train on (<see cref="PoisonsData"/>), replace the update they send
/// with a client-side transform after the client transforms and before the codecs (<see cref="PoisonsUpdates"/>), or
/// craft it from the honest updates of their buffer (<see cref="CraftsFromBuffer"/>).
/// </summary>
public sealed record AttackSettings : IUpdateTransformSettings
{
    private const string Section = "fedactors.attack";

    /// <summary>What malicious clients do. <value>Default none.</value></summary>
    public AttackKind Kind { get; init; }

    /// <summary>The fraction of the population that is malicious. <value>Default 0.1.</value></summary>
    public double Fraction { get; init; } = 0.1;

    /// <summary>s of sign-flip and scaling. <value>Default 10.</value></summary>
    public double Scale { get; init; } = 10;

    /// <summary>σ of gaussian-noise. <value>Default 1.</value></summary>
    public double Sigma { get; init; } = 1;

    /// <summary>The backdoor's target label. <value>Default 0.</value></summary>
    public int TargetLabel { get; init; }

    /// <summary>The share of a backdoor client's samples that carry the trigger. <value>Default 0.5.</value></summary>
    public double PoisonFraction { get; init; } = 0.5;

    /// <summary>
    /// z of little-is-enough; null takes Baruch et al.'s z_max for the buffer (the largest z for which the crafted update
    /// still has enough honest updates farther from the mean). <value>Default null.</value>
    /// </summary>
    public double? Z { get; init; }

    /// <summary>ε of inner-product manipulation. <value>Default 0.5.</value></summary>
    public double Epsilon { get; init; } = 0.5;

    /// <summary>
    /// Malicious clients' virtual training durations are multiplied by this (below 1: they send fast, with little staleness).
    /// <value>Default 1.</value>
    /// </summary>
    public double DurationFactor { get; init; } = 1;

    /// <summary>The run's seed, from which the malicious clients are drawn.</summary>
    public ulong Seed { get; init; }

    /// <summary>The population's size.</summary>
    public int Clients { get; init; }

    /// <summary>No attack, as in reference.conf.</summary>
    public static AttackSettings None { get; } = new();

    /// <summary>The attack's name in outputs, as <c>kind</c> spells it.</summary>
    public string KindName => Kind switch
    {
        AttackKind.SignFlip => "sign-flip",
        AttackKind.Scaling => "scaling",
        AttackKind.GaussianNoise => "gaussian-noise",
        AttackKind.LabelFlip => "label-flip",
        AttackKind.Backdoor => "backdoor",
        AttackKind.LittleIsEnough => "little-is-enough",
        AttackKind.InnerProduct => "ipm",
        _ => "none",
    };

    /// <summary>Whether malicious clients change the update they send (the client-side transform).</summary>
    public bool PoisonsUpdates => Kind is AttackKind.SignFlip or AttackKind.Scaling or AttackKind.GaussianNoise or AttackKind.Backdoor;

    /// <summary>Whether malicious clients train on poisoned data.</summary>
    public bool PoisonsData => Kind is AttackKind.LabelFlip or AttackKind.Backdoor;

    /// <summary>Whether evaluations also measure the backdoor accuracy (a backdoor is simulated).</summary>
    public bool EvaluatesBackdoor => Kind == AttackKind.Backdoor;

    /// <summary>Whether the attack crafts malicious updates from the honest ones of the same buffer.</summary>
    public bool CraftsFromBuffer => Kind is AttackKind.LittleIsEnough or AttackKind.InnerProduct;

    /// <summary>The name of the transform in the update pipeline.</summary>
    public string TransformName => $"attack-{KindName}";

    /// <inheritdoc />
    string IUpdateTransformSettings.Name => TransformName;

    /// <summary>
    /// The triggered test set a backdoor run evaluates beside <paramref name="testSet"/> (<see cref="BackdoorTrigger.TestSet"/>);
    /// null for any other attack.
    /// </summary>
    /// <exception cref="ArgumentException">The test set's samples are not images the trigger fits on, or the target is not a class.</exception>
    public LabeledDataset? BackdoorTestSet(LabeledDataset testSet) =>
        EvaluatesBackdoor ? BackdoorTrigger.For(testSet, TargetLabel).TestSet(testSet) : null;

    /// <summary>
    /// <paramref name="population"/> with the malicious clients' training data poisoned (<see cref="PoisonedClientData"/>),
    /// or <paramref name="population"/> itself when the attack does not poison data; <paramref name="pooled"/> is the
    /// training set the backdoor's trigger takes its brightest value from.
    /// </summary>
    /// <exception cref="ArgumentException">A backdoor on samples that are not images the trigger fits on, or a target that is not a class.</exception>
    public IClientDataSource PoisonData(IClientDataSource population, LabeledDataset pooled) =>
        PoisonsData ? new PoisonedClientData(population, this, Kind == AttackKind.Backdoor ? BackdoorTrigger.For(pooled, TargetLabel) : null) : population;

    /// <summary>The malicious clients of this run.</summary>
    public MaliciousClients Malicious() => MaliciousClients.Draw(Seed, Clients, Kind == AttackKind.None ? 0 : Fraction);

    /// <inheritdoc />
    public IUpdateTransform Create() => new ModelPoisoning(this, Malicious());

    /// <summary>Reads <c>fedactors.attack</c>, with the seed and population size it draws the malicious clients from.</summary>
    /// <exception cref="ConfigurationException">An unknown kind or a value out of range.</exception>
    public static AttackSettings Create(Config config, ulong seed)
    {
        var c = new ConfigReader(config, Section);
        var kind = c.Enum("kind", Parse);
        var fraction = c.Double("fraction", min: 0, max: 1);
        return new AttackSettings
        {
            Kind = kind,
            Fraction = fraction,
            Scale = c.Double("scale", minExclusive: 0),
            Sigma = c.Double("sigma", minExclusive: 0),
            TargetLabel = c.Int("target-label", min: 0),
            PoisonFraction = c.Double("poison-fraction", minExclusive: 0, max: 1),
            Z = c.OptionalDouble("z", min: 0),
            Epsilon = c.Double("epsilon", minExclusive: 0),
            DurationFactor = c.Double("duration-factor", minExclusive: 0),
            Seed = seed,
            Clients = new ConfigReader(config, "fedactors.population").Int("clients", min: 1),
        };
    }

    private static AttackKind Parse(string name) => name switch
    {
        "none" => AttackKind.None,
        "sign-flip" => AttackKind.SignFlip,
        "scaling" => AttackKind.Scaling,
        "gaussian-noise" => AttackKind.GaussianNoise,
        "label-flip" => AttackKind.LabelFlip,
        "backdoor" => AttackKind.Backdoor,
        "little-is-enough" => AttackKind.LittleIsEnough,
        "ipm" => AttackKind.InnerProduct,
        _ => throw new FormatException("valid values are none, sign-flip, scaling, gaussian-noise, label-flip, backdoor, little-is-enough, ipm"),
    };
}
