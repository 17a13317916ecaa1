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
/// <para>The noise of step t comes from the run's seed and t alone, so a step replayed after a crash releases the
/// same noise: the accountant charges it once.</para>
/// </remarks>
public sealed class CentralDp : StrategyWrapper
{
    private const ulong NoisePurpose = 0xD1FF_0001;

    private readonly CentralDpSettings _settings;
    private readonly HashSet<int> _clientsThisStep = [];
    private long _step;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    public CentralDp(IAggregationStrategy inner, CentralDpSettings settings) : base(inner) =>
        _settings = settings ?? throw new ArgumentNullException(nameof(settings));

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
        double clip = norm > _settings.ClipNorm ? _settings.ClipNorm / norm : 1.0;
        double staleness = _settings.Staleness.Weight(update.Staleness);
        if (staleness > 1) clip /= staleness;
        var admission = clip == 1.0 ? Inner.Offer(update) : Inner.Offer(update with { Scale = (float)(update.Scale * clip) });
        if (admission.Kind == AdmissionKind.Accepted)
        {
            _clientsThisStep.Add(update.ClientId);
            if (norm > _settings.ClipNorm) Clipped++;
        }
        return admission;
    }

    /// <inheritdoc />
    public override AggregateKind Aggregate(ReadOnlySpan<float> current, Span<float> aggregate)
    {
        int taken = Inner.Pending;
        var kind = Inner.Aggregate(current, aggregate);
        if (kind == AggregateKind.None) return kind;
        double std = _settings.NoiseMultiplier * _settings.ClipNorm / (kind == AggregateKind.PseudoGradient ? taken : 1);
        if (std > 0) AddNoise(aggregate, std, DeterministicRandom.For(_settings.Seed, unchecked((ulong)_step), NoisePurpose));
        _clientsThisStep.Clear();
        return kind;
    }

    private static void AddNoise(Span<float> aggregate, double std, DeterministicRandom random)
    {
        for (int i = 0; i < aggregate.Length; i++) aggregate[i] = (float)(aggregate[i] + std * random.NextNormal());
    }
}
