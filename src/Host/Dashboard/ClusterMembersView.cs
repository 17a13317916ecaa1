using Akka.Actor;
using FedActors.Actors.Cluster;
using FedActors.Actors.Coordination;
using FedActors.Actors.Runs;

namespace FedActors.Host.Dashboard;

/// <summary>
/// The cluster part of a coordinator node's dashboard: members, roles and client shards as this node's status actor
/// reports them (asked every few seconds), and each worker's throughput: the updates applied from clients in the shards
/// it hosts, per wall second between two reports.
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
    private long[] _lastCounts;
    private DateTime _lastAt = DateTime.UtcNow;
    private int _asking;

    /// <summary>Starts asking the status actor of <paramref name="system"/>; clients map to <paramref name="shards"/> shards.</summary>
    public ClusterMembersView(ActorSystem system, int shards)
    {
        _system = system;
        _shards = shards;
        _appliedByShard = new long[shards];
        _lastCounts = new long[shards];
        _timer = new Timer(_ => _ = RefreshAsync(), null, TimeSpan.Zero, Every);
    }

    /// <summary>The members as last reported.</summary>
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

    private async Task RefreshAsync()
    {
        if (Interlocked.Exchange(ref _asking, 1) == 1) return;
        try
        {
            var report = await _system.ActorSelection(NodeStatusProtocol.StatusActorPath)
                .Ask<NodeStatusProtocol.NodeStatusReport>(NodeStatusProtocol.GetNodeStatus.Instance, TimeSpan.FromSeconds(8));
            var now = DateTime.UtcNow;
            var counts = _appliedByShard.Select(c => Interlocked.Read(ref c)).ToArray();
            double seconds;
            long[] previous;
            lock (_gate)
            {
                seconds = (now - _lastAt).TotalSeconds;
                previous = _lastCounts;
                _lastCounts = counts;
                _lastAt = now;
            }
            var members = report.Members.Select(m =>
            {
                var region = report.Shards.FirstOrDefault(s => SameNode(s.Region, m.Address));
                double? rate = null;
                if (region is not null && seconds > 0)
                {
                    long applied = region.ShardIds.Select(id => int.TryParse(id, out var k) && k >= 0 && k < _shards ? counts[k] - previous[k] : 0).Sum();
                    rate = applied / seconds;
                }
                var roles = m.Roles.Split(',', StringSplitOptions.RemoveEmptyEntries);
                return new DashboardMember(m.Address, m.Reachable ? m.Status : m.Status + " (unreachable)", roles, region?.Shards ?? 0, rate);
            }).ToArray();
            lock (_gate) _members = members;
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException or ActorNotFoundException)
        {
            // The next tick asks again; the page keeps the last answer.
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
