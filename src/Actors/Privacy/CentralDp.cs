using System.Numerics.Tensors;
using FedActors.Actors.Aggregation;
using FedActors.Training;

namespace FedActors.Actors.Privacy;

/// <summary>
/// Central differential privacy with a trusted aggregator (DP-FedAvg, McMahan et al. 2018; per FedBuff flush as in
/// FLSim): every update is clipped to L2 norm C, so that one client moves a step's sum by at most C, and each step's
/// aggregate gets Gaussian noise of standard deviation z·C on that sum before the server optimizer sees it.
/// </summary>
/// <remarks>
/// <para>The clip is a scale (<see cref="ClientContribution.Scale"/>) of min(1, C/‖Δ‖) divided by max(1, s(τ)): a
/// staleness weight above 1 would otherwise raise a client's part above C. Sample weights and a weighted-mean
/// normalization are refused by the settings, and a client's second update in one step is refused here (its
/// contribution to that step could reach 2C), so every client's share of a step's sum is at most C after every weighting.
/// With uniform weights the inner strategy divides the sum by the n updates it took, so the noise added to its
/// aggregate has standard deviation z·C/n; FedAsync's single update gets z·C, and its mixing weight α·s(τ) ≤ 1 scales
/// noise and contribution alike.</para>
/// <para>With adaptive clipping (<see cref="AdaptiveClipping"/>) C moves after every step toward a quantile of the
/// update norms, the update noise uses z_Δ, and C is checkpointed with the step (<see cref="WrapperState"/>).</para>
/// <para>The noise of step t comes from the run's seed and t alone, so a step replayed after a crash releases the
/// same noise: the accountant charges it once. With <see cref="CentralDpSettings.SecureNoise"/> it comes from the
/// operating system's cryptographic source, and the coordinator journals each step before anything of it leaves (see
/// <see cref="PrivacySettings.WriteAheadSteps"/>), so no step is released twice with different noise.</para>
/// </remarks>
public sealed class CentralDp : StrategyWrapper
{
    private const ulong NoisePurpose = 0xD1FF_0001, CountNoisePurpose = 0xD1FF_0002;

    private readonly CentralDpSettings _settings;
    private readonly double _updateNoiseMultiplier;
    private readonly SecureGaussian? _secure;
    private readonly HashSet<int> _clientsThisStep = [];
    private long _step;
    private double _clip;
    private int _withinClipThisStep;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    public CentralDp(IAggregationStrategy inner, CentralDpSettings settings) : base(inner)
    {
        _settings = settings ?? throw new ArgumentNullException(nameof(settings));
        _clip = settings.ClipNorm;
        _updateNoiseMultiplier = settings.Adaptive?.UpdateNoiseMultiplier(settings.NoiseMultiplier) ?? settings.NoiseMultiplier;
        _secure = settings.SecureNoise ? new SecureGaussian() : null;
    }

    /// <inheritdoc />
    /// <remarks>A Poisson round or cohort steps even when nobody reported: its noise is released whoever took part.</remarks>
    public override Participation Participation => Inner.Participation switch
    {
        Participation.Rounds { Poisson: true } rounds => rounds with { StepsWhenEmpty = true },
        Participation.Cohorts { Poisson: true } cohorts => cohorts with { StepsWhenEmpty = true },
        var other => other,
    };

    /// <summary>C for the updates of the step being formed: fixed, or where adaptive clipping has moved it.</summary>
    public double ClipNorm => _clip;

    /// <summary>Updates whose norm was above C, since the start of this process (for reports).</summary>
    public long Clipped { get; private set; }

    /// <inheritdoc />
    public override void PrepareStep(long serverStep)
    {
        _step = serverStep;
        Inner.PrepareStep(serverStep);
    }

    /// <inheritdoc />
    public override Admission Offer(in ClientContribution update)
    {
        if (_clientsThisStep.Contains(update.ClientId)) return Admission.Rejected("dp_repeat_client");
        double norm = update.Scale * (double)TensorPrimitives.Norm<float>(update.Delta);
        // NaN passes through: the strategy refuses a non-finite update as it would without DP.
        double clip = norm > _clip ? _clip / norm : 1.0;
        double staleness = _settings.Staleness.Weight(update.Staleness);
        if (staleness > 1) clip /= staleness;
        var admission = clip == 1.0 ? Inner.Offer(update) : Inner.Offer(update with { Scale = (float)(update.Scale * clip) });
        if (admission.Kind == AdmissionKind.Accepted)
        {
            _clientsThisStep.Add(update.ClientId);
            if (norm > _clip) Clipped++;
            else _withinClipThisStep++;
        }
        return admission;
    }

    /// <inheritdoc />
    public override AggregateKind Aggregate(ReadOnlySpan<float> current, Span<float> aggregate)
    {
        int taken = Inner.Pending;
        var kind = Inner.Aggregate(current, aggregate);
        if (kind == AggregateKind.None) return kind;
        // The inner strategy divided the sum by the updates it took, or by a Poisson round's expected size.
        double divisor = kind == AggregateKind.PseudoGradient ? _settings.FixedDivisor ?? taken : 1;
        double std = _updateNoiseMultiplier * _clip / divisor;
        if (std > 0)
        {
            if (_secure is { } secure) GaussianNoise.Add(aggregate, std, secure);
            else GaussianNoise.Add(aggregate, std, DeterministicRandom.For(_settings.Seed, unchecked((ulong)_step), NoisePurpose));
        }
        if (_settings.Adaptive is { } adaptive && (taken > 0 || _settings.FixedDivisor is not null))
        {
            double countNoise = _secure?.NextNormal() ?? DeterministicRandom.For(_settings.Seed, unchecked((ulong)_step), CountNoisePurpose).NextNormal();
            double noisedFraction = (_withinClipThisStep + adaptive.CountStdDev * countNoise) / (_settings.FixedDivisor ?? taken);
            _clip = adaptive.Next(_clip, noisedFraction);
        }
        _withinClipThisStep = 0;
        _clientsThisStep.Clear();
        return kind;
    }

    /// <inheritdoc />
    public override WrapperState? WrapperState =>
        _settings.Adaptive is null ? Inner.WrapperState : new WrapperState(CentralDpSettings.WrapperName, [_clip]);

    /// <inheritdoc />
    public override void RestoreWrapper(WrapperState? state)
    {
        if (_settings.Adaptive is null)
        {
            Inner.RestoreWrapper(state);
            return;
        }
        if (state is not { Owner: CentralDpSettings.WrapperName, Values: [var clip] } || !(clip > 0) || double.IsPositiveInfinity(clip))
            throw new ArgumentException(
                $"the persisted state lacks adaptive clipping's clip norm (found {(state is null ? "none" : $"'{state.Owner}' with {state.Values.Count} values")})", nameof(state));
        _clip = clip;
    }
}
