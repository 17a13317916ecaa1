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
public sealed record ClientLevelAccounting(double NoiseMultiplier, double Delta)
{
    /// <summary>The accounting of a run with <paramref name="settings"/> over <paramref name="clients"/> clients; null when DP is off.</summary>
    public static ClientLevelAccounting? For(PrivacySettings settings, int clients) =>
        settings.Mode == PrivacyMode.None ? null : new ClientLevelAccounting(settings.NoiseMultiplier, settings.DeltaFor(clients));

    /// <summary>The guarantee once the most frequent client has contributed to <paramref name="participations"/> steps.</summary>
    public PrivacyGuarantee After(int participations) =>
        new RdpAccountant([new PrivacyCharge(1, NoiseMultiplier, participations)]).Epsilon(Delta);
}
