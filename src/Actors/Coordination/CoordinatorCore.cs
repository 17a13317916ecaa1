using FedActors.Actors.Aggregation;
using FedActors.Actors.Attacks;
using FedActors.Actors.Clients;
using FedActors.Actors.Jobs;
using FedActors.Actors.Population;
using FedActors.Actors.Simulation;
using FedActors.Actors.Updates;
using static FedActors.Actors.Coordination.CoordinatorEffects;

namespace FedActors.Actors.Coordination;

/// <summary>
/// The coordinator's scheduling, free of actors, threads and clocks: which client trains next, when a result is
/// taken, when the strategy steps, when to evaluate and when the run ends. Inputs are method calls (an update
/// arrived, an evaluation finished, time passed); outputs are <see cref="ICoordinatorEffect"/>s for the actor shell
/// to carry out. What an update does to the model is the <see cref="IAggregationStrategy"/>'s; when jobs go out is its
/// <see cref="Participation"/>'s (<see cref="IJobSchedule"/>).
/// </summary>
/// <remarks>
/// <para>Virtual clock: every dispatched job gets a virtual finish time from its device profile. Results
/// are applied strictly in (finish time, job id) order; one that arrives early is held until every job
/// that finishes before it has arrived. Dropped-out jobs are never sent; they expire at dispatch time +
/// job-timeout. Same config and seed → same decisions, whatever the real arrival order.</para>
/// <para>Wall clock: results are applied as they arrive, at the time the shell passes in; each job
/// expires at dispatch + job-timeout if it has not reported by then (see <see cref="OnTick"/>).</para>
/// <para>Not thread-safe: the shell owns it.</para>
/// </remarks>
public sealed partial class CoordinatorCore : IScheduleHost
{
    private readonly RunSettings _run;
    private readonly SimulationSettings _simulation;
    private readonly int _dimension;
    private readonly int _population;
    private readonly UpdateIntake _intake;
    private readonly IJobSchedule _schedule;
    private readonly CoordinatorState _state;
    private readonly JobDispatcher _dispatcher;
    private readonly UnusableResults _unusable;
    private readonly List<ICoordinatorEffect> _out = new();
    private bool _started, _resumeFromStep;
    // Winding down: no new work, the final evaluation pending; finished once it is recorded.
    private bool _finishing, _finished;
    private RunStatus _status = RunStatus.Completed;
    // Under a DP budget, the most steps one client may contribute to (ClientLevelAccounting); null without one.
    private readonly int? _participationBudget;
    // Under a DP budget with Poisson rounds, the most steps the run may release (ClientLevelAccounting.StepBudget).
    private readonly long? _stepBudget;

    /// <summary>Creates the core for a run starting from <paramref name="initialWeights"/> (version 0).</summary>
    /// <param name="run">Seed, length, evaluation cadence, local training.</param>
    /// <param name="strategy">The aggregation strategy's settings (<c>fedactors.server</c>).</param>
    /// <param name="simulation">Clock and devices.</param>
    /// <param name="population">The clients.</param>
    /// <param name="initialWeights">Version 0.</param>
    public CoordinatorCore(RunSettings run, IStrategySettings strategy, SimulationSettings simulation, IClientDataSource population, float[] initialWeights)
    {
        _run = run ?? throw new ArgumentNullException(nameof(run));
        ArgumentNullException.ThrowIfNull(strategy);
        _simulation = simulation ?? throw new ArgumentNullException(nameof(simulation));
        ArgumentNullException.ThrowIfNull(population);
        ArgumentNullException.ThrowIfNull(initialWeights);
        _dimension = initialWeights.Length;
        _population = population.ClientCount;
        _state = new CoordinatorState { ChargesReleases = run.Privacy.ChargesReleases };
        var accounting = Privacy.ClientLevelAccounting.For(run.Privacy, population.ClientCount);
        int? budget = accounting?.ParticipationBudget();
        // Local DP charges a release when its job goes out, so its budget is enforced there; central DP when a step takes it.
        _participationBudget = run.Privacy.ChargesReleases ? null : budget;
        _stepBudget = accounting?.StepBudget();
        _dispatcher = new JobDispatcher(run, simulation, population, _state) { ReleaseBudget = run.Privacy.ChargesReleases ? budget : null };
        Current = new ModelVersion(0, initialWeights);
        if (run.Transforms.NeedsLayers && run.LayerSizes.Sum() != _dimension)
            throw new ArgumentException($"the update pipeline works layer by layer and the run's layer sizes ({run.LayerSizes.Count} layers of {run.LayerSizes.Sum()} values) do not cover the model's {_dimension}", nameof(run));
        _intake = new UpdateIntake(strategy.Create(_dimension), run.Transforms.Create(), run.Seed, _dimension, _state)
        {
            Layers = run.LayerSizes.ToArray(),
            Malicious = run.Attack.Kind == AttackKind.None ? null : run.Attack.Malicious(),
        };
        (_schedule, int concurrency) = _intake.Strategy.Participation switch
        {
            Participation.Continuous c => ((IJobSchedule)new ContinuousSchedule(c.Concurrency), c.Concurrency),
            Participation.Rounds r => (new RoundSchedule(r), r.SelectedPerRound),
            Participation.Cohorts c => (new CohortSchedule(c), c.Size * c.InFlight),
            var p => throw new ArgumentException($"unknown participation {p}", nameof(strategy)),
        };
        _unusable = new UnusableResults(concurrency);
    }

    /// <summary>
    /// Null (one process): <c>bytes_up</c> and <c>bytes_down</c> count the wire size of every update taken and of
    /// one whole model per job dispatched. Set (a cluster): they count what the meter measured, on top of what a
    /// restored checkpoint had counted.
    /// </summary>
    public IWireMeter? Meter { get => _state.Traffic.Meter; set => _state.Traffic.Meter = value; }

    /// <summary>The latest published model version.</summary>
    public ModelVersion Current { get; private set; }

    /// <summary>
    /// Where update arrays go once the core is done with them (stepped or rejected), for trainers to reuse; null leaves
    /// them to the collector. Set it only when nothing else holds the updates the core is fed (not when results are
    /// journaled, which serializes them later).
    /// </summary>
    public DeltaBufferPool? RecycleDeltas { get => _intake.Recycle; set => _intake.Recycle = value; }

    /// <summary>Current time: virtual seconds, or the last wall time passed in.</summary>
    public double Now { get; private set; }

    /// <summary>Jobs dispatched and not yet resolved.</summary>
    public int InFlight => _state.Jobs.Count;

    /// <summary>Model versions still referenced by in-flight jobs (besides <see cref="Current"/>).</summary>
    public int RetainedVersions => _state.Jobs.VersionsInUse.Count;

    /// <summary>Why the run failed, when it did.</summary>
    public string? FailureReason { get; private set; }

    /// <summary>The first evaluation at or above the target accuracy, if any.</summary>
    public TargetReached? Target => _state.Evaluations.Target;

    /// <summary>Applied updates per client since the start.</summary>
    public IReadOnlyDictionary<int, int> Participation => _state.Participation.Counts;

    /// <summary>A snapshot of the cumulative counters.</summary>
    public RunCounters Counters => _state.Counters(Current.Number, Now);

    /// <summary>The clients selection is limited to (see <see cref="OnReachableClients"/>), or null when it is the whole population.</summary>
    public IReadOnlyList<int>? ReachableClients => _dispatcher.Clients.Reachable;

    bool IScheduleHost.Finishing => _finishing;

    int IScheduleHost.PendingUpdates => _intake.Strategy.Pending;

    /// <summary>Starts the run at <paramref name="now"/> (ignored under the virtual clock, which starts at 0): evaluates version 0 and fills the slots.</summary>
    public IReadOnlyList<ICoordinatorEffect> Start(double now = 0)
    {
        _out.Clear();
        if (_simulation.Clock == ClockMode.Wall) Now = now;
        _started = true;
        RequestEvaluation();
        // Version 0 is a step boundary too: a run that dies before its first step resumes from here.
        _out.Add(new StepCommitted(Checkpoint(), Current));
        if (_stepBudget == 0) BeginFinish(RunStatus.BudgetExhausted); // not even one step fits the target
        Refill();
        Drain();
        return Flush();
    }

    /// <summary>A client's update or failure arrived (at wall time <paramref name="now"/>; ignored under the virtual clock).</summary>
    public IReadOnlyList<ICoordinatorEffect> OnResult(ClientProtocol.IClientResult result, double now = 0)
    {
        ArgumentNullException.ThrowIfNull(result);
        return Handle((result, now), static (core, a) => core.Arrive(a.result, a.now));
    }

    /// <summary>Wall clock only: time has moved to <paramref name="now"/>; expires overdue jobs and deadlines.</summary>
    public IReadOnlyList<ICoordinatorEffect> OnTick(double now) => Handle(now, static (core, t) => core.AdvanceClock(t));

    /// <summary>Wall clock: true when <see cref="OnTick"/> at <paramref name="now"/> would fire a timeout, deadline or retry.</summary>
    public bool HasDueEvents(double now) =>
        _simulation.Clock == ClockMode.Wall && !_finished && !_finishing && now > Now && _state.Events.TryPeek(out var next) && next.Time <= now;

    /// <summary>
    /// Wall clock with real clients: from now on only <paramref name="clients"/> (registered, on reachable
    /// nodes) are selected, and they train on their own devices, so the simulated device profile's
    /// availability and dropout do not apply to them. Jobs already in flight are left alone: a client
    /// whose node left reports a failure through its gateway, or its job times out. Free slots are filled
    /// at once when the set grows.
    /// </summary>
    /// <param name="clients">The selectable clients; may be empty.</param>
    /// <param name="now">Wall seconds now.</param>
    /// <exception cref="InvalidOperationException">Under the virtual clock, whose runs must not depend on who is connected.</exception>
    public IReadOnlyList<ICoordinatorEffect> OnReachableClients(IReadOnlyCollection<int> clients, double now)
    {
        ArgumentNullException.ThrowIfNull(clients);
        if (_simulation.Clock != ClockMode.Wall)
            throw new InvalidOperationException("registered real clients need fedactors.simulation.clock = wall; a virtual-clock run selects from its configured population");
        _dispatcher.Clients.LimitTo(clients);
        _out.Clear();
        // Before the start (or a restored core's resume) time must not move: a resume replays journaled inputs first.
        if (_started && !_finished)
        {
            AdvanceClock(now);
            Refill();
        }
        return Flush();
    }

    /// <summary>Stops gracefully: no new work, a final evaluation, then <see cref="RunFinished"/> with status stopped.</summary>
    public IReadOnlyList<ICoordinatorEffect> RequestStop() => Handle(RunStatus.Stopped, static (core, status) =>
    {
        if (!core._finishing) core.BeginFinish(status);
    });

    /// <summary>True when a result for <paramref name="job"/> would be taken: the job is in flight and has not answered yet.</summary>
    public bool IsAwaiting(JobId job) =>
        !_finished && !_finishing && _state.Jobs.TryGet(job.Value, out var j) && j.Result is null && !j.Dropped;

    private void AdvanceClock(double now)
    {
        if (_simulation.Clock != ClockMode.Wall || _finished || now <= Now) return;
        Now = now;
        while (!_finishing && _state.Events.TryPeek(out var next) && next.Time <= now)
        {
            _state.Events.RemoveNext();
            Fire(next);
        }
    }

    private void Arrive(ClientProtocol.IClientResult result, double now)
    {
        if (_finished || _finishing || _state.Awaited(result.Job) is not { } job) return;
        if (job.Parked)
        {
            ArriveParked(job, result, now);
            return;
        }
        if (_simulation.Clock == ClockMode.Wall)
        {
            Now = Math.Max(Now, now);
            Resolve(job, result);
        }
        else
        {
            job.Result = result;
            _state.Jobs.Touch(job.Id);
            Drain();
        }
    }

    /// <summary>Virtual clock: applies every event whose turn has come, in (time, kind, id) order.</summary>
    private void Drain()
    {
        if (_simulation.Clock != ClockMode.Virtual) return;
        while (!_finishing && _state.Events.TryPeek(out var next))
        {
            // A cohort that is due waits for parked updates a restore lost: nothing may overtake its step.
            if (_schedule.Blocked) return;
            // Whether to stop depends on the pending evaluation: decide it before the model moves on.
            if (_run.StopAtTarget && _run.TargetAccuracy is not null && _state.Evaluations.HasPending) return;
            if (next.Kind == (int)EventKind.Finish)
            {
                if (!_state.Jobs.TryGet(next.Id, out var job))
                {
                    _state.Events.RemoveNext();
                    continue;
                }
                if (job.Result is null) return; // an earlier-finishing job has not arrived yet: hold everything after it
            }
            _state.Events.RemoveNext();
            Now = next.Time;
            Fire(next);
        }
    }

    private void Fire(CheckpointEvent e)
    {
        switch ((EventKind)e.Kind)
        {
            case EventKind.Finish:
                _state.Jobs.TryGet(e.Id, out var finished);
                Resolve(finished, finished.Result!);
                break;
            case EventKind.Timeout:
                if (_state.Jobs.TryGet(e.Id, out var job) && !job.Parked) Expire(job);
                break;
            case EventKind.Deadline:
                _schedule.DeadlineDue(e.Id, this);
                break;
            case EventKind.Retry:
                _state.RetryPending = false;
                Refill();
                break;
        }
    }

    private void Resolve(InFlightJob job, object result)
    {
        if (result is ClientProtocol.ClientUpdate && _schedule.HoldsResults)
        {
            Park(job, result);
            return;
        }
        Release(job);
        switch (result)
        {
            case ClientProtocol.JobFailed f:
                _unusable.TrainingFailed(f.Reason);
                RejectUnusable("failed");
                break;
            case ClientProtocol.ClientUpdate u:
                if (!TakeUpdate(job, u, _schedule.IsLate(job.Round))) return;
                break;
        }
        AfterResolution();
    }

    // Offers the update to the strategy; false when the privacy budget ended the run instead.
    private bool TakeUpdate(InFlightJob job, ClientProtocol.ClientUpdate u, bool late)
    {
        if (_participationBudget is { } budget && _state.Participation.Counts.GetValueOrDefault(job.ClientId) >= budget)
        {
            // One more contribution from this client would spend more than the privacy budget: no step takes it.
            BeginFinish(RunStatus.BudgetExhausted);
            return false;
        }
        // Taken, whatever the strategy makes of it: the client's next job continues from this one.
        _state.LastResults.Took(job.ClientId, job.Id);
        var (applied, rejection) = _intake.Take(job, u, Current.Number, late);
        if (applied is not null)
        {
            _out.Add(new UpdateApplied(applied));
            if (_intake.Strategy.IsStepDue) _schedule.StepDue(this);
        }
        // A straggler of a closed round is on time for nothing, not broken.
        else if (rejection == "late") _state.Tally.Reject(rejection);
        else if (rejection is not null) RejectUnusable(rejection);
        return true;
    }

    private void Expire(InFlightJob job)
    {
        Release(job);
        _state.GaveUp(job, late: false);
        AfterResolution();
    }

    private void AfterResolution()
    {
        if (!_finishing) _schedule.AfterResolution(this);
    }

    /// <summary>Aggregates what the strategy took, lets it step, and publishes the result.</summary>
    void IScheduleHost.Step()
    {
        if (_intake.TryStep(Current) is { } next) Publish(next);
    }

    private void Publish(float[] weights)
    {
        Current = new ModelVersion(Current.Number + 1, weights);
        _unusable.Stepped();
        long step = Current.Number;
        if (step >= _run.MaxServerSteps) BeginFinish(RunStatus.Completed);
        else if (step >= _stepBudget) BeginFinish(RunStatus.BudgetExhausted); // the next step would spend past the target
        else if (step % _run.EvalEverySteps == 0) RequestEvaluation();
        // BeginFinish always leaves the final evaluation pending, so the run cannot have ended here.
        _out.Add(new StepCommitted(Checkpoint(), Current));
    }

    private void Refill()
    {
        if (!_finishing) _schedule.Refill(this);
    }

    void IScheduleHost.ScheduleRetry() => _dispatcher.ScheduleRetry(Now);

    void IScheduleHost.ScheduleDeadline(long round, double time) => _state.Events.Add(EventKind.Deadline, round, time);

    bool IScheduleHost.TryDispatch(long round) => Dispatch(round, chosen: null);

    // One job of round to a free client (or to chosen, if it is free); a local-DP budget that refuses it ends the run.
    private bool Dispatch(long round, int? chosen)
    {
        if (!_dispatcher.TryDispatch(round, Current, Now, out var job, chosen))
        {
            if (_dispatcher.BudgetExhausted && !_finishing) BeginFinish(RunStatus.BudgetExhausted);
            return false;
        }
        if (job is not null) _out.Add(new DispatchJob(job));
        return true;
    }

    void IScheduleHost.ReleaseLate(long round)
    {
        // Whoever has not reported is too late for this round: counted now, ignored when it arrives.
        foreach (var job in _state.Jobs.InIdOrder.Where(j => j.Round == round && !j.Parked).ToList())
        {
            Release(job);
            _state.GaveUp(job, late: true);
        }
    }

    void IScheduleHost.Fail(string reason)
    {
        FailureReason = reason;
        BeginFinish(RunStatus.Failed);
    }

    private void Release(InFlightJob job)
    {
        _state.Jobs.Release(job);
        _schedule.Released(job.Round);
    }

    // Rejects a result that brought no usable update and fails the run once too many came since the last step.
    private void RejectUnusable(string reason)
    {
        _state.Tally.Reject(reason);
        if (_unusable.Count(reason, Current.Number) is { } failure && !_finishing) ((IScheduleHost)this).Fail(failure);
    }

    /// <summary>The state right after the current step (see <see cref="CoordinatorCheckpoint"/>).</summary>
    private CoordinatorCheckpoint Checkpoint()
    {
        var strategy = _intake.Strategy;
        if (strategy.Pending != 0)
            throw new InvalidOperationException($"a checkpoint is only taken at a step boundary, but the strategy holds {strategy.Pending} updates");
        return _state.ToCheckpoint(Current, Now, new RunLifecycle(_finishing, _finished, _status, FailureReason), _schedule.ToCheckpoint(), strategy.OptimizerState)
            with { Wrapper = strategy.WrapperState };
    }

    // One input: the effects it leads to, in order. Static handlers with their arguments, so that no closure is allocated per input.
    private IReadOnlyList<ICoordinatorEffect> Handle<T>(T arguments, Action<CoordinatorCore, T> input)
    {
        _out.Clear();
        input(this, arguments);
        return Flush();
    }

    private IReadOnlyList<ICoordinatorEffect> Flush() => _out.ToArray();
}
