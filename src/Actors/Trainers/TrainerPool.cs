using Akka.Actor;
using Akka.Configuration;
using FedActors.Actors.Jobs;
using FedActors.Actors.Population;
using FedActors.Actors.Updates;
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
/// <remarks>
/// Trainings are taken in <see cref="TrainerProtocol.Train.ApplyAt"/> order (then arrival order): the queue
/// keeps the earliest jobs it has seen, a full queue turns away its latest job for an earlier newcomer, and a
/// freed place goes to the earliest turned-away job. Under the virtual clock this trains results in the order the
/// coordinator applies them; in arrival order it would sit on finished results while the one it needs waits
/// behind up to <c>concurrency</c> others, and the run's last results would be trained for nothing.
/// </remarks>
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
    // Sorted sets: Min and Max in O(log n), whatever the queue capacity.
    private readonly SortedSet<Queued> _trainings = new();
    private readonly Queue<TrainerProtocol.Work> _evaluations = new();
    private readonly SortedSet<Queued> _turnedAway = new();
    private long _arrivals;

    /// <summary>Creates the pool and its trainers.</summary>
    /// <param name="settings">Slots, threads, queue.</param>
    /// <param name="clients">The clients' data.</param>
    /// <param name="testSet">The test set evaluations use; null when the pool only trains.</param>
    /// <param name="modelName">The model.</param>
    /// <param name="deltas">Where trainers rent update arrays; null allocates each.</param>
    /// <param name="transforms">The client update pipeline; null sends Δ as it is.</param>
    /// <param name="clientState">Where the pipeline keeps per-client vectors (error-feedback residuals); null when it keeps none.</param>
    /// <param name="backdoorTestSet">Triggered test images labeled as a backdoor's target (<see cref="Attacks.BackdoorTrigger.TestSet"/>), evaluated beside the test set; null when no backdoor is simulated.</param>
    public TrainerPool(TrainerSettings settings, IClientDataSource clients, LabeledDataset? testSet, string modelName, DeltaBufferPool? deltas = null,
        UpdatePipelineSettings? transforms = null, IClientStateStore? clientState = null, LabeledDataset? backdoorTestSet = null)
    {
        _queueCapacity = settings.QueueCapacity;
        var trainers = Enumerable.Range(0, settings.Slots)
            .Select(i => Context.ActorOf(TrainerActor.Props(clients, testSet, modelName, settings.EffectiveThreadsPerSlot, settings.Engine, deltas, transforms, clientState, backdoorTestSet), $"trainer-{i}"))
            .ToArray();
        // Round-robin places: every trainer gets its first item before any gets a second.
        for (int k = 0; k < PerTrainer; k++)
            foreach (var t in trainers) _idle.Enqueue(t);

        Receive<TrainerProtocol.Train>(t =>
        {
            var work = new TrainerProtocol.Work(t, Sender);
            if (_idle.Count > 0)
            {
                Dispatch(work);
                return;
            }
            var queued = new Queued(t.ApplyAt, _arrivals++, work);
            if (_trainings.Count >= _queueCapacity && _trainings.Count > 0 && queued.CompareTo(_trainings.Max!) < 0)
            {
                // Full, and the newcomer comes before the latest queued job: that one waits outside instead.
                var last = _trainings.Max!;
                _trainings.Remove(last);
                TurnAway(last);
            }
            if (_trainings.Count < _queueCapacity) _trainings.Add(queued);
            else TurnAway(queued);
        });
        Receive<TrainerProtocol.DropQueuedTrainings>(_ =>
        {
            foreach (var q in _trainings.Concat(_turnedAway))
                q.Work.ReplyTo.Tell(new TrainerProtocol.TrainingFailed(q.Job, "dropped before it started: the run no longer needs it"));
            _trainings.Clear();
            _turnedAway.Clear();
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
            else if (_trainings.Count > 0)
            {
                var first = _trainings.Min!;
                _trainings.Remove(first);
                Dispatch(first.Work);
            }
            // One place freed: let the earliest turned-away job retry (it may be turned away again, and waits again).
            if (_turnedAway.Count > 0)
            {
                var waiting = _turnedAway.Min!;
                _turnedAway.Remove(waiting);
                waiting.Work.ReplyTo.Tell(TrainerProtocol.SlotAvailable.Instance);
            }
        });
    }

    /// <summary>Props of the pool.</summary>
    public static Props Props(TrainerSettings settings, IClientDataSource clients, LabeledDataset? testSet, string modelName,
        DeltaBufferPool? deltas = null, UpdatePipelineSettings? transforms = null, IClientStateStore? clientState = null, LabeledDataset? backdoorTestSet = null) =>
        Akka.Actor.Props.Create(() => new TrainerPool(settings, clients, testSet, modelName, deltas, transforms, clientState, backdoorTestSet));

    private void Dispatch(TrainerProtocol.Work work) => _idle.Dequeue().Tell(work);

    private void TurnAway(Queued queued)
    {
        queued.Work.ReplyTo.Tell(new TrainerProtocol.PoolBusy(queued.Job));
        _turnedAway.Add(queued);
    }

    /// <summary>A training waiting in or outside the queue, ordered by apply time, then arrival (unique).</summary>
    private sealed record Queued(double ApplyAt, long Arrival, TrainerProtocol.Work Work) : IComparable<Queued>
    {
        public JobId Job => ((TrainerProtocol.Train)Work.Command).Job;

        public int CompareTo(Queued? other)
        {
            if (other is null) return 1;
            int c = ApplyAt.CompareTo(other.ApplyAt);
            return c != 0 ? c : Arrival.CompareTo(other.Arrival);
        }
    }
}
