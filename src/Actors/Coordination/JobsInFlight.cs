using FedActors.Actors.Jobs;

namespace FedActors.Actors.Coordination;

/// <summary>
/// The coordinator's jobs in flight, the clients they keep busy, the model versions they train from, and the jobs
/// given up whose late answers are to be ignored; with what changed since the last checkpoint, so that a step's
/// checkpoint lists only that (see <see cref="CoordinatorCheckpoint.IsDelta"/>).
/// </summary>
internal sealed class JobsInFlight
{
    private readonly Dictionary<long, InFlightJob> _jobs = new();
    private readonly HashSet<int> _busy = new();
    private readonly Dictionary<long, int> _versionRefs = new();
    private readonly HashSet<long> _abandoned = new();
    private readonly SetChanges<long> _abandonedChanges = new();
    private readonly HashSet<long> _touched = new();
    private readonly List<long> _released = new();

    public int Count => _jobs.Count;

    /// <summary>Clients with a job in flight.</summary>
    public IReadOnlySet<int> BusyClients => _busy;

    /// <summary>Model versions that jobs in flight train from.</summary>
    public IReadOnlyCollection<long> VersionsInUse => _versionRefs.Keys;

    /// <summary>The jobs in id (dispatch) order.</summary>
    public IEnumerable<InFlightJob> InIdOrder => _jobs.Values.OrderBy(j => j.Id);

    public bool TryGet(long id, out InFlightJob job) => _jobs.TryGetValue(id, out job!);

    public bool Contains(long id) => _jobs.ContainsKey(id);

    public void Add(InFlightJob job)
    {
        _jobs.Add(job.Id, job);
        _touched.Add(job.Id);
        _busy.Add(job.ClientId);
        _versionRefs[job.Base.Number] = _versionRefs.GetValueOrDefault(job.Base.Number) + 1;
    }

    /// <summary>Marks a job as changed since the last checkpoint (its result arrived).</summary>
    public void Touch(long id) => _touched.Add(id);

    public void Release(InFlightJob job)
    {
        _jobs.Remove(job.Id);
        _released.Add(job.Id);
        _busy.Remove(job.ClientId);
        long v = job.Base.Number;
        if (--_versionRefs[v] == 0) _versionRefs.Remove(v);
    }

    /// <summary>Gives a job up: a late answer of it will be ignored.</summary>
    public void Abandon(long id)
    {
        if (_abandoned.Add(id)) _abandonedChanges.Added(id);
    }

    /// <summary>True (and forgets it) when <paramref name="id"/> was given up: its late answer is ignored once.</summary>
    public bool ForgetAbandoned(long id)
    {
        if (!_abandoned.Remove(id)) return false;
        _abandonedChanges.Removed(id);
        return true;
    }

    public bool IsAbandoned(long id) => _abandoned.Contains(id);

    /// <summary>
    /// What a checkpoint lists of the jobs: all of them (<paramref name="full"/>) or those dispatched or changed since
    /// the previous checkpoint, with the ids of those resolved since that were listed then (dispatched before
    /// <paramref name="previousNextJob"/>); and likewise the jobs given up. Starts tracking changes afresh.
    /// </summary>
    public (CheckpointJob[] Jobs, long[] Removed, long[] Abandoned, long[] RemovedAbandoned) TakeCheckpoint(bool full, long previousNextJob)
    {
        var ids = (full ? _jobs.Keys : _touched.Where(_jobs.ContainsKey)).ToArray();
        Array.Sort(ids);
        var jobs = Array.ConvertAll(ids, id => _jobs[id].ToCheckpoint());
        // Jobs dispatched after the previous checkpoint and resolved before this one were never listed.
        var removed = full ? [] : _released.Where(id => id < previousNextJob).ToArray();
        Array.Sort(removed);
        var (abandonedAdded, abandonedRemoved) = _abandonedChanges.Take();
        _touched.Clear();
        _released.Clear();
        return (jobs, removed, full ? _abandoned.Order().ToArray() : abandonedAdded, full ? [] : abandonedRemoved);
    }

    /// <summary>Puts back a checkpoint's jobs and given-up jobs; the restored state counts as checkpointed.</summary>
    /// <param name="checkpoint">A full checkpoint.</param>
    /// <param name="version">The weights of a version by number.</param>
    /// <param name="dimension">The model's parameter count, which every base version must have.</param>
    public void Restore(CoordinatorCheckpoint checkpoint, Func<long, ModelVersion> version, int dimension)
    {
        var bases = new Dictionary<long, ModelVersion>();
        foreach (var j in checkpoint.InFlight)
        {
            if (!bases.TryGetValue(j.BaseVersion, out var b)) bases[j.BaseVersion] = b = version(j.BaseVersion);
            if (b.Dimension != dimension)
                throw new InvalidOperationException($"model version {j.BaseVersion} has {b.Dimension} weights, expected {dimension}");
            Add(new InFlightJob(j.Id, j.ClientId, b, j.Round) { Dropped = j.Dropped, PreviousJob = j.PreviousJob });
        }
        foreach (var id in checkpoint.Abandoned) _abandoned.Add(id);
        _touched.Clear();
        _released.Clear();
        _abandonedChanges.Clear();
    }
}
