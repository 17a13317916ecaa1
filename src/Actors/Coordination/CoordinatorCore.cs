using FedActors.Actors.Aggregation;
using FedActors.Actors.Clients;
using FedActors.Actors.Jobs;
using FedActors.Actors.Population;
using FedActors.Actors.Simulation;
using FedActors.Actors.Updates;
using FedActors.Training;
using FedActors.Training.Evaluation;
using static FedActors.Actors.Coordination.CoordinatorEffects;

namespace FedActors.Actors.Coordination;

/// <summary>
/// The coordinator's decisions, free of actors, threads and clocks: which client trains next, when an
/// update is applied, when a server step happens, when to evaluate and when the run ends. Inputs are
/// method calls (an update arrived, an evaluation finished, time passed); outputs are
/// <see cref="ICoordinatorEffect"/>s for the actor shell to carry out.
/// </summary>
/// <remarks>
/// <para>Virtual clock: every dispatched job gets a virtual finish time from its device profile. Results
/// are applied strictly in (finish time, job id) order; one that arrives early is held until every job
/// that finishes before it has arrived. Dropped-out jobs are never sent; they expire at dispatch time +
/// job-timeout. Same config and seed → same decisions, whatever the real arrival order.</para>
/// <para>Wall clock: results are applied as they arrive, at the time the shell passes in; each job
/// expires at dispatch + job-timeout if it has not reported by then (see <see cref="OnTick"/>).</para>
/// <para>Algorithms: FedBuff (Nguyen et al. 2022), FedAsync (Xie et al. 2019), FedAvg (McMahan et al.
/// 2017) with over-selection (Bonawitz et al. 2019). Not thread-safe: the shell owns it.</para>
/// </remarks>
public sealed partial class CoordinatorCore
{
    private const ulong SelectionPurpose = 0xC0DE_0001;

    private readonly RunSettings _run;
    private readonly ServerSettings _server;
    private readonly SimulationSettings _simulation;
    private readonly IClientDataSource _population;
    private readonly DeviceProfiles _devices;
    private readonly ClientSelector _selector;
    private readonly int _dimension;

    private readonly Dictionary<long, InFlightJob> _inFlight = new();
    private readonly HashSet<int> _busy = new();
    private readonly HashSet<long> _abandoned = new();
    private readonly Dictionary<long, int> _versionRefs = new();
    private readonly EventSchedule _events = new();
    // What changed since the last checkpoint, which lists only that (see CoordinatorCheckpoint.IsDelta).
    private readonly HashSet<long> _jobsTouched = new();
    private readonly List<long> _jobsReleased = new();
    private readonly SetChanges<long> _abandonedChanges = new();
    private bool _checkpointed;
    private long _checkpointNextJob;
    private readonly List<ICoordinatorEffect> _out = new();

    private readonly UpdateBuffer? _buffer;
    private readonly IServerOptimizer? _optimizer;
    private readonly float[] _pseudoGradient;
    private readonly List<float[]> _aggregated = new();

    // FedAvg round state.
    private long _round;
    private bool _roundOpen;
    private int _roundOutstanding;
    private int _roundReceived;
    private double _roundWeight;

    // Counters.
    private readonly Dictionary<string, long> _rejected = new();
    private readonly Dictionary<int, int> _participation = new();
    private readonly HashSet<int> _participationChanged = new();
    private int _recordsCheckpointed;
    private long _updatesApplied, _droppedStale, _jobsDispatched, _jobsDropped, _samplesTrained, _bytesUp, _bytesDown;
    private double _trainSeconds;

    // Window diagnostics since the last evaluation request.
    private readonly SortedDictionary<int, long> _stalenessWindow = new();
    private int _windowUpdates, _windowMaxStaleness, _cosineCount;
    private double _windowStalenessSum, _normMean, _normM2, _cosineSum;
    private int _maxParticipation;

    // Evaluations.
    private readonly SortedDictionary<long, PendingEvaluation> _pendingEvaluations = new();
    private readonly List<EvaluationRecord> _records = new();
    private long _lastEvaluationRequested = -1;

    // Wall clock with real clients: the registered clients whose nodes are reachable; null selects from the whole population.
    private int[]? _reachable;
    private bool _started;

    private long _nextJob;
    private bool _retryPending;
    private bool _finishing;
    private int _emptyRounds;
    // Unusable results since the last server step, by reason. Always empty right after a step, where checkpoints are
    // taken, so a resumed run counts exactly as an uninterrupted one.
    private readonly SortedDictionary<string, int> _unusableSinceStep = new(StringComparer.Ordinal);
    private string? _lastFailure;

    /// <summary>
    /// Synchronous rounds that may close in a row without a single update before the run fails: a round
    /// deadline shorter than every job would otherwise open empty rounds forever.
    /// </summary>
    public const int MaxConsecutiveEmptyRounds = 100;

    /// <summary>
    /// Results that may come back unusable (failed, malformed or non-finite) before the next server step, at the least,
    /// before the run fails: a model that diverged, or trainers that always fail, would otherwise keep every slot busy
    /// with work that is thrown away, and the run would never end. The limit is the larger of this and ten times the
    /// concurrency, so an occasional bad client never stops a run.
    /// </summary>
    public const int MinUnusableResultsPerStep = 1000;

    /// <summary>Why the run failed, when it did.</summary>
    public string? FailureReason { get; private set; }
    private RunStatus _status = RunStatus.Completed;

    /// <summary>Creates the core for a run starting from <paramref name="initialWeights"/> (version 0).</summary>
    public CoordinatorCore(RunSettings run, ServerSettings server, SimulationSettings simulation, IClientDataSource population, float[] initialWeights)
    {
        _run = run ?? throw new ArgumentNullException(nameof(run));
        _server = server ?? throw new ArgumentNullException(nameof(server));
        _simulation = simulation ?? throw new ArgumentNullException(nameof(simulation));
        _population = population ?? throw new ArgumentNullException(nameof(population));
        ArgumentNullException.ThrowIfNull(initialWeights);
        _dimension = initialWeights.Length;
        _devices = new DeviceProfiles(simulation.Device, run.Seed);
        _selector = new ClientSelector(population.ClientCount, _devices);
        Current = new ModelVersion(0, initialWeights);
        _pseudoGradient = new float[_dimension];
        if (server.Algorithm == FlAlgorithm.FedBuff)
            _buffer = new UpdateBuffer(_dimension, new UpdateBufferOptions(server.BufferSize, server.Weighting, server.Staleness));
        if (server.Algorithm != FlAlgorithm.FedAsync)
            _optimizer = ServerOptimizers.Create(server.Optimizer, _dimension, server.OptimizerParameters);
    }

    /// <summary>
    /// Null (one process): <c>bytes_up</c> and <c>bytes_down</c> count <see cref="WireSize"/> for every update taken and
    /// one whole model per job dispatched. Set (a cluster): they count what the meter measured on the wire, on top
    /// of what a restored checkpoint had counted. Bytes change no decision of the run.
    /// </summary>
    public IWireMeter? Meter { get; set; }

    private long BytesUp => _bytesUp + (Meter?.BytesUp ?? 0);

    private long BytesDown => _bytesDown + (Meter?.BytesDown ?? 0);

    /// <summary>The latest published model version.</summary>
    public ModelVersion Current { get; private set; }

    /// <summary>
    /// Where update arrays go once the core is done with them (folded and stepped, or rejected), for trainers to
    /// reuse; null leaves them to the collector. Set it only when nothing else holds the updates the core is fed
    /// (not when results are journaled, which serializes them later).
    /// </summary>
    public DeltaBufferPool? RecycleDeltas { get; set; }

    /// <summary>Current time: virtual seconds, or the last wall time passed in.</summary>
    public double Now { get; private set; }

    /// <summary>Jobs dispatched and not yet resolved.</summary>
    public int InFlight => _inFlight.Count;

    /// <summary>Clients with a job in flight.</summary>
    public IReadOnlySet<int> BusyClients => _busy;

    /// <summary>Model versions still referenced by in-flight jobs (besides <see cref="Current"/>).</summary>
    public int RetainedVersions => _versionRefs.Count;

    /// <summary>True once the run has ended.</summary>
    public bool IsFinished { get; private set; }

    /// <summary>Final status (meaningful once <see cref="IsFinished"/>).</summary>
    public RunStatus Status => _status;

    /// <summary>Completed evaluation records in step order.</summary>
    public IReadOnlyList<EvaluationRecord> Evaluations => _records;

    /// <summary>The first evaluation at or above the target accuracy, if any.</summary>
    public TargetReached? Target { get; private set; }

    /// <summary>Applied updates per client since the start.</summary>
    public IReadOnlyDictionary<int, int> Participation => _participation;

    /// <summary>A snapshot of the cumulative counters.</summary>
    public RunCounters Counters => new(Current.Number, _updatesApplied, new SortedDictionary<string, long>(_rejected, StringComparer.Ordinal),
        _droppedStale, _jobsDispatched, _jobsDropped, _samplesTrained, _trainSeconds, BytesUp, BytesDown, Now);

    /// <summary>Starts the run at <paramref name="now"/> (ignored under the virtual clock, which starts at 0): evaluates version 0 and fills the slots.</summary>
    public IReadOnlyList<ICoordinatorEffect> Start(double now = 0)
    {
        _out.Clear();
        if (_simulation.Clock == ClockMode.Wall) Now = now;
        _started = true;
        RequestEvaluation();
        // Version 0 is a step boundary too: a run that dies before its first step resumes from here.
        _out.Add(new StepCommitted(Checkpoint(), Current));
        Refill();
        Drain();
        return Flush();
    }

    /// <summary>A client's update arrived (at wall time <paramref name="now"/>; ignored under the virtual clock).</summary>
    public IReadOnlyList<ICoordinatorEffect> OnUpdate(ClientProtocol.ClientUpdate update, double now = 0)
    {
        ArgumentNullException.ThrowIfNull(update);
        _out.Clear();
        Arrive(update.Job, update, now);
        return Flush();
    }

    /// <summary>A client could not train.</summary>
    public IReadOnlyList<ICoordinatorEffect> OnJobFailed(ClientProtocol.JobFailed failure, double now = 0)
    {
        ArgumentNullException.ThrowIfNull(failure);
        _out.Clear();
        Arrive(failure.Job, failure, now);
        return Flush();
    }

    /// <summary>Wall clock only: time has moved to <paramref name="now"/>; expires overdue jobs and deadlines.</summary>
    public IReadOnlyList<ICoordinatorEffect> OnTick(double now)
    {
        _out.Clear();
        AdvanceClock(now);
        return Flush();
    }

    /// <summary>Wall clock: true when <see cref="OnTick"/> at <paramref name="now"/> would fire a timeout, deadline or retry.</summary>
    public bool HasDueEvents(double now) =>
        _simulation.Clock == ClockMode.Wall && !IsFinished && !_finishing && now > Now && _events.TryPeek(out _, out var at) && at.Time <= now;

    private void AdvanceClock(double now)
    {
        if (_simulation.Clock != ClockMode.Wall || IsFinished || now <= Now) return;
        Now = now;
        while (!_finishing && _events.TryPeek(out var ev, out var at) && at.Time <= now)
        {
            _events.RemoveNext();
            Fire(ev);
        }
    }

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
        foreach (var c in clients)
            if ((uint)c >= (uint)_population.ClientCount)
                throw new ArgumentOutOfRangeException(nameof(clients), $"client id {c} is outside the population [0, {_population.ClientCount})");
        _out.Clear();
        _reachable = clients.Distinct().Order().ToArray();
        // Before the start (or a restored core's resume) time must not move: a resume replays journaled inputs first.
        if (_started && !IsFinished)
        {
            AdvanceClock(now);
            Refill();
        }
        return Flush();
    }

    /// <summary>The clients selection is limited to (see <see cref="OnReachableClients"/>), or null when it is the whole population.</summary>
    public IReadOnlyList<int>? ReachableClients => _reachable;

    /// <summary>An evaluation requested by <see cref="EvaluateModel"/> finished.</summary>
    public IReadOnlyList<ICoordinatorEffect> OnEvaluated(long serverStep, EvaluationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        _out.Clear();
        Evaluated(serverStep, result);
        return Flush();
    }

    /// <summary>True while an evaluation of <paramref name="serverStep"/> is awaited.</summary>
    public bool IsAwaitingEvaluation(long serverStep) =>
        _pendingEvaluations.TryGetValue(serverStep, out var pending) && pending.Result is null;

    private void Evaluated(long serverStep, EvaluationResult result)
    {
        if (_pendingEvaluations.TryGetValue(serverStep, out var pending) && pending.Result is null)
        {
            pending.Result = result;
            EmitEvaluations();
            Drain(); // results held while this evaluation was pending (stop-at-target) may go on now
        }
    }

    /// <summary>Stops gracefully: no new work, a final evaluation, then <see cref="RunFinished"/> with status stopped.</summary>
    public IReadOnlyList<ICoordinatorEffect> RequestStop()
    {
        _out.Clear();
        if (!_finishing) BeginFinish(RunStatus.Stopped);
        return Flush();
    }

    private void Arrive(JobId id, object result, double now)
    {
        if (IsFinished || _finishing) return;
        if (_abandoned.Remove(id.Value))
        {
            _abandonedChanges.Removed(id.Value);
            return; // counted when it was given up
        }
        if (!_inFlight.TryGetValue(id.Value, out var job))
        {
            Reject(id.Value < 0 || id.Value >= _nextJob ? "unknown_job" : "duplicate");
            return;
        }
        if (job.Result is not null || job.Dropped)
        {
            Reject(job.Dropped ? "unknown_job" : "duplicate");
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
            _jobsTouched.Add(job.Id);
            Drain();
        }
    }

    /// <summary>Virtual clock: applies every event whose turn has come, in (time, kind, id) order.</summary>
    private void Drain()
    {
        if (_simulation.Clock != ClockMode.Virtual) return;
        while (!_finishing && _events.TryPeek(out var ev, out var at))
        {
            // Whether to stop depends on the pending evaluation: decide it before the model moves on.
            if (_run.StopAtTarget && _run.TargetAccuracy is not null && _pendingEvaluations.Count > 0) return;
            if (ev.Kind == EventKind.Finish)
            {
                if (!_inFlight.TryGetValue(ev.Id, out var job))
                {
                    _events.RemoveNext();
                    continue;
                }
                if (job.Result is null) return; // an earlier-finishing job has not arrived yet: hold everything after it
            }
            _events.RemoveNext();
            Now = at.Time;
            Fire(ev);
        }
    }

    private void Fire(TimedEvent ev)
    {
        switch (ev.Kind)
        {
            case EventKind.Finish:
                Resolve(_inFlight[ev.Id], _inFlight[ev.Id].Result!);
                break;
            case EventKind.Timeout:
                if (_inFlight.TryGetValue(ev.Id, out var job)) Expire(job);
                break;
            case EventKind.Deadline:
                if (_roundOpen && ev.Id == _round) CloseRound();
                break;
            case EventKind.Retry:
                _retryPending = false;
                Refill();
                break;
        }
    }

    private void Resolve(InFlightJob job, object result)
    {
        Release(job);
        switch (result)
        {
            case ClientProtocol.JobFailed f:
                _lastFailure = f.Reason;
                RejectUnusable("failed");
                break;
            case ClientProtocol.ClientUpdate u:
                if (Meter is null) _bytesUp += WireSize.Of(u.Delta.Length);
                _samplesTrained += u.Stats.Samples;
                _trainSeconds += u.Stats.ComputeSeconds;
                string? rejection =
                    u.ClientId != job.ClientId ? "client_mismatch"
                    : u.BaseVersion != job.Base.Number ? "base_version_mismatch"
                    : u.Delta.Length != _dimension ? "wrong_length"
                    // FedBuff's buffer checks finiteness as it adds the update: one pass over it instead of two.
                    : _server.Algorithm != FlAlgorithm.FedBuff && !Vectors.AllFinite(u.Delta) ? "non_finite"
                    : _server.Algorithm == FlAlgorithm.FedAvg && job.Round != _round ? "late"
                    : null;
                if (rejection is null) Accept(job, u);
                // A straggler of a closed round is on time for nothing, not broken.
                else if (rejection == "late") Reject(rejection, u.Delta);
                else RejectUnusable(rejection, u.Delta);
                break;
        }
        AfterResolution();
    }

    private void Expire(InFlightJob job)
    {
        Release(job);
        _jobsDropped++;
        // Under the wall clock the job was sent and may still report: ignore it then.
        if (!job.Dropped && _abandoned.Add(job.Id)) _abandonedChanges.Added(job.Id);
        AfterResolution();
    }

    private void AfterResolution()
    {
        if (_finishing) return;
        if (_server.Algorithm == FlAlgorithm.FedAvg)
        {
            if (_roundOpen && _roundOutstanding == 0) CloseRound();
        }
        else Refill();
    }

    private void Accept(InFlightJob job, ClientProtocol.ClientUpdate u)
    {
        int staleness = checked((int)(Current.Number - job.Base.Number));
        if (_server.Algorithm != FlAlgorithm.FedAvg && _server.MaxStaleness is int max && staleness > max)
        {
            _droppedStale++;
            RecycleDeltas?.Return(u.Delta);
            return;
        }
        int samples = (int)Math.Min(u.Stats.Samples, int.MaxValue);
        switch (_server.Algorithm)
        {
            case FlAlgorithm.FedBuff:
                var admission = _buffer!.TryAdd(u.Delta, samples, staleness);
                if (admission != BufferAdmission.Accepted)
                {
                    RejectUnusable(admission switch
                    {
                        BufferAdmission.NoSamples => "no_samples",
                        // A non-finite update, or one whose weighted sum overflows: either way the model has diverged.
                        BufferAdmission.NonFinite => "non_finite",
                        BufferAdmission.TooStale => "too_stale",
                        _ => "buffer_full",
                    }, u.Delta);
                    return;
                }
                Applied(job, u, staleness);
                _aggregated.Add(u.Delta);
                if (_buffer.IsFull)
                {
                    _buffer.TryFlush(_pseudoGradient);
                    StepWithPseudoGradient();
                }
                break;
            case FlAlgorithm.FedAsync:
                double alphaT = FedAsyncMixing.Alpha(_server.FedAsyncAlpha, _server.Staleness, staleness);
                var next = new float[_dimension];
                FedAsyncMixing.Apply(Current.Weights, job.Base.Weights, u.Delta, alphaT, next);
                Applied(job, u, staleness);
                RecycleDeltas?.Return(u.Delta);
                Publish(next);
                break;
            case FlAlgorithm.FedAvg:
                if (samples == 0)
                {
                    RejectUnusable("no_samples", u.Delta);
                    return;
                }
                WeightedAverage.Accumulate(_pseudoGradient, u.Delta, samples);
                _roundWeight += samples;
                _roundReceived++;
                Applied(job, u, staleness);
                _aggregated.Add(u.Delta);
                if (_roundReceived >= _server.ClientsPerRound) CloseRound();
                break;
        }
    }

    private void Applied(InFlightJob job, ClientProtocol.ClientUpdate u, int staleness)
    {
        _updatesApplied++;
        _windowUpdates++;
        _windowStalenessSum += staleness;
        _windowMaxStaleness = Math.Max(_windowMaxStaleness, staleness);
        _stalenessWindow[staleness] = _stalenessWindow.GetValueOrDefault(staleness) + 1;
        // Welford's running mean and variance of the update norms.
        double norm = u.Stats.UpdateNorm;
        double d = norm - _normMean;
        _normMean += d / _windowUpdates;
        _normM2 += d * (norm - _normMean);
        int count = _participation[job.ClientId] = _participation.GetValueOrDefault(job.ClientId) + 1;
        _participationChanged.Add(job.ClientId);
        _out.Add(new UpdateApplied(new AppliedUpdate(Current.Number + 1, new JobId(job.Id), job.ClientId, job.Base.Number, staleness)));
        _maxParticipation = Math.Max(_maxParticipation, count);
    }

    /// <summary>Server optimizer step on the pseudo-gradient in <see cref="_pseudoGradient"/>, then publish.</summary>
    private void StepWithPseudoGradient()
    {
        foreach (var delta in _aggregated)
        {
            _cosineSum += Vectors.CosineSimilarity(delta, _pseudoGradient);
            _cosineCount++;
            RecycleDeltas?.Return(delta);
        }
        _aggregated.Clear();
        var next = new float[_dimension];
        _optimizer!.Step(Current.Weights, _pseudoGradient, next);
        Array.Clear(_pseudoGradient);
        Publish(next);
    }

    private void Publish(float[] weights)
    {
        Current = new ModelVersion(Current.Number + 1, weights);
        _unusableSinceStep.Clear();
        _lastFailure = null;
        long step = Current.Number;
        if (step >= _run.MaxServerSteps) BeginFinish(RunStatus.Completed);
        else if (step % _run.EvalEverySteps == 0) RequestEvaluation();
        // BeginFinish always leaves the final evaluation pending, so the run cannot have ended here.
        _out.Add(new StepCommitted(Checkpoint(), Current));
    }

    private void StartRound()
    {
        int target = (int)Math.Ceiling(_server.ClientsPerRound * (1 + _server.OverSelection) - 1e-9);
        _round++;
        _roundOpen = true;
        for (int i = 0; i < target && TryDispatch(); i++) { }
        if (_roundOutstanding == 0)
        {
            // Nobody available: try again a little later.
            _roundOpen = false;
            ScheduleRetry();
            return;
        }
        if (_server.RoundDeadline is double deadline)
            _events.Add(EventKind.Deadline, _round, Now + deadline);
    }

    private void CloseRound()
    {
        _roundOpen = false;
        // Whoever has not reported is too late for this round: counted now, ignored when it arrives.
        foreach (var job in _inFlight.Values.Where(j => j.Round == _round).OrderBy(j => j.Id).ToList())
        {
            Release(job);
            if (job.Dropped) _jobsDropped++;
            else
            {
                Reject("late");
                if (job.Result is null && _abandoned.Add(job.Id)) _abandonedChanges.Added(job.Id);
            }
        }
        _emptyRounds = _roundReceived > 0 ? 0 : _emptyRounds + 1;
        if (_emptyRounds >= MaxConsecutiveEmptyRounds && !_finishing)
        {
            FailureReason = string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{_emptyRounds} rounds in a row closed at fedactors.server.round-deadline = {_server.RoundDeadline} s without a single update; raise the deadline");
            BeginFinish(RunStatus.Failed);
            return;
        }
        if (_roundReceived > 0)
        {
            WeightedAverage.Scale(_pseudoGradient, (float)(1.0 / _roundWeight));
            _roundReceived = 0;
            _roundWeight = 0;
            StepWithPseudoGradient();
        }
        if (!_finishing) StartRound();
    }

    private void Refill()
    {
        if (_finishing) return;
        if (_server.Algorithm == FlAlgorithm.FedAvg)
        {
            if (!_roundOpen) StartRound();
            return;
        }
        while (_inFlight.Count < _server.Concurrency)
        {
            if (!TryDispatch())
            {
                ScheduleRetry();
                return;
            }
        }
    }

    private void ScheduleRetry()
    {
        // One retry at a time: a retry that fails schedules the next, so a lasting shortage costs one event, not one per update.
        if (_retryPending) return;
        _retryPending = true;
        double delay = Math.Max(1.0, _simulation.Device.AvailabilityPeriod / 1000);
        long id = _nextJob; // any id: retries at the same time are equivalent
        _events.Add(EventKind.Retry, id, Now + delay);
    }

    private bool TryDispatch()
    {
        long id = _nextJob;
        var rng = DeterministicRandom.For(_run.Seed, (ulong)id, SelectionPurpose);
        int client;
        bool selected = _reachable is null
            ? _selector.TrySelect(rng, Now, _busy, out client)
            : ClientSelector.TrySelectAmong(rng, _reachable, _busy, out client);
        if (!selected) return false;
        _nextJob++;
        var job = new InFlightJob(id, client, Current, _server.Algorithm == FlAlgorithm.FedAvg ? _round : 0);
        _inFlight.Add(id, job);
        _jobsTouched.Add(id);
        _busy.Add(client);
        _versionRefs[Current.Number] = _versionRefs.GetValueOrDefault(Current.Number) + 1;
        if (job.Round != 0) _roundOutstanding++;
        _jobsDispatched++;
        if (Meter is null) _bytesDown += WireSize.Of(_dimension);
        // A real client's dropouts are real: they surface as failures or timeouts, not as a simulated draw.
        job.Dropped = _reachable is null && _devices.DropsOut(id);
        double applyAt = 0;
        if (_simulation.Clock == ClockMode.Virtual)
        {
            if (job.Dropped) Schedule(EventKind.Timeout, id, Now + _simulation.Device.JobTimeout);
            else
            {
                int samples = _population.SampleCount(client);
                int steps = _run.Client.StepsFor(samples);
                applyAt = Now + _devices.Duration(client, id, Math.Max(1, steps));
                Schedule(EventKind.Finish, id, applyAt);
            }
        }
        else Schedule(EventKind.Timeout, id, Now + _simulation.Device.JobTimeout);
        if (!job.Dropped)
            _out.Add(new DispatchJob(new ClientProtocol.TrainJob(new JobId(id), client, Current, _run.Client, _run.Seed) { ApplyAt = applyAt }));
        return true;
    }

    private void Schedule(EventKind kind, long id, double time) => _events.Add(kind, id, time);

    private void Release(InFlightJob job)
    {
        _inFlight.Remove(job.Id);
        _jobsReleased.Add(job.Id);
        _busy.Remove(job.ClientId);
        if (job.Round != 0 && job.Round == _round) _roundOutstanding--;
        long v = job.Base.Number;
        if (--_versionRefs[v] == 0) _versionRefs.Remove(v);
    }

    private void Reject(string reason) => _rejected[reason] = _rejected.GetValueOrDefault(reason) + 1;

    private int UnusableLimit => Math.Max(MinUnusableResultsPerStep, 10 * _server.Concurrency);

    // Rejects a result that brought no usable update and fails the run once too many came since the last step.
    private void RejectUnusable(string reason, float[]? delta = null)
    {
        if (delta is null) Reject(reason);
        else Reject(reason, delta);
        _unusableSinceStep[reason] = _unusableSinceStep.GetValueOrDefault(reason) + 1;
        int unusable = _unusableSinceStep.Values.Sum();
        if (unusable < UnusableLimit || _finishing) return;
        var reasons = string.Join(", ", _unusableSinceStep.Select(r => FormattableString.Invariant($"{r.Key} {r.Value:N0}")));
        string cause = _unusableSinceStep.ContainsKey("non_finite")
            ? "the model has diverged; lower fedactors.client.lr or fedactors.server.optimizer.lr"
            : _unusableSinceStep.ContainsKey("failed") ? $"the clients' trainings keep failing, the last with: {_lastFailure}"
            : "the clients keep sending malformed updates";
        FailureReason = FormattableString.Invariant(
            $"{unusable:N0} results since server step {Current.Number} were unusable ({reasons}) and no step followed: {cause}");
        BeginFinish(RunStatus.Failed);
    }

    // A rejected update is no longer needed: its array goes back to the pool.
    private void Reject(string reason, float[] delta)
    {
        Reject(reason);
        RecycleDeltas?.Return(delta);
    }

    private void RequestEvaluation()
    {
        long step = Current.Number;
        if (_lastEvaluationRequested == step) return;
        _lastEvaluationRequested = step;
        var diagnostics = new DriftDiagnostics(
            _windowUpdates, _normMean, _windowUpdates > 1 ? _normM2 / _windowUpdates : 0,
            _cosineCount > 0 ? _cosineSum / _cosineCount : null,
            new SortedDictionary<int, long>(_stalenessWindow), _participation.Count, _maxParticipation,
            _rejected.Values.Sum(), _droppedStale, _jobsDropped);
        var snapshot = new EvaluationRecord(step, Now, 0, _updatesApplied, double.NaN, double.NaN,
            _windowUpdates > 0 ? _windowStalenessSum / _windowUpdates : 0, _windowMaxStaleness, BytesUp, BytesDown, diagnostics);
        _stalenessWindow.Clear();
        _windowUpdates = _windowMaxStaleness = _cosineCount = 0;
        _windowStalenessSum = _normMean = _normM2 = _cosineSum = 0;
        _pendingEvaluations.Add(step, new PendingEvaluation(snapshot, Current));
        _out.Add(new EvaluateModel(Current, step));
    }

    private void EmitEvaluations()
    {
        while (_pendingEvaluations.Count > 0)
        {
            var (step, pending) = _pendingEvaluations.First();
            if (pending.Result is null) break;
            _pendingEvaluations.Remove(step);
            var record = pending.Snapshot with { Accuracy = pending.Result.Accuracy, Loss = pending.Result.Loss };
            _records.Add(record);
            if (Target is null && _run.TargetAccuracy is double target && record.Accuracy >= target)
                Target = new TargetReached(record.ServerStep, record.VirtualSeconds, record.WallSeconds, record.UpdatesApplied, record.BytesUp);
            _out.Add(new EvaluationRecorded(record));
        }
        if (_run.StopAtTarget && Target is not null && !_finishing)
        {
            BeginFinish(RunStatus.Completed); // re-enters here once for the final evaluation
            return;
        }
        if (_finishing && _pendingEvaluations.Count == 0 && !IsFinished)
        {
            IsFinished = true;
            _out.Add(new RunFinished(_status));
        }
    }

    private void BeginFinish(RunStatus status)
    {
        _finishing = true;
        _status = status;
        if (_inFlight.Count > 0) _out.Add(StopTraining.Instance);
        RequestEvaluation();
        EmitEvaluations();
    }

    private IReadOnlyList<ICoordinatorEffect> Flush() => _out.ToArray();

    private enum EventKind
    {
        Finish = 0,
        Timeout = 1,
        Deadline = 2,
        Retry = 3,
    }

    private readonly record struct TimedEvent(EventKind Kind, long Id);

    private sealed class InFlightJob(long id, int clientId, ModelVersion baseVersion, long round)
    {
        public long Id { get; } = id;
        public int ClientId { get; } = clientId;
        public ModelVersion Base { get; } = baseVersion;
        public long Round { get; } = round;
        public bool Dropped { get; set; }
        public object? Result { get; set; }
    }

    private sealed class PendingEvaluation(EvaluationRecord snapshot, ModelVersion version)
    {
        public EvaluationRecord Snapshot { get; } = snapshot;
        public ModelVersion Version { get; } = version;
        public EvaluationResult? Result { get; set; }
    }
}
