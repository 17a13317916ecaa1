using FedActors.Actors.Coordination;
using FedActors.Actors.Jobs;

namespace FedActors.Actors.Persistence;

/// <summary>
/// The fold of a run's persisted events: what a restore needs and nothing more. Versions no checkpoint
/// refers to and results of resolved jobs are let go as steps come in, so it stays bounded.
/// </summary>
public sealed class PersistedRun
{
    private readonly Dictionary<long, float[]> _versions = new();
    private readonly Dictionary<int, int> _participation = new();
    private readonly Dictionary<int, long> _lastResults = new();
    private readonly List<EvaluationRecord> _records = new();
    private readonly List<IPersistedState> _inputs = new();
    // The latest step's jobs in flight, events and given-up jobs in full: checkpoints after a run's first step list
    // only their changes (CoordinatorCheckpoint.IsDelta), folded here.
    private readonly SortedDictionary<long, CheckpointJob> _inFlight = new();
    private readonly SortedSet<CheckpointEvent> _events = new();
    private readonly SortedSet<long> _abandoned = new();
    private CoordinatorCheckpoint? _latest;
    private CoordinatorCheckpoint? _latestInFull;

    /// <summary>The run's first event, once seen.</summary>
    public RunStarted? Started { get; private set; }

    /// <summary>The latest step's checkpoint in full, its changes folded onto the steps before (null before the first step).</summary>
    public CoordinatorCheckpoint? Latest => _latest is null ? null : _latestInFull ??= _latest with
    {
        IsDelta = false,
        InFlight = _inFlight.Values.ToArray(),
        Events = _events.ToArray(),
        Abandoned = _abandoned.ToArray(),
        RemovedJobs = [],
        RemovedEvents = [],
        RemovedAbandoned = [],
    };

    /// <summary>Weights by version number: version 0 until the first step, then the latest checkpoint's retained versions.</summary>
    public IReadOnlyDictionary<long, float[]> Versions => _versions;

    /// <summary>Applied updates per client.</summary>
    public IReadOnlyDictionary<int, int> Participation => _participation;

    /// <summary>Each client's last job whose result the coordinator took.</summary>
    public IReadOnlyDictionary<int, long> LastResults => _lastResults;

    /// <summary>Evaluation records so far.</summary>
    public IReadOnlyList<EvaluationRecord> Records => _records;

    /// <summary>
    /// What the core consumed since <see cref="Latest"/> as the journal holds it (durability <c>update</c>):
    /// results still held by jobs in flight at the checkpoint, then every result, evaluation and clock
    /// advance journaled after it, in journal order.
    /// </summary>
    public IReadOnlyList<CoordinatorInput> Inputs => _inputs.Select(ToInput).ToArray();

    /// <summary>How many times the run was resumed.</summary>
    public int Resumed { get; private set; }

    /// <summary>Wall seconds of the run at the latest step or resume.</summary>
    public double WallSeconds { get; private set; }

    /// <summary>Folds one event or snapshot.</summary>
    /// <exception cref="InvalidOperationException">The events are out of order (a journal that is not this run's).</exception>
    public void Apply(IPersistedState state)
    {
        switch (state)
        {
            case RunStarted started:
                if (Started is not null) throw new InvalidOperationException("the journal holds two run starts");
                Started = started;
                _versions[0] = started.InitialWeights;
                break;
            case StepPersisted step:
                RequireStarted(step);
                var checkpoint = step.Checkpoint;
                // Every step is journaled: a gap means entries are missing.
                long expected = _latest is null ? 0 : _latest.ServerStep + 1;
                if (checkpoint.ServerStep != expected)
                    throw new InvalidOperationException($"server step {checkpoint.ServerStep} follows {(_latest is null ? "the run's start" : $"step {_latest.ServerStep}")} in the journal; expected step {expected}");
                FoldInFlight(checkpoint);
                _versions[checkpoint.ServerStep] = step.Weights;
                foreach (var p in checkpoint.ParticipationChanges) _participation[p.ClientId] = p.Count;
                foreach (var r in checkpoint.LastResultChanges) _lastResults[r.ClientId] = r.Job;
                _records.AddRange(checkpoint.NewRecords);
                _latest = checkpoint;
                _latestInFull = null;
                WallSeconds = step.WallSeconds;
                Prune(checkpoint);
                break;
            case ResultPersisted or EvaluationPersisted or ClockAdvanced:
                RequireStarted(state);
                _inputs.Add(state);
                break;
            case RunResumed resumed:
                RequireStarted(resumed);
                Resumed++;
                WallSeconds = resumed.WallSeconds;
                break;
            case CoordinatorSnapshot snapshot:
                Clear();
                Started = snapshot.Started;
                if (snapshot.Latest is { } latest) FoldInFlight(latest);
                _latest = snapshot.Latest;
                foreach (var v in snapshot.Versions) _versions[v.Number] = v.Weights;
                foreach (var p in snapshot.Participation) _participation[p.ClientId] = p.Count;
                foreach (var r in snapshot.LastResults) _lastResults[r.ClientId] = r.Job;
                _records.AddRange(snapshot.Records);
                _inputs.AddRange(snapshot.Results);
                Resumed = snapshot.Resumed;
                WallSeconds = snapshot.WallSeconds;
                break;
            default:
                throw new ArgumentException($"not a persisted coordinator state: {state?.GetType().Name ?? "null"}", nameof(state));
        }
    }

    /// <summary>The fold so far as one snapshot.</summary>
    public CoordinatorSnapshot ToSnapshot() => new(
        Started ?? throw new InvalidOperationException("nothing to snapshot before the run started"),
        Latest is null ? null : Latest with { NewRecords = [], ParticipationChanges = [], LastResultChanges = [] },
        _versions.OrderBy(v => v.Key).Select(v => new ModelVersion(v.Key, v.Value)).ToArray(),
        _participation.OrderBy(p => p.Key).Select(p => new ParticipationCount(p.Key, p.Value)).ToArray(),
        _records.ToArray(), _inputs.Cast<ResultPersisted>().ToArray(), Resumed, WallSeconds)
    {
        LastResults = _lastResults.OrderBy(p => p.Key).Select(p => new ClientJob(p.Key, p.Value)).ToArray(),
    };

    /// <summary>Takes a full checkpoint's jobs, events and given-up jobs, or applies a delta's changes to those of the step before.</summary>
    private void FoldInFlight(CoordinatorCheckpoint checkpoint)
    {
        if (!checkpoint.IsDelta)
        {
            _inFlight.Clear();
            _events.Clear();
            _abandoned.Clear();
        }
        else if (_latest is null)
        {
            throw new InvalidOperationException($"the checkpoint of step {checkpoint.ServerStep} holds changes, but no step before it is in the journal");
        }
        foreach (var id in checkpoint.RemovedJobs)
            if (!_inFlight.Remove(id))
                throw new InvalidOperationException($"step {checkpoint.ServerStep} resolves job {id}, which was not in flight");
        foreach (var j in checkpoint.InFlight) _inFlight[j.Id] = j;
        foreach (var e in checkpoint.RemovedEvents)
            if (!_events.Remove(e))
                throw new InvalidOperationException($"step {checkpoint.ServerStep} fires an event (kind {e.Kind}, id {e.Id}, at {e.Time}) that was not scheduled");
        foreach (var e in checkpoint.Events)
            if (!_events.Add(e))
                throw new InvalidOperationException($"step {checkpoint.ServerStep} schedules an event (kind {e.Kind}, id {e.Id}, at {e.Time}) twice");
        foreach (var id in checkpoint.RemovedAbandoned) _abandoned.Remove(id);
        foreach (var id in checkpoint.Abandoned) _abandoned.Add(id);
    }

    private void Prune(CoordinatorCheckpoint checkpoint)
    {
        var retained = checkpoint.RetainedVersions.ToHashSet();
        foreach (var v in _versions.Keys.Where(v => !retained.Contains(v)).ToList()) _versions.Remove(v);
        // A result journaled before this step either went into it (resolved) or is still held by a job in flight;
        // evaluations and clock advances before it are part of the checkpoint.
        if (_inputs.Count == 0) return;
        _inputs.RemoveAll(i => i is not ResultPersisted r || !(_inFlight.TryGetValue(r.Result.Job.Value, out var job) && job.Arrived));
    }

    private static CoordinatorInput ToInput(IPersistedState state) => state switch
    {
        ResultPersisted r => new CoordinatorInput.Result(r.Result, r.ArrivedAt),
        EvaluationPersisted e => new CoordinatorInput.Evaluation(e.ServerStep, e.Accuracy, e.Loss, e.BackdoorAccuracy),
        ClockAdvanced c => new CoordinatorInput.Clock(c.Now),
        _ => throw new InvalidOperationException($"not a coordinator input: {state.GetType().Name}"),
    };

    private void RequireStarted(IPersistedState state)
    {
        if (Started is null) throw new InvalidOperationException($"the journal holds a {state.GetType().Name} before the run's start");
    }

    private void Clear()
    {
        _versions.Clear();
        _participation.Clear();
        _lastResults.Clear();
        _records.Clear();
        _inputs.Clear();
        Started = null;
        _latest = null;
        _latestInFull = null;
        _inFlight.Clear();
        _events.Clear();
        _abandoned.Clear();
    }
}
