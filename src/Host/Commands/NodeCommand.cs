using System.Globalization;
using System.Text.Json;
using FedActors.Actors.Cluster;
using FedActors.Actors.Coordination;
using FedActors.Actors.Persistence;
using FedActors.Actors.Simulation;
using FedActors.Actors.Trainers;
using FedActors.Host.Cli;
using FedActors.Host.Configuration;
using FedActors.Host.Runs;
using FedActors.Host.Settings;
using Akka.Configuration;
using ActorRunStatus = FedActors.Actors.Coordination.RunStatus;

namespace FedActors.Host.Commands;

/// <summary>
/// <c>fedactors node</c>: one cluster node. A worker hosts client shards and trains; a coordinator-role
/// node may host the coordinator singleton, evaluates, and writes the run directory when the run ends on
/// it. Membership changes go to stdout. SIGINT or SIGTERM leaves the cluster gracefully: shards hand off
/// and the coordinator moves to another coordinator-role node, which recovers it from the journal.
/// </summary>
public sealed class NodeCommand : ICommand
{
    private const CommonOption Accepted = CommonOption.All;

    /// <inheritdoc />
    public string Name => "node";

    /// <inheritdoc />
    public string Summary => "run a cluster node (coordinator or worker) of a distributed run";

    /// <inheritdoc />
    public string Usage =>
        "Usage: fedactors node --role coordinator|worker|client [--config F] [--set K=V]... [--host H] [--port P]\n" +
        "                      [--seed-nodes A,B] [--out DIR] [--data-dir D] [--plain]\n\n" +
        "Starts a node of an Akka.Cluster and logs its address and membership changes. Every node of a run reads\n" +
        "the same experiment config and derives the same partitions from it. A worker hosts client shards and\n" +
        "trains them on its own trainer pool; a coordinator-role node can host the coordinator (a cluster\n" +
        "singleton that journals to fedactors.persistence, PostgreSQL for failover between coordinator nodes)\n" +
        "and writes the run directory DIR when the run ends on it, then exits. Ctrl+C or SIGTERM leaves the\n" +
        "cluster gracefully. Role client (real clients with their own data) is not available yet.\n\n" +
        "Options:\n" +
        "  --role R        coordinator, worker or client\n" +
        "  --host H        = --set fedactors.cluster.host=H\n" +
        "  --port P        = --set fedactors.cluster.port=P\n" +
        "  --seed-nodes L  comma-separated host:port list = fedactors.cluster.seed-nodes\n" +
        CommonOptions.Describe(Accepted);

    /// <inheritdoc />
    public async Task<int> RunAsync(CommandContext ctx, string[] args, CancellationToken ct)
    {
        var options = CommonOptions.Parse(args, Accepted);
        var (role, sets) = ParseNodeOptions(options.Remaining);
        options = options with { Sets = [.. options.Sets, .. sets], Remaining = [] };
        var config = options.LoadExperimentConfig(ctx);
        var cluster = RunCommand.RuntimeSettings(() => ClusterSettings.Create(config));
        return role switch
        {
            NodeRole.Worker => await RunWorkerAsync(ctx, config, cluster, ct),
            NodeRole.Coordinator => await RunCoordinatorAsync(ctx, options, config, cluster, ct),
            _ => throw new FedActorsException("role client (real clients holding their own data) is not available yet; use coordinator or worker"),
        };
    }

    /// <summary>Reads --role, --host, --port and --seed-nodes; the latter three become <c>fedactors.cluster</c> overrides.</summary>
    internal static (NodeRole Role, List<string> Sets) ParseNodeOptions(IReadOnlyList<string> remaining)
    {
        NodeRole? role = null;
        var sets = new List<string>();
        for (int i = 0; i < remaining.Count; i++)
        {
            var arg = remaining[i];
            int eq = arg.StartsWith("--", StringComparison.Ordinal) ? arg.IndexOf('=') : -1;
            var name = eq > 0 ? arg[..eq] : arg;
            string Value()
            {
                if (eq > 0) return arg[(eq + 1)..];
                if (i + 1 >= remaining.Count) throw new UsageException($"{name} needs a value");
                return remaining[++i];
            }
            switch (name)
            {
                case "--role":
                    try { role = ClusterConfig.ParseRole(Value()); }
                    catch (ArgumentException e) { throw new UsageException(e.Message.Split(" (Parameter")[0]); }
                    break;
                case "--host":
                    sets.Add($"fedactors.cluster.host={Actors.Configuration.HoconString.Quote(Value())}");
                    break;
                case "--port":
                    var port = Value();
                    if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p > 65535)
                        throw new UsageException($"--port must be a port number, got '{port}'");
                    sets.Add($"fedactors.cluster.port={p}");
                    break;
                case "--seed-nodes":
                    sets.Add($"fedactors.cluster.seed-nodes={Actors.Configuration.HoconString.Quote(Value())}");
                    break;
                default:
                    throw new UsageException(arg.StartsWith('-') ? $"unknown option '{arg}'" : $"unexpected argument '{arg}'");
            }
        }
        return (role ?? throw new UsageException("--role is required (coordinator, worker or client)"), sets);
    }

    private static async Task<int> RunWorkerAsync(CommandContext ctx, Config config, ClusterSettings cluster, CancellationToken ct)
    {
        var settings = FedActorsSettings.Create(config);
        var trainers = RunCommand.RuntimeSettings(() => TrainerSettings.Create(config));
        var (population, _, _, _) = await RunCommand.LoadPopulationAsync(settings, ctx, ct);
        var node = ClusterNode.Start(cluster, NodeRole.Worker, FederatedRun.BaseConfig, line => Say(ctx, line));
        await using (node)
        {
            node.StartWorker(trainers, population, settings.Run.ModelName);
            Say(ctx, $"node {node.Address} started as worker: {population.ClientCount:N0} clients in {cluster.Shards} shards, {trainers.Slots} trainer slot(s)");
            return await WaitAsync(ctx, node, ct);
        }
    }

    private static async Task<int> RunCoordinatorAsync(CommandContext ctx, CommonOptions options, Config config, ClusterSettings cluster, CancellationToken ct)
    {
        var settings = FedActorsSettings.Create(config);
        var persistence = RunCommand.RuntimeSettings(() =>
        {
            _ = (RunSettings.Create(config), ServerSettings.Create(config), SimulationSettings.Create(config), TrainerSettings.Create(config));
            return PersistenceSettings.Create(config);
        });
        if (persistence.Provider != PersistenceProvider.PostgreSql)
            await ctx.Error.WriteLineAsync($"fedactors node: warning: fedactors.persistence.provider = {persistence.Provider.ToString().ToLowerInvariant()}: " +
                "another coordinator-role node cannot recover this run; use postgresql for failover");
        var run = RunDirectory.Open(options.OutDir, ctx);
        var (population, test, _, _) = await RunCommand.LoadPopulationAsync(settings, ctx, ct);
        var spec = RunCommand.RuntimeSettings(() => FederatedRunSpec.Create(config, population, test));
        if (!run.HeldRun) await run.WriteRunConfAsync(config, ct);
        var setup = new CoordinatorSetup(spec.Run, spec.Server, spec.Simulation, population, FederatedRun.InitialWeights(spec),
            cluster.RunId, RunIdentity.Fingerprint(config), persistence.Durability, persistence.SnapshotEverySteps);
        var runtime = persistence.Provider == PersistenceProvider.Memory
            ? FederatedRun.BaseConfig
            : PersistenceConfig.For(persistence, run.FullPath).WithFallback(FederatedRun.BaseConfig);
        // Evaluation only: one slot on this node's test set.
        var evaluation = spec.Trainers with { Slots = 1 };
        var algorithm = ServerSettings.Name(spec.Server.Algorithm);
        var traffic = new WireTraffic();
        var ackLog = config.GetString("fedactors.persistence.acknowledgement-log", "");

        var node = ClusterNode.Start(cluster, NodeRole.Coordinator, runtime, line => Say(ctx, line));
        await using (node)
        {
            RunResult result;
            using (var progress = Progress.RunProgress.Create(ctx, plain: true))
            using (var ledgers = RunLedgers.Open(run, resuming: run.HeldRun, string.IsNullOrEmpty(ackLog) ? null : ackLog))
            {
                var observer = new RunCommand.ChannelObserver(progress, ledgers, line => ctx.Error.WriteLine($"fedactors node: warning: {line}"));
                var running = node.StartCoordinator(setup, evaluation, population, test, observer, traffic);
                Say(ctx, $"node {node.Address} started as coordinator: {algorithm} {settings.Run.ModelName} on {settings.Data.Dataset}, " +
                         $"{population.ClientCount:N0} clients, run id {cluster.RunId}, outputs in {run.FullPath}");
                progress.Start(spec.Run.MaxServerSteps, $"{algorithm} {settings.Run.ModelName} on {settings.Data.Dataset} (cluster)");
                var outputs = await RunOutputs.OpenAsync(run, resuming: run.HeldRun);
                var writer = Task.Run(async () =>
                {
                    await using (outputs)
                    {
                        await foreach (var item in observer.Items.ReadAllAsync(CancellationToken.None))
                            await outputs.WriteAsync(item);
                    }
                }, CancellationToken.None);

                var leaving = Task.Delay(Timeout.Infinite, ct).ContinueWith(_ => { }, TaskScheduler.Default);
                var first = await Task.WhenAny(running, leaving, node.WhenTerminated);
                if (first != running)
                {
                    // Leaving (or downed): the singleton moves to another coordinator-role node, which resumes from the journal.
                    if (!node.WhenTerminated.IsCompleted) await node.LeaveAsync();
                    observer.Complete();
                    await writer;
                    Say(ctx, ct.IsCancellationRequested
                        ? "left the cluster; another coordinator-role node takes the run over from the journal"
                        : "this node's actor system stopped: it was removed from the cluster, or it could not join one");
                    return ct.IsCancellationRequested ? 0 : 1;
                }
                result = await running;
                observer.Complete();
                await writer;
                if (result.Status == ActorRunStatus.Completed) progress.Complete($"final accuracy {result.FinalAccuracy:P2}");
                else progress.Stop(result.Error ?? "on request");
            }

            await RunCommand.WriteParticipationAsync(Path.Combine(run.FullPath, "participation.csv"), result.Participation);
            var summary = RunCommand.BuildSummary(settings, spec with { Persistence = null }, algorithm, result);
            await summary.WriteAsync(run.SummaryPath, CancellationToken.None);
            await WriteTrafficAsync(Path.Combine(run.FullPath, "cluster.json"), traffic, node.Address);
            var rows = MetricsCsv.Read(run.MetricsPath);
            if (rows.Count > 0) AccuracyPlot.Save(run.PlotPath, rows, $"{algorithm} {settings.Run.ModelName} on {settings.Data.Dataset} (cluster)");
            await ctx.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{result.Status.ToString().ToLowerInvariant()}: {result.Counters.ServerSteps} server steps, final accuracy {result.FinalAccuracy:P2}, " +
                $"model_sha256 {result.ModelSha256}; wire bytes up {traffic.BytesUp:N0}, down {traffic.BytesDown:N0}, jobs resent {traffic.JobsResent}; outputs in {run.FullPath}"));
            if (result.Status == ActorRunStatus.Failed && result.Error is not null) await ctx.Error.WriteLineAsync($"fedactors node: {result.Error}");
            return result.Status == ActorRunStatus.Failed ? 1 : 0;
        }
    }

    /// <summary>Waits until a signal (leave gracefully, exit 0) or until the cluster removes this node (exit 1).</summary>
    private static async Task<int> WaitAsync(CommandContext ctx, ClusterNode node, CancellationToken ct)
    {
        var leaving = Task.Delay(Timeout.Infinite, ct).ContinueWith(_ => { }, TaskScheduler.Default);
        await Task.WhenAny(leaving, node.WhenTerminated);
        if (node.WhenTerminated.IsCompleted)
        {
            Say(ctx, "this node's actor system stopped: it was removed from the cluster, or it could not join one");
            return 1;
        }
        Say(ctx, "leaving the cluster");
        await node.LeaveAsync();
        Say(ctx, "left the cluster");
        return 0;
    }

    private static async Task WriteTrafficAsync(string path, WireTraffic traffic, string node)
    {
        var json = JsonSerializer.Serialize(new SortedDictionary<string, object>
        {
            ["coordinator_node"] = node,
            ["wire_bytes_up"] = traffic.BytesUp,
            ["wire_bytes_down"] = traffic.BytesDown,
            ["jobs_resent"] = traffic.JobsResent,
        }, new JsonSerializerOptions { WriteIndented = true });
        await AtomicFile.WriteAllTextAsync(path, json + "\n", CancellationToken.None);
    }

    private static void Say(CommandContext ctx, string line)
    {
        lock (ctx.Out) ctx.Out.WriteLine(line);
        ctx.Out.Flush();
    }
}
