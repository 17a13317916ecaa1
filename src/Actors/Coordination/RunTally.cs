namespace FedActors.Actors.Coordination;

/// <summary>The run's cumulative counts of jobs and results (summary.json's counters, bytes apart).</summary>
internal sealed class RunTally
{
    private readonly Dictionary<string, long> _rejected = new();

    /// <summary>Reason → results rejected for it.</summary>
    public IReadOnlyDictionary<string, long> Rejected => _rejected;

    /// <summary>Results rejected, all reasons.</summary>
    public long RejectedTotal => _rejected.Values.Sum();

    public long UpdatesApplied { get; set; }

    public long DroppedStale { get; set; }

    public long JobsDispatched { get; set; }

    public long JobsDropped { get; set; }

    public long SamplesTrained { get; set; }

    /// <summary>Updates a selecting robust aggregator left out of their step.</summary>
    public long Filtered { get; set; }

    /// <summary>Updates of malicious clients the strategy took.</summary>
    public long MaliciousTaken { get; set; }

    /// <summary>Malicious updates left out of their step.</summary>
    public long MaliciousFiltered { get; set; }

    public DefenseCounts Defense => new(Filtered, MaliciousTaken, MaliciousFiltered);

    public double TrainSeconds { get; set; }

    public void Reject(string reason) => _rejected[reason] = _rejected.GetValueOrDefault(reason) + 1;

    public CheckpointCounters ToCheckpoint(long bytesUp, long bytesDown) =>
        new(new SortedDictionary<string, long>(_rejected, StringComparer.Ordinal), UpdatesApplied, DroppedStale, JobsDispatched, JobsDropped,
            SamplesTrained, TrainSeconds, bytesUp, bytesDown, Filtered, MaliciousTaken, MaliciousFiltered);

    public void Restore(CheckpointCounters c)
    {
        foreach (var (reason, count) in c.Rejected) _rejected[reason] = count;
        (UpdatesApplied, DroppedStale, JobsDispatched, JobsDropped, SamplesTrained, TrainSeconds) =
            (c.UpdatesApplied, c.DroppedStale, c.JobsDispatched, c.JobsDropped, c.SamplesTrained, c.TrainSeconds);
        (Filtered, MaliciousTaken, MaliciousFiltered) = (c.Filtered, c.MaliciousTaken, c.MaliciousFiltered);
    }
}
