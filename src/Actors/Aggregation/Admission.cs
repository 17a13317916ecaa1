namespace FedActors.Actors.Aggregation;

/// <summary>What a strategy did with an offered update.</summary>
public enum AdmissionKind
{
    /// <summary>Taken: it will be part of the next step.</summary>
    Accepted,

    /// <summary>Older than the strategy's maximum staleness: dropped, and counted as such rather than as a rejection.</summary>
    TooStale,

    /// <summary>Refused as unusable; <see cref="Admission.Reason"/> says why.</summary>
    Rejected,
}

/// <summary>A strategy's answer to <see cref="IAggregationStrategy.Offer"/>.</summary>
/// <param name="Kind">Accepted, dropped for staleness, or rejected.</param>
/// <param name="Reason">For a rejection, the reason's name as <c>updates_rejected</c> counts it (<c>non_finite</c>, <c>no_samples</c>, …).</param>
public readonly record struct Admission(AdmissionKind Kind, string? Reason)
{
    /// <summary>The update is taken.</summary>
    public static Admission Accepted => new(AdmissionKind.Accepted, null);

    /// <summary>The update is older than the strategy allows.</summary>
    public static Admission TooStale => new(AdmissionKind.TooStale, null);

    /// <summary>The update holds NaN or ±∞, or its weighted values overflow the aggregate: the model would diverge.</summary>
    public static Admission NonFinite => Rejected("non_finite");

    /// <summary>The update was trained on no samples, so a sample-weighted strategy would give it weight 0.</summary>
    public static Admission NoSamples => Rejected("no_samples");

    /// <summary>A rejection for <paramref name="reason"/>.</summary>
    /// <param name="reason">The reason's name as counted in <c>updates_rejected</c> (snake_case).</param>
    public static Admission Rejected(string reason) =>
        new(AdmissionKind.Rejected, string.IsNullOrEmpty(reason) ? throw new ArgumentException("a rejection needs a reason", nameof(reason)) : reason);

    /// <summary>A strategy's answer for what its <see cref="UpdateBuffer"/> made of the update (a full buffer refuses as <c>buffer_full</c>).</summary>
    public static Admission Of(BufferAdmission buffered) => buffered switch
    {
        BufferAdmission.Accepted => Accepted,
        BufferAdmission.NoSamples => NoSamples,
        BufferAdmission.NonFinite => NonFinite,
        _ => Rejected("buffer_full"),
    };
}
