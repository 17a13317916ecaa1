namespace FedActors.Actors.Coordination;

/// <summary>
/// Asynchronous participation (FedBuff, FedAsync): keeps <paramref name="concurrency"/> jobs in flight, refilling a slot
/// as soon as its job is resolved, and steps whenever the strategy says so.
/// </summary>
/// <param name="concurrency">Jobs in flight at once.</param>
internal sealed class ContinuousSchedule(int concurrency) : IJobSchedule
{
    public long Round => 0;

    public void Refill(IScheduleHost host)
    {
        while (host.InFlight < concurrency)
        {
            if (!host.TryDispatch(0))
            {
                host.ScheduleRetry();
                return;
            }
        }
    }

    public void AfterResolution(IScheduleHost host) => Refill(host);

    public void StepDue(IScheduleHost host) => host.Step();

    public void DeadlineDue(long round, IScheduleHost host) { }

    public void Released(long jobRound) { }

    public bool IsLate(long jobRound) => false;

    public CheckpointRound ToCheckpoint() => new(0, false, 0, 0);

    public void Restore(CheckpointRound round, IReadOnlyCollection<InFlightJob> jobs)
    {
        if (round.Number != 0 || round.Open)
            throw new InvalidOperationException($"the persisted state holds synchronous round {round.Number}, but the strategy runs no rounds");
    }
}
