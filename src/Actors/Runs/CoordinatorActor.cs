using System.Diagnostics;
using Akka.Actor;
using Akka.Persistence;
using FedActors.Actors.Aggregation;
using FedActors.Actors.Clients;
using FedActors.Actors.Coordination;
using FedActors.Actors.Persistence;
using FedActors.Actors.Population;
using FedActors.Actors.Simulation;
using FedActors.Actors.Trainers;
using FedActors.Actors.Updates;
using static FedActors.Actors.Coordination.CoordinatorEffects;

namespace FedActors.Actors.Runs;

/// <summary>What the coordinator shell needs besides its collaborators.</summary>
/// <param name="Run">Seed, length, evaluation cadence, model and local training.</param>
/// <param name="Server">The aggregation strategy (<c>fedactors.server</c>).</param>
/// <param name="Simulation">Clock and devices.</param>
/// <param name="Population">The clients.</param>
/// <param name="InitialWeights">Version 0 of a new run (a resumed run takes its own from the journal).</param>
/// <param name="PersistenceId">The journal's id for this run.</param>
/// <param name="Fingerprint">Identifies the run's configuration; the journal of another is refused.</param>
/// <param name="Durability">When results become durable.</param>
/// <param name="SnapshotEverySteps">A snapshot every this many steps, after which older entries are deleted.</param>
/// <param name="ExpectJournal">The run has progressed before: a journal without it is refused rather than started afresh.</param>
/// <param name="Meter">Bytes measured on the wire (a cluster run), counted instead of the estimate (see <see cref="CoordinatorCore.Meter"/>); closed when the run ends.</param>
public sealed record CoordinatorSetup(
    RunSettings Run, IStrategySettings Server, SimulationSettings Simulation, IClientDataSource Population, float[] InitialWeights,
    string PersistenceId, string Fingerprint, Durability Durability, int SnapshotEverySteps, bool ExpectJournal = false, IWireMeter? Meter = null)
{
    /// <summary>
    /// The pool the run's trainers rent update arrays from; the coordinator returns them once applied or rejected
    /// (not under durability <c>update</c>, whose journal serializes results later). Null: no recycling.
    /// </summary>
    public DeltaBufferPool? Deltas { get; init; }

    /// <summary>
    /// The clients' per-client vectors (error-feedback residuals) when the pipeline keeps any: after each snapshot the
    /// coordinator lets it forget the rows no job can start from any more. Null: nothing to prune.
    /// </summary>
    public IClientStateStore? ClientState { get; init; }
}

/// <summary>
/// The persistent actor shell around <see cref="CoordinatorCore"/>: journals every server step (and, in
/// durability <c>update</c>, every result before acknowledging it), snapshots every few steps and prunes
/// what the snapshot covers; on start it recovers the journal and resumes where the run stood. Otherwise it
/// feeds the core client results, evaluations and time, and carries out its effects.
/// </summary>
public sealed class CoordinatorActor : ReceivePersistentActor, IWithTimers
{
    private readonly CoordinatorSetup _setup;
    private readonly IActorRef _clients;
    private readonly IActorRef _trainers;
    private readonly IRunObserver _observer;
    private readonly IClock _session;
    private readonly TaskCompletionSource<RunResult> _completion;
    private readonly PersistedRun _fold = new();
    private readonly Dictionary<long, double> _evaluationWallTimes = new();
    private readonly List<EvaluationRecord> _records = new();
    private CoordinatorCore? _core;
    private TargetReached? _target;
    private double _wallOffset;
    private double _lastProgressWall;
    private long _lastProgressUpdates;
    private IReadOnlyCollection<int>? _reachable;
    private (long SequenceNr, CoordinatorSnapshot Snapshot)? _snapshotted;

    /// <summary>Creates the shell.</summary>
    public CoordinatorActor(CoordinatorSetup setup, IActorRef clients, IActorRef trainers, IRunObserver observer, IClock session,
        TaskCompletionSource<RunResult> completion)
    {
        _setup = setup;
        _clients = clients;
        _trainers = trainers;
        _observer = observer;
        _session = session;
        _completion = completion;

        Recover<SnapshotOffer>(offer => Recovering(() => _fold.Apply((IPersistedState)offer.Snapshot)));
        Recover<IPersistedState>(e => Recovering(() => _fold.Apply(e)));
        Recover<RecoveryCompleted>(_ => Recovered());

        Command<ClientProtocol.ClientUpdate>(u => Handle(() => OnResult(u)));
        Command<ClientProtocol.JobFailed>(f => Handle(() => OnResult(f)));
        Command<TrainerProtocol.Evaluated>(e => Handle(() => OnEvaluated(e)));
        Command<CoordinatorProtocol.StopRun>(_ => Guard(() => _core!.RequestStop()));
        Command<CoordinatorProtocol.ReachableClientsChanged>(r =>
        {
            // Kept for a core that does not exist yet (still recovering) or is replaced.
            _reachable = r.Clients;
            Guard(() => _core!.OnReachableClients(r.Clients, Wall));
        });
        Command<CoordinatorProtocol.Tick>(_ => Handle(() =>
        {
            OnTick();
            ReportProgress();
        }));
        Command<SaveSnapshotSuccess>(s =>
        {
            // The snapshot covers everything up to its sequence number: older entries only cost space.
            DeleteMessages(s.Metadata.SequenceNr);
            DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1));
            if (_snapshotted is { } saved && saved.SequenceNr == s.Metadata.SequenceNr) ForgetClientState(saved.Snapshot);
        });
        Command<ClientStateForgotten>(f =>
        {
            if (f.Error is not null)
                _observer.OnWarning($"old client-state rows could not be deleted after a snapshot ({Innermost(f.Error).Message}); they only take space");
        });
        // A failed snapshot or delete loses nothing: the journal still holds every step since the last good one.
        Command<SaveSnapshotFailure>(f => _observer.OnWarning(
            $"a snapshot of the run state could not be saved ({Innermost(f.Cause).Message}); the journal keeps every step since the last one, so it grows until a snapshot succeeds"));
        Command<DeleteMessagesSuccess>(_ => { });
        Command<DeleteMessagesFailure>(f => _observer.OnWarning(
            $"journal entries up to {f.ToSequenceNr} could not be deleted after a snapshot ({Innermost(f.Cause).Message}); the journal keeps them and grows"));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(f => _observer.OnWarning(
            $"older snapshots could not be deleted ({Innermost(f.Cause).Message}); they only take space"));
    }

    /// <inheritdoc />
    public override string PersistenceId => _setup.PersistenceId;

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Wall seconds of the run: earlier sessions plus this one.</summary>
    private double Wall => _wallOffset + _session.Seconds;

    /// <summary>Props of the shell.</summary>
    public static Props Props(CoordinatorSetup setup, IActorRef clients, IActorRef trainers, IRunObserver observer, IClock session,
        TaskCompletionSource<RunResult> completion) =>
        Akka.Actor.Props.Create(() => new CoordinatorActor(setup, clients, trainers, observer, session, completion));

    /// <inheritdoc />
    protected override SupervisorStrategy SupervisorStrategy() => Akka.Actor.SupervisorStrategy.StoppingStrategy;

    private void Recovering(Action apply)
    {
        try
        {
            apply();
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            Finish(RunStatus.Failed, $"the persisted run state is inconsistent: {e.Message}");
        }
    }

    private void Recovered()
    {
        if (_completion.Task.IsCompleted) return;
        var started = _fold.Started;
        if (started is null)
        {
            if (_setup.ExpectJournal)
            {
                // A run that has progressed and finds nothing: another run's database, or one restored or recreated.
                Finish(RunStatus.Failed, $"the journal holds no state of this run (id '{PersistenceId}'); nothing was changed");
                return;
            }
            Persist(new RunStarted(_setup.Fingerprint, _setup.InitialWeights), e => Handle(() =>
            {
                _fold.Apply(e);
                StartCore(_setup.InitialWeights);
            }));
            return;
        }
        if (started.ConfigFingerprint != _setup.Fingerprint)
        {
            Finish(RunStatus.Failed,
                $"the persisted state (journal '{PersistenceId}') belongs to a run with another configuration (fingerprint {Short(started.ConfigFingerprint)}, this one {Short(_setup.Fingerprint)}); nothing was changed");
            return;
        }
        _wallOffset = _fold.WallSeconds;
        var latest = _fold.Latest;
        CoordinatorCore? restored = null;
        if (latest is not null)
        {
            // Restore first (it writes nothing): state that cannot be restored is refused before the journal is touched.
            try
            {
                restored = CoordinatorCore.Restore(_setup.Run, _setup.Server, _setup.Simulation, _setup.Population, latest,
                    _fold.Versions, _fold.Participation, _fold.Records, _fold.LastResults);
            }
            catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
            {
                Finish(RunStatus.Failed, $"the persisted run state cannot be restored: {ex.Message}; nothing was changed");
                return;
            }
        }
        Persist(new RunResumed(_fold.WallSeconds), e => Handle(() =>
        {
            _fold.Apply(e);
            if (restored is null)
            {
                // Died before version 0 was journaled: nothing happened yet.
                _observer.OnRestored(new RestoredRun(0, [], _fold.Resumed, _fold.WallSeconds));
                StartCore(started.InitialWeights);
                return;
            }
            _core = restored;
            _core.Meter = _setup.Meter;
            _core.RecycleDeltas = Recycling;
            if (_reachable is not null) Guard(() => _core.OnReachableClients(_reachable, Wall));
            _records.AddRange(_fold.Records);
            _target = _core.Target;
            _observer.OnRestored(new RestoredRun(latest!.ServerStep, _fold.Records.ToArray(), _fold.Resumed, _fold.WallSeconds));
            StartTimers();
            Guard(() => _core.Resume(_fold.Inputs, Wall));
        }));
    }

    /// <summary>
    /// Runs a handler; an exception it lets out (file or journal trouble outside the core) ends the run as
    /// failed instead of letting Akka restart the coordinator over a half-done handler.
    /// </summary>
    private void Handle(Action handler)
    {
        try
        {
            handler();
        }
        catch (Exception e)
        {
            Finish(RunStatus.Failed, $"{e.GetType().Name}: {e.Message}");
        }
    }

    private bool Journals => _setup.Durability == Durability.Update;

    /// <summary>Results journaled one by one are serialized after the core has moved on: their arrays must not be reused.</summary>
    private DeltaBufferPool? Recycling => Journals ? null : _setup.Deltas;

    private void StartCore(float[] initialWeights)
    {
        _core = new CoordinatorCore(_setup.Run, _setup.Server, _setup.Simulation, _setup.Population, initialWeights)
        {
            Meter = _setup.Meter,
            RecycleDeltas = Recycling,
        };
        if (_reachable is not null) Guard(() => _core.OnReachableClients(_reachable, Wall));
        StartTimers();
        Guard(() => _core.Start(Wall));
    }

    private void StartTimers() =>
        Timers.StartPeriodicTimer("tick", CoordinatorProtocol.Tick.Instance,
            _setup.Simulation.Clock == ClockMode.Wall ? TimeSpan.FromMilliseconds(250) : TimeSpan.FromSeconds(1));

    private void OnResult(ClientProtocol.IClientResult result)
    {
        if (_core is null || _completion.Task.IsCompleted) return;
        var client = Sender;
        double now = Wall;
        if (!_core.IsAwaiting(result.Job))
        {
            Guard(() => Feed(result, now)); // late, duplicate or unknown: the core counts the rejection
            return;
        }
        if (Journals)
        {
            // Every input is journaled before anything it leads to (journal order is processing order), and a
            // result is acknowledged only once written: an acknowledged result is never asked for again. The
            // core goes on meanwhile; if the process dies first, the result was never acknowledged and is
            // trained again.
            PersistAsync(new ResultPersisted(result, now), e => Handle(() =>
            {
                _fold.Apply(e);
                Acknowledge(client, result);
            }));
            Guard(() => Feed(result, now));
            return;
        }
        Acknowledge(client, result);
        Guard(() => Feed(result, now));
    }

    private void OnEvaluated(TrainerProtocol.Evaluated e)
    {
        if (_core is null || _completion.Task.IsCompleted) return;
        // With stop-at-target an evaluation decides when the run may go on: replaying results needs it too.
        if (Journals && _core.IsAwaitingEvaluation(e.ServerStep))
            PersistAsync(new EvaluationPersisted(e.ServerStep, e.Result.Accuracy, e.Result.Loss, e.BackdoorAccuracy), p => Handle(() => _fold.Apply(p)));
        Guard(() => _core.OnEvaluated(e.ServerStep, e.Result, e.BackdoorAccuracy));
    }

    private void OnTick()
    {
        if (_core is null || _completion.Task.IsCompleted) return;
        double now = Wall;
        if (Journals && _core.HasDueEvents(now))
            PersistAsync(new ClockAdvanced(now), p => Handle(() => _fold.Apply(p)));
        Guard(() => _core.OnTick(now));
    }

    private IReadOnlyList<ICoordinatorEffect> Feed(ClientProtocol.IClientResult result, double now) => _core!.OnResult(result, now);

    private void Acknowledge(IActorRef client, ClientProtocol.IClientResult result)
    {
        _observer.OnAcknowledged(result.Job, result.ClientId); // recorded before it is sent: an audit of acknowledgements misses none
        client.Tell(new ClientProtocol.ResultAcknowledged(result.Job));
    }

    private void Guard(Func<IReadOnlyList<ICoordinatorEffect>> step)
    {
        if (_completion.Task.IsCompleted || _core is null) return;
        try
        {
            CarryFrom(step(), 0);
        }
        catch (Exception e)
        {
            // The core's state is unknown after an exception: end the run rather than go on over it.
            Finish(RunStatus.Failed, $"{e.GetType().Name}: {e.Message}");
        }
    }

    private void CarryFrom(IReadOnlyList<ICoordinatorEffect> effects, int first)
    {
        for (int i = first; i < effects.Count; i++)
        {
            if (effects[i] is StepCommitted s && _setup.Run.Privacy.WriteAheadSteps)
            {
                // Secure DP noise cannot be drawn again: nothing of this step (dispatches, evaluation) leaves before its
                // write, and Persist stashes every message until then.
                int next = i + 1;
                PersistStep(s, writeAhead: true, then: () => CarryFrom(effects, next));
                return;
            }
            Carry(effects[i]);
        }
    }

    private void Carry(ICoordinatorEffect effect)
    {
        switch (effect)
        {
            case DispatchJob d:
                _clients.Tell(new ClientProtocol.ClientEnvelope(d.Job.ClientId, d.Job));
                break;
            case StopTraining:
                _trainers.Tell(TrainerProtocol.DropQueuedTrainings.Instance);
                break;
            case EvaluateModel e:
                _evaluationWallTimes[e.ServerStep] = Wall;
                _trainers.Tell(new TrainerProtocol.Evaluate(e.Version, e.ServerStep));
                break;
            case EvaluationRecorded r:
                var record = r.Record with { WallSeconds = _evaluationWallTimes.GetValueOrDefault(r.Record.ServerStep) };
                _evaluationWallTimes.Remove(r.Record.ServerStep);
                _records.Add(record);
                if (_target is null && _setup.Run.TargetAccuracy is double t && record.Accuracy >= t)
                    _target = new TargetReached(record.ServerStep, record.VirtualSeconds, record.WallSeconds, record.UpdatesApplied, record.BytesUp);
                _observer.OnEvaluation(record);
                break;
            case UpdateApplied u:
                _observer.OnUpdateApplied(u.Update);
                break;
            case StepCommitted s:
                // Asynchronous: clients keep training while the step is written; order is all exactness needs.
                PersistStep(s, writeAhead: false, then: null);
                break;
            case RunFinished f:
                // Let the journal writes still in flight finish first.
                DeferAsync(f, _ => Finish(f.Status, null));
                break;
        }
    }

    private void PersistStep(StepCommitted s, bool writeAhead, Action? then)
    {
        // Records carry the wall time the shell measured; the core only knows virtual time.
        var checkpoint = s.Checkpoint with { NewRecords = s.Checkpoint.NewRecords.Select(WithWall).ToArray() };
        long handedOver = Stopwatch.GetTimestamp();
        void Written(StepPersisted e) => Handle(() =>
        {
            _fold.Apply(e);
            long step = e.Checkpoint.ServerStep;
            _observer.OnStepJournaled(step, Stopwatch.GetElapsedTime(handedOver).TotalSeconds);
            if (step > 0 && step % _setup.SnapshotEverySteps == 0)
            {
                var snapshot = _fold.ToSnapshot();
                _snapshotted = (LastSequenceNr, snapshot);
                SaveSnapshot(snapshot);
            }
            then?.Invoke();
        });
        var persisted = new StepPersisted(checkpoint, s.Version.Weights, Wall);
        if (writeAhead) Persist(persisted, Written);
        else PersistAsync(persisted, Written);
    }

    private EvaluationRecord WithWall(EvaluationRecord r)
    {
        var recorded = _records.FindLast(x => x.ServerStep == r.ServerStep);
        return recorded is null ? r : r with { WallSeconds = recorded.WallSeconds };
    }

    private void ReportProgress()
    {
        if (_core is null) return;
        double now = _session.Seconds;
        var counters = _core.Counters;
        double rate = now > _lastProgressWall ? (counters.UpdatesApplied - _lastProgressUpdates) / (now - _lastProgressWall) : 0;
        _lastProgressWall = now;
        _lastProgressUpdates = counters.UpdatesApplied;
        _observer.OnProgress(new RunProgress(counters.ServerSteps, counters.UpdatesApplied, rate, _core.Now, Wall, _core.InFlight, counters));
    }

    /// <inheritdoc />
    protected override void OnRecoveryFailure(Exception reason, object? message = null) =>
        Finish(RunStatus.Failed, $"cannot read the persisted run state: {Innermost(reason).Message}");

    /// <inheritdoc />
    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr) =>
        Finish(RunStatus.Failed, $"cannot write the run state (entry {sequenceNr}): {Innermost(cause).Message}");

    /// <inheritdoc />
    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr) =>
        Finish(RunStatus.Failed, $"the journal rejected the run state (entry {sequenceNr}): {Innermost(cause).Message}");

    /// <inheritdoc />
    protected override void PostStop()
    {
        // Whatever stopped the actor, the run must not wait forever for a result.
        Finish(RunStatus.Failed, "the coordinator stopped", stopping: true);
        base.PostStop();
    }

    /// <summary>After a snapshot, the client-state rows no job can start from again go (<see cref="ClientStateRetention"/>); blocking I/O, so off the actor's thread.</summary>
    private void ForgetClientState(CoordinatorSnapshot snapshot)
    {
        if (_setup.ClientState is not { } store) return;
        var keepFrom = ClientStateRetention.KeepFrom(snapshot);
        Task.Run(() => store.Retain(keepFrom))
            .ContinueWith(t => new ClientStateForgotten(t.Exception?.GetBaseException()), TaskScheduler.Default)
            .PipeTo(Self);
    }

    /// <summary>Old client-state rows were deleted, or could not be (<paramref name="Error"/>).</summary>
    private sealed record ClientStateForgotten(Exception? Error);

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null && e is AggregateException or System.Reflection.TargetInvocationException) e = e.InnerException;
        return e;
    }

    private static string Short(string fingerprint) => fingerprint.Length > 12 ? fingerprint[..12] : fingerprint;

    private void Finish(RunStatus status, string? error, bool stopping = false)
    {
        if (_completion.Task.IsCompleted) return;
        // The run's byte counts end here; a node that is only handing the run over keeps counting.
        if (!stopping) _setup.Meter?.Close();
        var last = _records.Count > 0 ? _records[^1] : null;
        var core = _core;
        _completion.TrySetResult(new RunResult(
            status, _setup.Server.Name, core?.Current.Weights ?? _setup.InitialWeights,
            core?.Counters ?? new RunCounters(0, 0, new SortedDictionary<string, long>(), 0, 0, 0, 0, 0, 0, 0, 0),
            last?.Accuracy, last?.Loss, _records.Count > 0 ? _records.Max(r => r.Accuracy) : null,
            _setup.Run.TargetAccuracy, _target, Wall, _records.ToArray(),
            new SortedDictionary<int, int>(core?.Participation.ToDictionary() ?? new Dictionary<int, int>()), error ?? core?.FailureReason)
        { Resumed = _fold.Resumed });
        if (stopping) return;
        Timers.CancelAll();
        Context.Stop(Self);
    }
}
