namespace FedActors.Actors.Coordination;

/// <summary>
/// Per client, the last job whose result the coordinator took, with the clients whose entry changed since the last
/// checkpoint. A client's next job names it (<see cref="InFlightJob.PreviousJob"/>), so per-client state such as an
/// error-feedback residual continues from a result the coordinator has, whatever the order trainings finish in.
/// </summary>
internal sealed class LastResults
{
    private readonly Dictionary<int, long> _jobs = new();
    private readonly HashSet<int> _changed = new();

    /// <summary>Client id → the last job whose result was taken.</summary>
    public IReadOnlyDictionary<int, long> Jobs => _jobs;

    /// <summary>The last job of <paramref name="clientId"/> whose result was taken, or −1.</summary>
    public long Of(int clientId) => _jobs.GetValueOrDefault(clientId, -1);

    /// <summary>The result of job <paramref name="job"/> of <paramref name="clientId"/> was taken.</summary>
    public void Took(int clientId, long job)
    {
        _jobs[clientId] = job;
        _changed.Add(clientId);
    }

    /// <summary>The entries that changed since the last call, by client id.</summary>
    public ClientJob[] TakeChanges()
    {
        var changes = _changed.Order().Select(c => new ClientJob(c, _jobs[c])).ToArray();
        _changed.Clear();
        return changes;
    }

    /// <summary>Puts back the entries folded from a run's checkpoints.</summary>
    public void Restore(IReadOnlyDictionary<int, long> jobs)
    {
        foreach (var (client, job) in jobs) _jobs[client] = job;
    }
}
