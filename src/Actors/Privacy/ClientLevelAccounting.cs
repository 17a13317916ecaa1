namespace FedActors.Actors.Privacy;

/// <summary>
/// Client-level (ε, δ) of a run with central DP, accounted without amplification by sampling: every step a client
/// contributes to is a Gaussian mechanism of sensitivity C and noise z·C on that client (one update per client per step,
/// each clipped to C after every weighting), the steps it does not contribute to do not depend on its data, and RDP
/// composes over its contributions. The run's ε is that of its most frequent contributor.
/// </summary>
/// <remarks>
/// Neither FedBuff's asynchronous dispatch nor FedAvg's selection of a fixed number of clients samples each client
/// independently at a known rate, so the Poisson-subsampled bound would overstate privacy there (docs/privacy.md).
/// The participation count is part of the run's durable state, so a resumed run reports the ε of an uninterrupted one.
/// </remarks>
/// <param name="NoiseMultiplier">z.</param>
/// <param name="Delta">δ.</param>
/// <param name="TargetEpsilon">The budget, or null for none.</param>
public sealed record ClientLevelAccounting(double NoiseMultiplier, double Delta, double? TargetEpsilon = null)
{
    /// <summary>
    /// The accounting of a run with <paramref name="settings"/> over <paramref name="clients"/> clients; null when DP is
    /// off. Under local DP a release's neighbours are any two clipped updates, at distance up to 2C, so the noise z·C is
    /// accounted as multiplier z/2.
    /// </summary>
    public static ClientLevelAccounting? For(PrivacySettings settings, int clients)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Mode switch
        {
            PrivacyMode.None => null,
            PrivacyMode.Local => new ClientLevelAccounting(settings.NoiseMultiplier / 2, settings.DeltaFor(clients), settings.TargetEpsilon),
            _ => new ClientLevelAccounting(settings.NoiseMultiplier, settings.DeltaFor(clients), settings.TargetEpsilon)
            {
                SamplingRate = settings.PoissonSampleSize is { } n ? Math.Min(1.0, (double)n / Math.Max(clients, 1)) : null,
            },
        };
    }

    /// <summary>
    /// q of Poisson rounds, in which every client is independently in each step with this probability: then every step is
    /// a subsampled Gaussian mechanism over the whole population and the run is accounted over its steps, with
    /// amplification. Null: no selection that provides it, and the run is accounted over each client's contributions.
    /// </summary>
    public double? SamplingRate { get; init; }

    /// <summary>
    /// The guarantee after <paramref name="steps"/> server steps in which the most frequent client contributed to
    /// <paramref name="participations"/>: over the steps at <see cref="SamplingRate"/> when there is one, else over that
    /// client's contributions.
    /// </summary>
    public PrivacyGuarantee Spent(long steps, int participations) => SamplingRate is { } q
        ? new RdpAccountant([new PrivacyCharge(q, NoiseMultiplier, steps)]).Epsilon(Delta)
        : After(participations);

    /// <summary>
    /// With <see cref="SamplingRate"/>: the most steps the run may release within <see cref="TargetEpsilon"/>; null without
    /// a budget or without sampling (then <see cref="ParticipationBudget"/> limits each client instead).
    /// </summary>
    public long? StepBudget()
    {
        if (TargetEpsilon is not { } target || SamplingRate is not { } q) return null;
        return LargestWithin(target, stopAbove: long.MaxValue / 4, long.MaxValue,
            steps => new RdpAccountant([new PrivacyCharge(q, NoiseMultiplier, steps)]).Epsilon(Delta).Epsilon);
    }

    /// <summary>The guarantee once the most frequent client has contributed to <paramref name="participations"/> steps.</summary>
    public PrivacyGuarantee After(int participations) =>
        new RdpAccountant([new PrivacyCharge(1, NoiseMultiplier, participations)]).Epsilon(Delta);

    /// <summary>
    /// The most steps one client may contribute to within <see cref="TargetEpsilon"/> (0 when even one exceeds it), or
    /// null without a budget. ε grows with every contribution, so this is a bisection over the count.
    /// </summary>
    public int? ParticipationBudget()
    {
        if (TargetEpsilon is not { } target || SamplingRate is not null) return null;
        return (int)LargestWithin(target, stopAbove: int.MaxValue / 2, int.MaxValue, count => After((int)count).Epsilon);
    }

    // The largest n with ε(n) ≤ target (0 when even one exceeds it), ε growing with n: doubling, then bisection. Once a
    // doubled n above stopAbove is still within the target, returns cap.
    private static long LargestWithin(double target, long stopAbove, long cap, Func<long, double> epsilon)
    {
        if (epsilon(1) > target) return 0;
        long within = 1, beyond = 2;
        while (epsilon(beyond) <= target)
        {
            within = beyond;
            if (beyond > stopAbove) return cap;
            beyond *= 2;
        }
        while (beyond - within > 1)
        {
            long mid = within + (beyond - within) / 2;
            if (epsilon(mid) <= target) within = mid;
            else beyond = mid;
        }
        return within;
    }
}
