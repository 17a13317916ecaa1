using FedActors.Actors.Aggregation;
using FedActors.Actors.Attacks;
using FedActors.Actors.Clients;
using FedActors.Actors.Jobs;
using FedActors.Actors.Updates;

namespace FedActors.Actors.Coordination;

/// <summary>
/// What becomes of a client's update once its job is resolved: it is counted (bytes, samples, compute), checked
/// against its job (client, base version, length, round), decoded by the update pipeline (the server side of the
/// client's transforms), offered to the <see cref="IAggregationStrategy"/>, and, if taken, recorded as applied (counts,
/// drift, participation). The intake keeps the arrays the strategy holds until the
/// step that uses them, takes that step, measures each update against the step's pseudo-gradient, and then hands the
/// arrays back for trainers to reuse.
/// </summary>
internal sealed class UpdateIntake(IAggregationStrategy strategy, UpdatePipeline pipeline, ulong seed, int dimension, CoordinatorState state)
{
    private readonly float[] _aggregate = new float[dimension];
    private readonly List<float[]> _taken = new();

    public IAggregationStrategy Strategy => strategy;

    /// <summary>The model's layer sizes, for transforms that decode layer by layer; empty when none does.</summary>
    public ReadOnlyMemory<int> Layers { get; init; }

    /// <summary>The clients a simulated attack made malicious, whose updates are counted apart; null when nobody attacks.</summary>
    public MaliciousClients? Malicious { get; init; }

    /// <summary>Where update arrays go once nothing holds them any more; null leaves them to the collector.</summary>
    public DeltaBufferPool? Recycle { get; set; }

    /// <summary>Takes the update <paramref name="u"/> of <paramref name="job"/>, resolved now, in the run at <paramref name="currentStep"/>.</summary>
    /// <param name="job">The job it answers.</param>
    /// <param name="u">The update.</param>
    /// <param name="currentStep">The current version's number.</param>
    /// <param name="late">The job belongs to a round that has closed.</param>
    /// <returns>The update as applied, or the reason it was not (null when it was dropped for staleness, which is no rejection).</returns>
    public (AppliedUpdate? Applied, string? Rejection) Take(InFlightJob job, ClientProtocol.ClientUpdate u, long currentStep, bool late)
    {
        state.Traffic.Received(u.Payload);
        state.Tally.SamplesTrained += u.Stats.Samples;
        state.Tally.TrainSeconds += u.Stats.ComputeSeconds;
        string? rejection =
            u.ClientId != job.ClientId ? "client_mismatch"
            : u.BaseVersion != job.Base.Number ? "base_version_mismatch"
            : late ? "late"
            : null;
        float[]? delta = null;
        try
        {
            // The length is checked after decoding: a compressed payload stands for fewer values than the model has.
            if (rejection is null) delta = pipeline.Decode(u.Payload, new TransformContext(seed, job.ClientId, job.Id, job.Base.Number, dimension) { Layers = Layers }, Recycle);
        }
        catch (WrongUpdateLengthException)
        {
            rejection = "wrong_length";
        }
        catch (InvalidDataException)
        {
            rejection = "malformed";
        }
        // The arrival's own dense array is free unless it is Δ itself (no transform decoded it into another).
        if (u.Payload is DensePayload arrived && !ReferenceEquals(arrived.Values, delta)) Recycle?.Return(arrived.Values);
        if (delta is null) return (null, rejection);
        int staleness = checked((int)(currentStep - job.Base.Number));
        int samples = (int)Math.Min(u.Stats.Samples, int.MaxValue);
        var admission = strategy.Offer(new ClientContribution(delta, job.Base.Weights, samples, staleness, job.ClientId));
        if (admission.Kind != AdmissionKind.Accepted)
        {
            Recycle?.Return(delta);
            if (admission.Kind == AdmissionKind.TooStale) state.Tally.DroppedStale++;
            return (null, admission.Reason);
        }
        _taken.Add(delta);
        if (Malicious?.Contains(job.ClientId) == true) state.Tally.MaliciousTaken++;
        return (state.Applied(job, currentStep + 1, staleness, u.Stats.UpdateNorm), null);
    }

    /// <summary>The weights of the next version, from <paramref name="current"/> and what the strategy took; null when it took nothing.</summary>
    public float[]? TryStep(ModelVersion current)
    {
        strategy.PrepareStep(current.Number + 1);
        var kind = strategy.Aggregate(current.Weights, _aggregate);
        if (kind == AggregateKind.None) return null;
        foreach (var client in strategy.Excluded)
        {
            state.Tally.Filtered++;
            if (Malicious?.Contains(client) == true) state.Tally.MaliciousFiltered++;
        }
        foreach (var delta in _taken)
        {
            if (kind == AggregateKind.PseudoGradient) state.Drift.Aggregated(delta, _aggregate);
            Recycle?.Return(delta);
        }
        _taken.Clear();
        var next = new float[dimension];
        strategy.Apply(current.Weights, _aggregate, next);
        return next;
    }
}
