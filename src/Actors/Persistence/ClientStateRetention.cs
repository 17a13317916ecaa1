using FedActors.Actors.Coordination;

namespace FedActors.Actors.Persistence;

/// <summary>
/// Which per-client rows (error-feedback residuals) a snapshot still needs. A job continues from the row of the job it
/// names (<see cref="CheckpointJob.PreviousJob"/>), and a client's next job will name its last taken result: after the
/// snapshot, no job can start from an older row, whether the run goes on or resumes from this snapshot or a later step.
/// </summary>
public static class ClientStateRetention
{
    /// <summary>
    /// Per client, the oldest job whose row must stay: the earliest job a job in flight continues from, or else its last
    /// taken result. Clients with neither are not listed (their rows, if any, belong to jobs still in flight).
    /// </summary>
    public static Dictionary<int, long> KeepFrom(CoordinatorSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var keepFrom = snapshot.LastResults.ToDictionary(r => r.ClientId, r => r.Job);
        foreach (var job in snapshot.Latest?.InFlight ?? [])
            if (job.PreviousJob >= 0 && (!keepFrom.TryGetValue(job.ClientId, out long keep) || job.PreviousJob < keep))
                keepFrom[job.ClientId] = job.PreviousJob;
        return keepFrom;
    }
}
