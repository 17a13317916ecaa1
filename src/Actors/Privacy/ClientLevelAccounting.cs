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
            _ => new ClientLevelAccounting(settings.NoiseMultiplier, settings.DeltaFor(clients), settings.TargetEpsilon),
        };
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
        if (TargetEpsilon is not { } target) return null;
        if (After(1).Epsilon > target) return 0;
        int within = 1, beyond = 2;
        while (After(beyond).Epsilon <= target)
        {
            within = beyond;
            if (beyond > int.MaxValue / 2) return int.MaxValue;
            beyond *= 2;
        }
        while (beyond - within > 1)
        {
            int mid = within + (beyond - within) / 2;
            if (After(mid).Epsilon <= target) within = mid;
            else beyond = mid;
        }
        return within;
    }
}
