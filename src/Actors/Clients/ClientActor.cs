using Akka.Actor;
using FedActors.Actors.Jobs;
using FedActors.Actors.Trainers;

namespace FedActors.Actors.Clients;

/// <summary>
/// One virtual client, alive only while it has work: it hands its jobs to the trainer pool, replies
/// to whoever sent each job, and asks its region to passivate it when nothing is left.
/// </summary>
public sealed class ClientActor : ReceiveActor
{
    private readonly int _clientId;
    private readonly IActorRef _trainers;
    private readonly Dictionary<JobId, (ClientProtocol.TrainJob Job, IActorRef ReplyTo)> _pending = new();
    private readonly Queue<JobId> _waitingForSlot = new();

    /// <summary>Creates the client.</summary>
    public ClientActor(int clientId, IActorRef trainers)
    {
        _clientId = clientId;
        _trainers = trainers;

        Receive<ClientProtocol.TrainJob>(job =>
        {
            // A retried job (same id) is already on its way; answering it twice would be harmless but wasteful.
            if (!_pending.TryAdd(job.Job, (job, Sender))) return;
            _trainers.Tell(Training(job));
        });
        Receive<ClientProtocol.StopClient>(_ =>
        {
            // Work that reached us between asking to passivate and this message keeps us alive.
            if (_pending.Count == 0) Context.Stop(Self);
            else Sender.Tell(new ClientProtocol.Resume(_clientId));
        });
        Receive<TrainerProtocol.PoolBusy>(busy => _waitingForSlot.Enqueue(busy.Job));
        Receive<TrainerProtocol.SlotAvailable>(_ =>
        {
            if (_waitingForSlot.TryDequeue(out var id) && _pending.TryGetValue(id, out var p))
                _trainers.Tell(Training(p.Job));
        });
        Receive<TrainerProtocol.Trained>(done =>
        {
            if (!_pending.Remove(done.Job, out var p)) return;
            p.ReplyTo.Tell(new ClientProtocol.ClientUpdate(done.Job, _clientId, p.Job.Base.Number, done.Payload, done.Stats));
            PassivateIfIdle();
        });
        // Results live in the coordinator's journal once acknowledged; a client keeps no copy to resend.
        Receive<ClientProtocol.ResultAcknowledged>(_ => { });
        Receive<TrainerProtocol.TrainingFailed>(failed =>
        {
            if (!_pending.Remove(failed.Job, out var p)) return;
            p.ReplyTo.Tell(new ClientProtocol.JobFailed(failed.Job, _clientId, failed.Reason));
            PassivateIfIdle();
        });
    }

    /// <summary>Props for client <paramref name="clientId"/>.</summary>
    public static Props Props(int clientId, IActorRef trainers) => Akka.Actor.Props.Create(() => new ClientActor(clientId, trainers));

    /// <summary>The trainer pool's work item for <paramref name="job"/>.</summary>
    internal static TrainerProtocol.Train Training(ClientProtocol.TrainJob job) =>
        new(job.Job, job.ClientId, job.Base, job.Options, job.Seed) { ApplyAt = job.ApplyAt, PreviousJob = job.PreviousJob };

    private void PassivateIfIdle()
    {
        if (_pending.Count == 0) Context.Parent.Tell(new ClientProtocol.Passivate(_clientId));
    }
}
