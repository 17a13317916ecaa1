using FedActors.Actors.Jobs;

namespace FedActors.Actors.Coordination;

/// <summary>A job the coordinator dispatched and has not resolved yet.</summary>
/// <param name="id">The job id.</param>
/// <param name="clientId">The client training it.</param>
/// <param name="baseVersion">The version it trains from.</param>
/// <param name="round">The synchronous round it belongs to; 0 when jobs are not in rounds.</param>
internal sealed class InFlightJob(long id, int clientId, ModelVersion baseVersion, long round)
{
    public long Id { get; } = id;

    public int ClientId { get; } = clientId;

    public ModelVersion Base { get; } = baseVersion;

    public long Round { get; } = round;

    /// <summary>The client's last job whose result the coordinator had taken when it sent this one, or −1 (what error feedback continues from).</summary>
    public long PreviousJob { get; init; } = -1;

    /// <summary>The device drops out: the job was never sent and will time out.</summary>
    public bool Dropped { get; set; }

    /// <summary>Virtual clock: the result that arrived and waits for its turn; a parked job's update.</summary>
    public object? Result { get; set; }

    /// <summary>
    /// Resolved with an update that waits in the job for its cohort to close (<see cref="IJobSchedule.HoldsResults"/>);
    /// the job stays in flight until then. A restored parked job whose update was lost has no <see cref="Result"/> until
    /// it is replayed or trained again.
    /// </summary>
    public bool Parked { get; set; }

    /// <summary>The job as a checkpoint lists it.</summary>
    public CheckpointJob ToCheckpoint() => new(Id, ClientId, Base.Number, Round, Dropped, Result is not null) { PreviousJob = PreviousJob };
}
