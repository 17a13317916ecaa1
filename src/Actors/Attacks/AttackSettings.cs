using System.Globalization;
using Akka.Configuration;
using FedActors.Actors.Configuration;
using FedActors.Actors.Updates;

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
}

/// <summary>
/// A simulated attack (<c>fedactors.attack</c>): which clients are malicious (a fraction of the population, drawn from the
/// run's seed) and what they send. The attack is a client-side update transform that runs after the client transforms
/// and before the compression codecs, as an attacker controls its own device.
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

    /// <summary>The run's seed, from which the malicious clients are drawn.</summary>
    public ulong Seed { get; init; }

    /// <summary>The population's size.</summary>
    public int Clients { get; init; }

    /// <summary>No attack, as in reference.conf.</summary>
    public static AttackSettings None { get; } = new();

    /// <summary>The attack's name in outputs: <c>sign-flip</c>, <c>scaling</c>, <c>gaussian-noise</c>, or <c>none</c>.</summary>
    public string KindName => Kind switch
    {
        AttackKind.SignFlip => "sign-flip",
        AttackKind.Scaling => "scaling",
        AttackKind.GaussianNoise => "gaussian-noise",
        _ => "none",
    };

    /// <summary>The name of the transform in the update pipeline.</summary>
    public string TransformName => $"attack-{KindName}";

    /// <inheritdoc />
    string IUpdateTransformSettings.Name => TransformName;

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
        _ => throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"valid values are none, sign-flip, scaling, gaussian-noise")),
    };
}
