using FedActors.Actors.Coordination;
using FedActors.Actors.Privacy;
using FedActors.Actors.Runs;
using FedActors.Host.Runs;

namespace FedActors.Host.Dashboard;

/// <summary>
/// The live dashboard source of a run in this process: an observer of the coordinator that keeps what the page draws.
/// Callbacks come on the coordinator's thread and only append under a lock; the page's reads copy.
/// </summary>
/// <param name="title">What runs.</param>
/// <param name="maxServerSteps">The run's length.</param>
/// <param name="privacy">The run's DP accounting, for the ε of each evaluation; null when DP is off.</param>
public sealed class DashboardFeed(string title, long? maxServerSteps, ClientLevelAccounting? privacy = null) : IRunObserver, IDashboardSource
{
    /// <summary>Progress ticks kept for the updates/s chart (about ten minutes at one a second).</summary>
    public const int MaxRates = 600;

    private readonly object _gate = new();
    private readonly List<MetricsRow> _evaluations = [];
    private readonly Queue<DashboardRate> _rates = new();
    private DashboardProgress? _progress;
    private DashboardDrift? _drift;
    private string _status = "running";
    private Func<IReadOnlyList<DashboardMember>>? _cluster;
    private long _version;

    /// <summary>Lists the cluster's members in every snapshot (coordinator nodes).</summary>
    public void ShowCluster(Func<IReadOnlyList<DashboardMember>> members)
    {
        lock (_gate) _cluster = members;
    }

    /// <summary>The run ended with <paramref name="status"/>; <paramref name="counters"/> are its final counts (the last tick may predate them).</summary>
    public void Finished(string status, RunCounters counters, double wallSeconds)
    {
        lock (_gate)
        {
            _status = status;
            _progress = new DashboardProgress(counters.ServerSteps, counters.UpdatesApplied, _progress?.UpdatesPerSecond ?? 0, counters.VirtualSeconds,
                wallSeconds, 0, counters.BytesUp, counters.BytesDown, counters.UpdatesRejected.ToDictionary(), counters.UpdatesDroppedStale, counters.TrainSeconds);
            _version++;
        }
    }

    /// <inheritdoc />
    public void OnEvaluation(EvaluationRecord record)
    {
        lock (_gate)
        {
            _evaluations.Add(RunOutputs.Row(record, privacy));
            _drift = DashboardDrift.Of(record);
            _version++;
        }
    }

    /// <inheritdoc />
    public void OnRestored(RestoredRun restored)
    {
        lock (_gate)
        {
            _evaluations.Clear();
            _evaluations.AddRange(restored.Records.Select(r => RunOutputs.Row(r, privacy)));
            _drift = restored.Records.Count > 0 ? DashboardDrift.Of(restored.Records[^1]) : null;
            _version++;
        }
    }

    /// <inheritdoc />
    public void OnProgress(RunProgress p)
    {
        var c = p.Counters;
        var progress = new DashboardProgress(p.ServerStep, p.UpdatesApplied, p.UpdatesPerSecond, p.VirtualSeconds, p.WallSeconds, p.InFlight,
            c.BytesUp, c.BytesDown, c.UpdatesRejected.ToDictionary(), c.UpdatesDroppedStale, c.TrainSeconds);
        lock (_gate)
        {
            _progress = progress;
            _rates.Enqueue(new DashboardRate(p.WallSeconds, p.UpdatesPerSecond));
            while (_rates.Count > MaxRates) _rates.Dequeue();
            _version++;
        }
    }

    /// <inheritdoc />
    public DashboardSnapshot Current()
    {
        Func<IReadOnlyList<DashboardMember>>? cluster;
        DashboardSnapshot snapshot;
        lock (_gate)
        {
            cluster = _cluster;
            snapshot = new DashboardSnapshot(title, _status, "live", maxServerSteps, _progress, _evaluations.ToArray(), _drift, _rates.ToArray(), null, _version);
        }
        // Asked outside the lock: listing members must never hold up the coordinator's callbacks.
        return cluster is null ? snapshot : snapshot with { Cluster = cluster() };
    }
}
