using Akka.Actor;
using Akka.Cluster.Sharding;
using FedActors.Actors.Cluster;
using FedActors.Actors.Coordination;
using FedActors.Actors.Runs;

namespace FedActors.Host.Dashboard;

/// <summary>
/// The cluster part of a coordinator node's dashboard: members, their status and roles as this node's cluster state
/// holds them (read on every tick, so they show as soon as they join), client shards as the shard coordinator reports
/// them to this node's region or proxy (asked every tick), and each worker's throughput: the updates applied from
/// clients in the shards it hosts, per wall second between two shard reports.
/// </summary>
public sealed class ClusterMembersView : IRunObserver, IDisposable
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(2);

    private readonly ActorSystem _system;
    private readonly int _shards;
    private readonly long[] _appliedByShard;
    private readonly Timer _timer;
    private readonly object _gate = new();
    private IReadOnlyList<DashboardMember> _members = [];
    private IReadOnlyList<(string Region, int Shards)> _regions = [];
    private Dictionary<string, double> _rates = [];
    private long[] _lastCounts;
    private DateTime _lastAt = DateTime.UtcNow;
    private int _asking;

    /// <summary>Starts watching the cluster of <paramref name="system"/>; clients map to <paramref name="shards"/> shards.</summary>
    public ClusterMembersView(ActorSystem system, int shards)
    {
        _system = system;
        _shards = shards;
        _appliedByShard = new long[shards];
        _lastCounts = new long[shards];
        _timer = new Timer(_ => Tick(), null, TimeSpan.Zero, Every);
    }

    /// <summary>The members as last seen.</summary>
    public IReadOnlyList<DashboardMember> Members()
    {
        lock (_gate) return _members;
    }

    /// <inheritdoc />
    public void OnUpdateApplied(AppliedUpdate update) => Interlocked.Increment(ref _appliedByShard[update.ClientId % _shards]);

    /// <inheritdoc />
    public void OnEvaluation(EvaluationRecord record) { }

    /// <inheritdoc />
    public void OnProgress(RunProgress progress) { }

    private void Tick()
    {
        Publish();
        // The shard report can take seconds (the shard coordinator asks every region): one at a time, and the members
        // above never wait for it.
        if (Interlocked.Exchange(ref _asking, 1) == 0) _ = AskShardsAsync();
    }

    /// <summary>The members from this node's cluster state, with the last shard report's shards and rates.</summary>
    private void Publish()
    {
        var state = Akka.Cluster.Cluster.Get(_system).State;
        var unreachable = state.Unreachable.Select(m => m.Address).ToHashSet();
        lock (_gate)
        {
            _members = state.Members.Select(m =>
            {
                var address = m.Address.ToString();
                var region = _regions.FirstOrDefault(r => SameNode(r.Region, address));
                var status = unreachable.Contains(m.Address) ? m.Status + " (unreachable)" : m.Status.ToString();
                return new DashboardMember(address, status, m.Roles.Order().ToArray(), region.Shards,
                    region.Region is not null && _rates.TryGetValue(region.Region, out var rate) ? rate : null);
            }).ToArray();
        }
    }

    private async Task AskShardsAsync()
    {
        try
        {
            // Straight to the region (a proxy on a coordinator node): the status actor's combined report also waits
            // for the run's status, and a run of a few seconds can end before it answers.
            var region = ClusterSharding.Get(_system).ShardRegion(ClientShards.TypeName);
            var stats = await region.Ask<ClusterShardingStats>(new GetClusterShardingStats(TimeSpan.FromSeconds(2)), TimeSpan.FromSeconds(3));
            var now = DateTime.UtcNow;
            var counts = _appliedByShard.Select(c => Interlocked.Read(ref c)).ToArray();
            lock (_gate)
            {
                double seconds = (now - _lastAt).TotalSeconds;
                _rates = seconds <= 0 ? [] : stats.Regions.ToDictionary(r => r.Key.ToString(), r =>
                    r.Value.Stats.Keys.Select(id => int.TryParse(id, out var k) && k >= 0 && k < _shards ? counts[k] - _lastCounts[k] : 0).Sum() / seconds);
                _regions = stats.Regions.Select(r => (r.Key.ToString(), r.Value.Stats.Count)).ToArray();
                _lastCounts = counts;
                _lastAt = now;
            }
            Publish();
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException or ArgumentException or InvalidOperationException)
        {
            // No region yet, or no answer in time: the next tick asks again; the page keeps the last shards.
        }
        finally
        {
            Volatile.Write(ref _asking, 0);
        }
    }

    // A region's address may lack the protocol or system name the member's has: compare host and port.
    private static bool SameNode(string a, string b) => a == b || HostPort(a) is { } x && x == HostPort(b);

    private static string? HostPort(string address) => address.LastIndexOf('@') is var at and >= 0 ? address[(at + 1)..] : null;

    /// <inheritdoc />
    public void Dispose() => _timer.Dispose();
}
