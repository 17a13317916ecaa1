using System.Numerics.Tensors;
using FedActors.Actors.Updates;
using FedActors.Training;

namespace FedActors.Actors.Privacy;

/// <summary>
/// Local differential privacy: each client clips its own update to L2 norm C and adds Gaussian noise of standard
/// deviation z·C to every coordinate before the update leaves, so that the server (or anyone on the wire) sees only
/// a noised update. Whatever the server does with it afterwards (weighting, robust combiners, staleness) is
/// post-processing and costs no privacy.
/// </summary>
/// <remarks>
/// <para>Under local DP two neighbouring inputs are any two updates of one client, so the clipped update's sensitivity
/// is 2C, not the C of central DP's add/remove neighbours: the accountant charges each release as a Gaussian mechanism
/// of noise multiplier z/2 (<see cref="ClientLevelAccounting.For"/>).</para>
/// <para>Seeded noise comes from (run seed, job): a job trained twice (a resumed run) sends the same update, so it is
/// released once. Anyone holding the seed, the server included, can redraw and subtract it, so seeded local noise is for
/// simulation; <see cref="LocalDpSettings.SecureNoise"/> draws it from the operating system's cryptographic source.</para>
/// </remarks>
public sealed class LocalDp : IUpdateTransform
{
    private const ulong NoisePurpose = 0xD1FF_0003;

    private readonly LocalDpSettings _settings;
    private readonly SecureGaussian? _secure;

    /// <summary>A client-side clip-and-noise step with <paramref name="settings"/>.</summary>
    public LocalDp(LocalDpSettings settings)
    {
        _settings = settings ?? throw new ArgumentNullException(nameof(settings));
        _secure = settings.SecureNoise ? new SecureGaussian() : null;
    }

    /// <inheritdoc />
    public string Name => LocalDpSettings.TransformName;

    /// <inheritdoc />
    public UpdatePayload Encode(UpdatePayload update, in TransformContext context)
    {
        var delta = (update as DensePayload ?? throw new InvalidOperationException(
            $"{Name} clips and noises the whole float32 update, not {update.GetType().Name}: it runs before the compression codecs")).Values;
        // The client owns its update: clipped and noised in place.
        double norm = TensorPrimitives.Norm<float>(delta);
        if (!double.IsFinite(norm))
            throw new InvalidOperationException($"{Name}: local training produced a non-finite update (norm {norm}); it cannot be clipped");
        if (norm > _settings.ClipNorm) TensorPrimitives.Multiply(delta, (float)(_settings.ClipNorm / norm), delta);
        double std = _settings.NoiseMultiplier * _settings.ClipNorm;
        if (std == 0) return update;
        if (_secure is { } secure) GaussianNoise.Add(delta, std, secure);
        else GaussianNoise.Add(delta, std, DeterministicRandom.For(context.Seed, unchecked((ulong)context.JobId), NoisePurpose));
        return update;
    }

    /// <inheritdoc />
    public UpdatePayload Decode(UpdatePayload payload, in TransformContext context, DeltaBufferPool? arrays) => payload;
}
