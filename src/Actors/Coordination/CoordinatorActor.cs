using Akka.Actor;
using FedActors.Actors.Clients;
using FedActors.Actors.Simulation;
using FedActors.Actors.Trainers;
using static FedActors.Actors.Coordination.CoordinatorEffects;

namespace FedActors.Actors.Coordination;

/// <summary>
/// The thin actor shell around <see cref="CoordinatorCore"/>: feeds it client results, evaluations and
/// time, and carries out its effects (send jobs to the client region, evaluations to the trainer pool,
/// records to the observer). Completes <see cref="RunResult"/> and stops itself when the run ends.
/// </summary>
public sealed class CoordinatorActor : ReceiveActor, IWithTimers
{
    private readonly CoordinatorCore _core;
    private readonly ServerSettings _server;
    private readonly SimulationSettings _simulation;
    private readonly double? _targetAccuracy;
    private readonly IActorRef _clients;
    private readonly IActorRef _trainers;
    private readonly IRunObserver _observer;
    private readonly IClock _wall;
    private readonly TaskCompletionSource<RunResult> _completion;
    private readonly Dictionary<long, double> _evaluationWallTimes = new();
    private readonly List<EvaluationRecord> _records = new();
    private TargetReached? _target;
    private double _lastProgressWall;
    private long _lastProgressUpdates;

    /// <summary>Creates the shell.</summary>
    public CoordinatorActor(CoordinatorCore core, RunSettings run, ServerSettings server, SimulationSettings simulation,
        IActorRef clients, IActorRef trainers, IRunObserver observer, IClock wall, TaskCompletionSource<RunResult> completion)
    {
        _core = core;
        _server = server;
        _simulation = simulation;
        _targetAccuracy = run.TargetAccuracy;
        _clients = clients;
        _trainers = trainers;
        _observer = observer;
        _wall = wall;
        _completion = completion;

        Receive<CoordinatorProtocol.ClientUpdate>(u => Guard(() => _core.OnUpdate(u, _wall.Seconds)));
        Receive<CoordinatorProtocol.JobFailed>(f => Guard(() => _core.OnJobFailed(f, _wall.Seconds)));
        Receive<TrainerProtocol.Evaluated>(e => Guard(() => _core.OnEvaluated(e.ServerStep, e.Result)));
        Receive<CoordinatorProtocol.StopRun>(_ => Guard(_core.RequestStop));
        Receive<CoordinatorProtocol.Tick>(_ =>
        {
            Guard(() => _core.OnTick(_wall.Seconds));
            ReportProgress();
        });
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props of the shell.</summary>
    public static Props Props(CoordinatorCore core, RunSettings run, ServerSettings server, SimulationSettings simulation,
        IActorRef clients, IActorRef trainers, IRunObserver observer, IClock wall, TaskCompletionSource<RunResult> completion) =>
        Akka.Actor.Props.Create(() => new CoordinatorActor(core, run, server, simulation, clients, trainers, observer, wall, completion));

    /// <inheritdoc />
    protected override void PreStart()
    {
        Timers.StartPeriodicTimer("tick", CoordinatorProtocol.Tick.Instance,
            _simulation.Clock == ClockMode.Wall ? TimeSpan.FromMilliseconds(250) : TimeSpan.FromSeconds(1));
        Guard(() => _core.Start(_wall.Seconds));
    }

    /// <inheritdoc />
    protected override SupervisorStrategy SupervisorStrategy() => Akka.Actor.SupervisorStrategy.StoppingStrategy;

    private void Guard(Func<IReadOnlyList<ICoordinatorEffect>> step)
    {
        if (_completion.Task.IsCompleted) return;
        try
        {
            foreach (var effect in step()) Carry(effect);
        }
        catch (Exception e)
        {
            // The core's state is unknown after an exception: end the run rather than restart over it.
            Finish(RunStatus.Failed, $"{e.GetType().Name}: {e.Message}");
        }
    }

    private void Carry(ICoordinatorEffect effect)
    {
        switch (effect)
        {
            case DispatchJob d:
                _clients.Tell(new ClientProtocol.ClientEnvelope(d.Job.ClientId, d.Job));
                break;
            case EvaluateModel e:
                _evaluationWallTimes[e.ServerStep] = _wall.Seconds;
                _trainers.Tell(new TrainerProtocol.Evaluate(e.Version, e.ServerStep));
                break;
            case EvaluationRecorded r:
                var record = r.Record with { WallSeconds = _evaluationWallTimes.GetValueOrDefault(r.Record.ServerStep) };
                _evaluationWallTimes.Remove(r.Record.ServerStep);
                _records.Add(record);
                if (_target is null && _targetAccuracy is double t && record.Accuracy >= t)
                    _target = new TargetReached(record.ServerStep, record.VirtualSeconds, record.WallSeconds, record.UpdatesApplied, record.BytesUp);
                _observer.OnEvaluation(record);
                break;
            case RunFinished f:
                Finish(f.Status, null);
                break;
        }
    }

    private void ReportProgress()
    {
        double now = _wall.Seconds;
        var counters = _core.Counters;
        double rate = now > _lastProgressWall ? (counters.UpdatesApplied - _lastProgressUpdates) / (now - _lastProgressWall) : 0;
        _lastProgressWall = now;
        _lastProgressUpdates = counters.UpdatesApplied;
        _observer.OnProgress(new RunProgress(counters.ServerSteps, counters.UpdatesApplied, rate, _core.Now, now, _core.InFlight));
    }

    private void Finish(RunStatus status, string? error)
    {
        if (_completion.Task.IsCompleted) return;
        var last = _records.Count > 0 ? _records[^1] : null;
        _completion.TrySetResult(new RunResult(
            status, ServerSettings.Name(_server.Algorithm), _core.Current.Weights, _core.Counters,
            last?.Accuracy, last?.Loss, _records.Count > 0 ? _records.Max(r => r.Accuracy) : null,
            _targetAccuracy, _target, _wall.Seconds, _records.ToArray(),
            new SortedDictionary<int, int>(_core.Participation.ToDictionary()), error ?? _core.FailureReason));
        Timers.CancelAll();
        Context.Stop(Self);
    }
}
