using FedActors.Actors.Aggregation;

namespace FedActors.Actors.Privacy;

/// <summary>The settings of <see cref="CentralDp"/>, from <c>fedactors.privacy</c> with <c>mode = central</c>.</summary>
/// <param name="ClipNorm">C, positive.</param>
/// <param name="NoiseMultiplier">z ≥ 0: the noise's standard deviation over C.</param>
/// <param name="Staleness">The run's staleness weight s(τ), whose values above 1 the clip divides out.</param>
/// <param name="Seed">The run's seed, from which each step's noise is drawn.</param>
public sealed record CentralDpSettings(double ClipNorm, double NoiseMultiplier, IStalenessWeight Staleness, ulong Seed) : IStrategyWrapperSettings
{
    /// <summary>
    /// Noise from the operating system's cryptographic source instead of the seeded stream: nobody holding the seed can
    /// reproduce it, and a resumed run does not repeat the uninterrupted one's model.
    /// </summary>
    public bool SecureNoise { get; init; }

    /// <summary>
    /// What the inner strategy divides each step's sum by when that is fixed in advance (a Poisson round's expected size,
    /// <see cref="UpdateBufferOptions.FixedDivisor"/>); null: the updates it took.
    /// </summary>
    public double? FixedDivisor { get; init; }

    /// <summary>Adaptive clipping, with <see cref="ClipNorm"/> its starting point; null keeps C fixed.</summary>
    public AdaptiveClipping? Adaptive { get; init; }

    /// <summary>The wrapper's name.</summary>
    public const string WrapperName = "central-dp";

    /// <inheritdoc />
    public string Name => WrapperName;

    /// <inheritdoc />
    public IAggregationStrategy Wrap(IAggregationStrategy inner, int dimension) => new CentralDp(inner, this);
}
