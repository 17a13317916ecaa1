using System.Globalization;
using System.Text;
using Akka.Actor;
using Akka.Configuration;
using FedActors.Actors.Cluster;
using FedActors.Host.Cli;

namespace FedActors.Host.Commands;

/// <summary>
/// <c>fedactors status --node ADDR</c>: asks a cluster node, over Akka.Remote and without joining the
/// cluster, for the members it sees, the client shards per worker, the real clients each client node
/// registered, and the run's progress.
/// </summary>
public sealed class StatusCommand : ICommand
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    /// <inheritdoc />
    public string Name => "status";

    /// <inheritdoc />
    public string Summary => "show a cluster's members, shard distribution, registered real clients and run progress";

    /// <inheritdoc />
    public string Usage =>
        "Usage: fedactors status --node ADDR [--config F] [--set K=V]...\n\n" +
        "Asks the node at ADDR (host:port or akka.tcp://fedactors@host:port) for the cluster members it sees,\n" +
        "the client shards each worker hosts, the real clients each client node registered with the coordinator\n" +
        "and the run's progress, and prints them. It does not join the\n" +
        "cluster. With TLS on, --config must give this process a certificate the nodes accept.\n\n" +
        "Options:\n" +
        "  --node ADDR     the node to ask\n" +
        CommonOptions.Describe(CommonOption.Config | CommonOption.Set);

    /// <inheritdoc />
    public async Task<int> RunAsync(CommandContext ctx, string[] args, CancellationToken ct)
    {
        var options = CommonOptions.Parse(args, CommonOption.Config | CommonOption.Set);
        string? node = null;
        for (int i = 0; i < options.Remaining.Count; i++)
        {
            var arg = options.Remaining[i];
            if (arg == "--node" && i + 1 < options.Remaining.Count) node = options.Remaining[++i];
            else if (arg.StartsWith("--node=", StringComparison.Ordinal)) node = arg["--node=".Length..];
            else if (arg == "--node") throw new UsageException("--node needs a value");
            else throw new UsageException(arg.StartsWith('-') ? $"unknown option '{arg}'" : $"unexpected argument '{arg}'");
        }
        if (node is null) throw new UsageException("--node is required");
        var cluster = options.LoadConfig(ctx).Settings.Cluster;
        string address;
        try { address = cluster.ToAddress(node); }
        catch (ConfigurationException) { throw new UsageException($"--node: '{node}' is neither host:port nor an akka.tcp:// address"); }

        var report = await AskAsync(cluster, address, ct);
        await ctx.Out.WriteAsync(Render(report));
        return 0;
    }

    /// <summary>Asks the node's status actor; a short-lived remote-only actor system carries the question.</summary>
    internal static async Task<NodeStatusProtocol.NodeStatusReport> AskAsync(ClusterSettings cluster, string address, CancellationToken ct)
    {
        // A node's transport (TLS included) on a free port, but a remote provider: the process does not join.
        var config = ConfigurationFactory.ParseString("""
            akka {
              actor.provider = remote
              loglevel = OFF
              stdout-loglevel = OFF
              log-dead-letters = off
            }
            """).WithFallback(ClusterConfig.For(cluster with { Port = 0, SeedNodes = [] }, NodeRole.Client));
        var system = ActorSystem.Create(cluster.SystemName, ClusterTls.Bootstrap(config, cluster.Tls));
        try
        {
            var selection = system.ActorSelection(address + NodeStatusProtocol.StatusActorPath);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(Timeout);
            try
            {
                return await selection.Ask<NodeStatusProtocol.NodeStatusReport>(NodeStatusProtocol.GetNodeStatus.Instance, Timeout, timeout.Token);
            }
            catch (Exception e) when (e is AskTimeoutException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                throw new FedActorsException($"no answer from {address} within {Timeout.TotalSeconds:F0} s: is a fedactors node running there?");
            }
        }
        finally
        {
            await system.Terminate();
        }
    }

    /// <summary>The report as text.</summary>
    internal static string Render(NodeStatusProtocol.NodeStatusReport r)
    {
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        sb.Append(inv, $"node {r.Address} [{r.Roles}]; leader {(r.Leader.Length > 0 ? r.Leader : "none")}\n");
        sb.Append(inv, $"members ({r.Members.Length}):\n");
        foreach (var m in r.Members.OrderBy(m => m.Address, StringComparer.Ordinal))
            sb.Append(inv, $"  {m.Address}  {m.Status}{(m.Reachable ? "" : " (unreachable)")}  [{m.Roles}]\n");
        if (r.Shards.Length > 0)
        {
            sb.Append(inv, $"client shards ({r.Shards.Sum(s => s.Shards)} allocated):\n");
            foreach (var s in r.Shards) sb.Append(inv, $"  {s.Region}  {s.Shards} shards, {s.Entities} active clients\n");
        }
        else sb.Append("client shards: none allocated (or sharding did not answer)\n");
        if (r.Run is { } run)
        {
            sb.Append(inv, $"run: coordinator on {run.Node}, step {run.ServerStep}/{run.MaxServerSteps}, {run.UpdatesApplied} updates applied, ");
            sb.Append(inv, $"{run.InFlight} in flight, virtual {run.VirtualSeconds:F0} s, wall {run.WallSeconds:F0} s");
            if (run.LastAccuracy is double a) sb.Append(inv, $", accuracy {a:P2}");
            sb.Append(inv, $"; wire bytes up {run.WireBytesUp:N0}, down {run.WireBytesDown:N0}, jobs resent {run.JobsResent}\n");
            if (run.ClientNodes is { Length: > 0 } nodes)
            {
                sb.Append(inv, $"real clients: {nodes.Sum(n => n.Clients.Length)} registered by {nodes.Length} client node(s):\n");
                foreach (var n in nodes)
                    sb.Append(inv, $"  {n.Address}  {n.Clients.Length} client{(n.Clients.Length == 1 ? "" : "s")} [{string.Join(",", n.Clients)}], {n.Samples:N0} samples{(n.Reachable ? "" : " (unreachable: not selected)")}\n");
            }
        }
        else sb.Append("run: no coordinator answered\n");
        return sb.ToString();
    }
}
