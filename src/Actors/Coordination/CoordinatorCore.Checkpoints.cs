using FedActors.Actors.Clients;
using FedActors.Actors.Jobs;
using FedActors.Actors.Population;
using FedActors.Actors.Simulation;
using FedActors.Training.Evaluation;
using static FedActors.Actors.Coordination.CoordinatorEffects;

namespace FedActors.Actors.Coordination;

/// <summary>Checkpoints at server-step boundaries and restoring from them.</summary>
public sealed partial class CoordinatorCore
{
    /// <summary>
    /// Rebuilds the core from the latest checkpoint of a run. Call <see cref="Resume"/> next: the restored
    /// core sits exactly where the original stood right after the checkpoint's step.
    /// </summary>
    /// <param name="run">The run's settings (must be those the checkpoint was taken under).</param>
    /// <param name="server">Algorithm and aggregation.</param>
    /// <param name="simulation">Clock and devices.</param>
    /// <param name="population">The clients.</param>
    /// <param name="checkpoint">The latest checkpoint.</param>
    /// <param name="versions">Weights of at least every version in <see cref="CoordinatorCheckpoint.RetainedVersions"/>.</param>
    /// <param name="participation">Applied updates per client, folded from all checkpoints.</param>
    /// <param name="records">Evaluation records, folded from all checkpoints.</param>
    /// <exception cref="InvalidOperationException">The checkpoint does not fit these settings or lacks a version.</exception>
    public static CoordinatorCore Restore(RunSettings run, ServerSettings server, SimulationSettings simulation, IClientDataSource population,
        CoordinatorCheckpoint checkpoint, IReadOnlyDictionary<long, float[]> versions, IReadOnlyDictionary<int, int> participation,
        IReadOnlyList<EvaluationRecord> records)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(versions);
        ArgumentNullException.ThrowIfNull(participation);
        ArgumentNullException.ThrowIfNull(records);
        if (checkpoint.IsDelta)
            throw new InvalidOperationException("a checkpoint that holds only a step's changes cannot restore a core: fold it onto the full state first");
        ModelVersion Version(long number) => versions.TryGetValue(number, out var w)
            ? new ModelVersion(number, w)
            : throw new InvalidOperationException($"the persisted state lacks the weights of model version {number}");

        var current = Version(checkpoint.ServerStep);
        var core = new CoordinatorCore(run, server, simulation, population, current.Weights) { Current = current, Now = checkpoint.Now };
        if (core._optimizer is not null)
        {
            if (checkpoint.Optimizer is null)
                throw new InvalidOperationException($"the persisted state has no server-optimizer state for '{core._optimizer.Name}'");
            core._optimizer.Restore(checkpoint.Optimizer);
        }
        core._nextJob = checkpoint.NextJob;
        var bases = new Dictionary<long, ModelVersion> { [current.Number] = current };
        foreach (var j in checkpoint.InFlight)
        {
            if (!bases.TryGetValue(j.BaseVersion, out var b)) bases[j.BaseVersion] = b = Version(j.BaseVersion);
            if (b.Dimension != core._dimension)
                throw new InvalidOperationException($"model version {j.BaseVersion} has {b.Dimension} weights, expected {core._dimension}");
            core._inFlight.Add(j.Id, new InFlightJob(j.Id, j.ClientId, b, j.Round) { Dropped = j.Dropped });
            core._busy.Add(j.ClientId);
            core._versionRefs[j.BaseVersion] = core._versionRefs.GetValueOrDefault(j.BaseVersion) + 1;
        }
        foreach (var e in checkpoint.Events)
        {
            if (!Enum.IsDefined((EventKind)e.Kind))
                throw new InvalidOperationException($"the persisted state holds a scheduled event of unknown kind {e.Kind}");
            core._events.Add((EventKind)e.Kind, e.Id, e.Time);
            core._retryPending |= e.Kind == (int)EventKind.Retry;
        }
        foreach (var id in checkpoint.Abandoned) core._abandoned.Add(id);

        var r = checkpoint.Round;
        (core._round, core._roundOpen, core._roundOutstanding, core._roundReceived, core._roundWeight, core._emptyRounds) =
            (r.Number, r.Open, r.Outstanding, r.Received, r.Weight, r.EmptyRounds);

        var c = checkpoint.Counters;
        foreach (var (reason, count) in c.Rejected) core._rejected[reason] = count;
        (core._updatesApplied, core._droppedStale, core._jobsDispatched, core._jobsDropped, core._samplesTrained, core._trainSeconds, core._bytesUp, core._bytesDown) =
            (c.UpdatesApplied, c.DroppedStale, c.JobsDispatched, c.JobsDropped, c.SamplesTrained, c.TrainSeconds, c.BytesUp, c.BytesDown);

        var w = checkpoint.Window;
        foreach (var (staleness, count) in w.StalenessHistogram) core._stalenessWindow[staleness] = count;
        (core._windowUpdates, core._windowMaxStaleness, core._windowStalenessSum, core._normMean, core._normM2, core._cosineSum, core._cosineCount) =
            (w.Updates, w.MaxStaleness, w.StalenessSum, w.NormMean, w.NormM2, w.CosineSum, w.CosineCount);

        foreach (var (client, count) in participation) core._participation[client] = count;
        core._maxParticipation = checkpoint.MaxParticipation;
        core._records.AddRange(records);
        core._recordsCheckpointed = records.Count;
        foreach (var p in checkpoint.PendingEvaluations)
        {
            var pending = new PendingEvaluation(p.Snapshot, Version(p.Snapshot.ServerStep));
            if (p.Accuracy is double acc) pending.Result = new EvaluationResult(0, acc, p.Loss ?? double.NaN, [], []);
            core._pendingEvaluations.Add(p.Snapshot.ServerStep, pending);
        }
        core._lastEvaluationRequested = checkpoint.LastEvaluationRequested;
        core._finishing = checkpoint.Finishing;
        core.IsFinished = checkpoint.Finished;
        core._status = checkpoint.Status;
        core.FailureReason = checkpoint.FailureReason;
        core.Target = checkpoint.Target;
        core._resumeFromStep = true;
        // The restored state is the journal's: the next checkpoint lists what changes from here.
        core._checkpointed = true;
        core._checkpointNextJob = checkpoint.NextJob;
        core._jobsTouched.Clear();
        core._jobsReleased.Clear();
        core._events.Changes.Clear();
        core._abandonedChanges.Clear();
        return core;
    }

    private bool _resumeFromStep;

    /// <summary>
    /// Continues a restored core: first what the original did right after the checkpoint's step, then the
    /// <paramref name="inputs"/> journaled since (durability <c>update</c>: results of jobs in flight,
    /// evaluation results and clock advances, in journal order). Returns the effects to carry out; the work
    /// still outstanding is dispatched and requested once, at the end, so a job whose result was replayed
    /// is never trained again.
    /// </summary>
    /// <param name="inputs">What the core consumed after the checkpoint, in order.</param>
    /// <param name="now">Wall seconds now (ignored under the virtual clock).</param>
    public IReadOnlyList<ICoordinatorEffect> Resume(IEnumerable<CoordinatorInput> inputs, double now = 0)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (!_resumeFromStep) throw new InvalidOperationException("only a restored core resumes");
        _resumeFromStep = false;
        _started = true;
        _out.Clear();
        if (!_finishing)
        {
            // The tail of the handler that took the step: FedAvg opens the next round, the others refill.
            if (_server.Algorithm == FlAlgorithm.FedAvg) { if (!_roundOpen) StartRound(); }
            else Refill();
        }
        Drain();
        foreach (var input in inputs)
        {
            switch (input)
            {
                case CoordinatorInput.Result r: Arrive(r.Message.Job, r.Message, r.Now); break;
                case CoordinatorInput.Evaluation e: Evaluated(e.ServerStep, new EvaluationResult(0, e.Accuracy, e.Loss, [], [])); break;
                case CoordinatorInput.Clock c: AdvanceClock(c.Now); break;
                default: throw new ArgumentException($"cannot replay a {input?.GetType().Name ?? "null"}", nameof(inputs));
            }
        }
        // Wall clock: the session resumes later than the journal's last input; what fell due meanwhile fires now.
        AdvanceClock(now);
        // Replace the replay's dispatches and evaluation requests by what is still outstanding now.
        var effects = _out.Where(e => e is not DispatchJob and not EvaluateModel).ToList();
        _out.Clear();
        if (!IsFinished)
        {
            foreach (var (step, pending) in _pendingEvaluations)
                if (pending.Result is null) _out.Add(new EvaluateModel(pending.Version, step));
            // Virtual clock: the finish events say when each result will be applied (the pool's training order).
            var applyAt = new Dictionary<long, double>();
            foreach (var e in _events)
                if (e.Kind == (int)EventKind.Finish) applyAt[e.Id] = e.Time;
            foreach (var job in _inFlight.Values.OrderBy(j => j.Id))
                if (!job.Dropped && job.Result is null && !_abandoned.Contains(job.Id))
                    _out.Add(new DispatchJob(new ClientProtocol.TrainJob(new JobId(job.Id), job.ClientId, job.Base, _run.Client, _run.Seed)
                        { ApplyAt = applyAt.GetValueOrDefault(job.Id) }));
        }
        effects.AddRange(_out);
        _out.Clear();
        return effects;
    }

    /// <summary>True when a result for <paramref name="job"/> would be taken: the job is in flight and has not answered yet.</summary>
    public bool IsAwaiting(JobId job) =>
        !IsFinished && !_finishing && _inFlight.TryGetValue(job.Value, out var j) && j.Result is null && !j.Dropped;

    /// <summary>The state right after the current step (see <see cref="CoordinatorCheckpoint"/>).</summary>
    private CoordinatorCheckpoint Checkpoint()
    {
        if (_buffer is not null && _buffer.Count != 0)
            throw new InvalidOperationException("a checkpoint is only taken at a step boundary, with the buffer empty");
        // The retained versions are the in-flight jobs' bases (counted as they are dispatched and released), the
        // current version and those of evaluations still pending: no pass over the jobs in flight.
        var retained = new List<long>(_versionRefs.Count + _pendingEvaluations.Count + 1) { Current.Number };
        foreach (var v in _versionRefs.Keys)
            if (v != Current.Number) retained.Add(v);
        foreach (var p in _pendingEvaluations.Values)
            if (!retained.Contains(p.Version.Number)) retained.Add(p.Version.Number);
        retained.Sort();
        // After the first step only what changed is listed (see CoordinatorCheckpoint.IsDelta): a step touches a few
        // jobs while thousands may be in flight, and listing them all at every step cost more than the step.
        CheckpointJob Listed(InFlightJob j) => new(j.Id, j.ClientId, j.Base.Number, j.Round, j.Dropped, j.Result is not null);
        bool delta = _checkpointed;
        var jobIds = (delta ? _jobsTouched.Where(_inFlight.ContainsKey) : _inFlight.Keys).ToArray();
        Array.Sort(jobIds);
        var inFlight = Array.ConvertAll(jobIds, id => Listed(_inFlight[id]));
        // Jobs dispatched after the previous checkpoint and resolved before this one were never listed.
        var removedJobs = delta ? _jobsReleased.Where(id => id < _checkpointNextJob).ToArray() : [];
        Array.Sort(removedJobs);
        var (eventsAdded, eventsRemoved) = _events.Changes.Take();
        var (abandonedAdded, abandonedRemoved) = _abandonedChanges.Take();
        var events = delta ? eventsAdded : _events.ToCheckpoint();
        _jobsTouched.Clear();
        _jobsReleased.Clear();
        _checkpointed = true;
        _checkpointNextJob = _nextJob;
        var changes = _participationChanged.Order().Select(c => new ParticipationCount(c, _participation[c])).ToArray();
        _participationChanged.Clear();
        var newRecords = _records.Skip(_recordsCheckpointed).ToArray();
        _recordsCheckpointed = _records.Count;
        return new CoordinatorCheckpoint
        {
            ServerStep = Current.Number,
            Now = Now,
            NextJob = _nextJob,
            InFlight = inFlight,
            Events = events,
            Abandoned = delta ? abandonedAdded : _abandoned.Order().ToArray(),
            IsDelta = delta,
            RemovedJobs = removedJobs,
            RemovedEvents = delta ? eventsRemoved : [],
            RemovedAbandoned = delta ? abandonedRemoved : [],
            Round = new CheckpointRound(_round, _roundOpen, _roundOutstanding, _roundReceived, _roundWeight, _emptyRounds),
            Counters = new CheckpointCounters(new SortedDictionary<string, long>(_rejected, StringComparer.Ordinal), _updatesApplied, _droppedStale,
                _jobsDispatched, _jobsDropped, _samplesTrained, _trainSeconds, BytesUp, BytesDown),
            Window = new CheckpointWindow(new Dictionary<int, long>(_stalenessWindow), _windowUpdates, _windowMaxStaleness,
                _windowStalenessSum, _normMean, _normM2, _cosineSum, _cosineCount),
            ParticipationChanges = changes,
            MaxParticipation = _maxParticipation,
            PendingEvaluations = _pendingEvaluations.Values
                .Select(p => new CheckpointEvaluation(p.Snapshot, p.Result?.Accuracy, p.Result?.Loss)).ToArray(),
            NewRecords = newRecords,
            LastEvaluationRequested = _lastEvaluationRequested,
            Finishing = _finishing,
            Finished = IsFinished,
            Status = _status,
            FailureReason = FailureReason,
            Target = Target,
            Optimizer = _optimizer?.State,
            RetainedVersions = retained.ToArray(),
        };
    }
}
