using Akka.Actor;
using Akka.Configuration;
using FedActors.Actors.Clients;
using FedActors.Training.Data;

namespace FedActors.Actors.Trainers;

/// <summary>
/// A bounded pool of <see cref="TrainerActor"/> slots. It hands each trainer up to <see cref="PerTrainer"/> work items
/// at a time (one running, the next waiting in its mailbox, so a trainer never idles while the pool hears that it
/// finished), queues at most <see cref="TrainerSettings.QueueCapacity"/> trainings beyond those, and
/// answers further ones with <see cref="TrainerProtocol.PoolBusy"/>, later telling the turned-away
/// senders <see cref="TrainerProtocol.SlotAvailable"/> one by one. Evaluations are never turned away
/// (the coordinator has few in flight) and go before queued trainings.
/// </summary>
public sealed class TrainerPool : ReceiveActor
{
    /// <summary>The dispatcher trainers run on: one dedicated thread per trainer.</summary>
    public const string DispatcherId = "fedactors-trainer-dispatcher";

    /// <summary>ActorSystem config that defines <see cref="DispatcherId"/>.</summary>
    public static Config DispatcherConfig { get; } = ConfigurationFactory.ParseString(
        $$"""
        {{DispatcherId}} {
          type = PinnedDispatcher
          throughput = 1
        }
        """);

    /// <summary>Work items handed to one trainer at a time.</summary>
    public const int PerTrainer = 2;

    private readonly int _queueCapacity;
    // A trainer appears once per free place: PerTrainer times when it has nothing.
    private readonly Queue<IActorRef> _idle = new();
    private readonly Queue<TrainerProtocol.Work> _trainings = new();
    private readonly Queue<TrainerProtocol.Work> _evaluations = new();
    private readonly Queue<IActorRef> _turnedAway = new();

    /// <summary>Creates the pool and its trainers.</summary>
    public TrainerPool(TrainerSettings settings, IClientDataSource clients, LabeledDataset? testSet, string modelName)
    {
        _queueCapacity = settings.QueueCapacity;
        var trainers = Enumerable.Range(0, settings.Slots)
            .Select(i => Context.ActorOf(TrainerActor.Props(clients, testSet, modelName, settings.EffectiveThreadsPerSlot, settings.Engine), $"trainer-{i}"))
            .ToArray();
        // Round-robin places: every trainer gets its first item before any gets a second.
        for (int k = 0; k < PerTrainer; k++)
            foreach (var t in trainers) _idle.Enqueue(t);

        Receive<TrainerProtocol.Train>(t =>
        {
            if (_idle.Count > 0) Dispatch(new TrainerProtocol.Work(t, Sender));
            else if (_trainings.Count < _queueCapacity) _trainings.Enqueue(new TrainerProtocol.Work(t, Sender));
            else
            {
                Sender.Tell(new TrainerProtocol.PoolBusy(t.Job.Job));
                _turnedAway.Enqueue(Sender);
            }
        });
        Receive<TrainerProtocol.Evaluate>(e =>
        {
            if (_idle.Count > 0) Dispatch(new TrainerProtocol.Work(e, Sender));
            else _evaluations.Enqueue(new TrainerProtocol.Work(e, Sender));
        });
        Receive<TrainerProtocol.TrainerIdle>(idle =>
        {
            _idle.Enqueue(idle.Trainer);
            if (_evaluations.TryDequeue(out var e)) Dispatch(e);
            else if (_trainings.TryDequeue(out var t)) Dispatch(t);
            // One place freed: let one turned-away sender retry (it may be turned away again, and waits again).
            if (_turnedAway.TryDequeue(out var waiting)) waiting.Tell(TrainerProtocol.SlotAvailable.Instance);
        });
    }

    /// <summary>Props of the pool.</summary>
    public static Props Props(TrainerSettings settings, IClientDataSource clients, LabeledDataset? testSet, string modelName) =>
        Akka.Actor.Props.Create(() => new TrainerPool(settings, clients, testSet, modelName));

    private void Dispatch(TrainerProtocol.Work work) => _idle.Dequeue().Tell(work);
}
