using FedActors.Actors.Updates;

namespace FedActors.Actors.Privacy;

/// <summary>The settings of <see cref="LocalDp"/>, from <c>fedactors.privacy</c> with <c>mode = local</c>.</summary>
/// <param name="ClipNorm">C, positive.</param>
/// <param name="NoiseMultiplier">z ≥ 0: the noise's standard deviation over C, per coordinate.</param>
public sealed record LocalDpSettings(double ClipNorm, double NoiseMultiplier) : IUpdateTransformSettings
{
    /// <summary>The transform's name in the update pipeline.</summary>
    public const string TransformName = "local-dp";

    /// <summary>Noise from the operating system's cryptographic source instead of the (seed, job) stream.</summary>
    public bool SecureNoise { get; init; }

    /// <inheritdoc />
    public string Name => TransformName;

    /// <inheritdoc />
    public IUpdateTransform Create() => new LocalDp(this);
}
