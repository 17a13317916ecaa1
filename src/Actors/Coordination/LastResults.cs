namespace FedActors.Actors.Coordination;

/// <summary>
/// Per client, the last job whose result the coordinator took, with the clients whose entry changed since the last
/// checkpoint. A client's next job names it (<see cref="InFlightJob.PreviousJob"/>), so per-client state such as an
/// error-feedback residual continues from a result the coordinator has, whatever the order trainings finish in.
/// </summary>
internal sealed class LastResults
{
    private readonly ChangesPerClient<long> _jobs = new();

    /// <summary>The last job of <paramref name="clientId"/> whose result was taken, or −1.</summary>
    public long Of(int clientId) => _jobs.Get(clientId, -1);

    /// <summary>The result of job <paramref name="job"/> of <paramref name="clientId"/> was taken.</summary>
    public void Took(int clientId, long job) => _jobs.Set(clientId, job);

    /// <summary>The entries that changed since the last call, by client id.</summary>
    public ClientJob[] TakeChanges() => _jobs.TakeChanges(static (c, j) => new ClientJob(c, j));

    /// <summary>Puts back the entries folded from a run's checkpoints.</summary>
    public void Restore(IReadOnlyDictionary<int, long> jobs) => _jobs.Restore(jobs);
}
