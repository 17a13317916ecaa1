using System.Globalization;
using System.Text.Json;
using Akka.Configuration;
using FedActors.Actors.Clients;
using FedActors.Actors.Cluster;
using FedActors.Actors.Coordination;
using FedActors.Actors.Persistence;
using FedActors.Actors.Population;
using FedActors.Actors.Privacy;
using FedActors.Actors.Runs;
using FedActors.Actors.Simulation;
using FedActors.Actors.Trainers;
using FedActors.Host.Cli;
using FedActors.Host.Configuration;
using FedActors.Host.Dashboard;
using FedActors.Host.Data;
using FedActors.Host.Monitoring;
using FedActors.Host.Runs;
using FedActors.Host.Settings;
using FedActors.Training.Data;
using ActorRunStatus = FedActors.Actors.Coordination.RunStatus;

namespace FedActors.Host.Commands;

/// <summary>
/// <c>fedactors node</c>: one cluster node. A worker hosts client shards and trains; a coordinator-role
/// node may host the coordinator singleton, evaluates, and writes the run directory when the run ends on
/// it. Membership changes go to stdout. SIGINT or SIGTERM leaves the cluster gracefully: shards hand off
/// and the coordinator moves to another coordinator-role node, which recovers it from the journal. A client
/// node (a silo) holds the data of its own clients only, registers them with the coordinator and trains
/// them when the coordinator picks them (wall clock).
/// </summary>
public sealed class NodeCommand : ICommand
{
    private const CommonOption Accepted = CommonOption.All | CommonOption.Monitoring;

    /// <inheritdoc />
    public string Name => "node";

    /// <inheritdoc />
    public string Summary => "run a cluster node (coordinator, worker or client) of a distributed run";

    /// <inheritdoc />
    public string Usage =>
        "Usage: fedactors node --role coordinator|worker|client [--config F] [--set K=V]... [--host H] [--port P]\n" +
        "                      [--seed-nodes A,B] [--out DIR] [--data-dir D] [--plain] [--dashboard] [--metrics-port P]\n\n" +
        "Starts a node of an Akka.Cluster and logs its address and membership changes. Every node of a run reads\n" +
        "the same experiment config and derives the same partitions from it. A worker hosts client shards and\n" +
        "trains them on its own trainer pool; a coordinator-role node can host the coordinator (a cluster\n" +
        "singleton that journals to fedactors.persistence, PostgreSQL for failover between coordinator nodes)\n" +
        "and writes the run directory DIR when the run ends on it, then exits. Ctrl+C or SIGTERM leaves the\n" +
        "cluster gracefully. A client node (a silo) holds the data of its own clients only (its slice of the\n" +
        "dataset in --data-dir, fedactors.client-node.silo), registers them with the coordinator and trains\n" +
        "them in wall-clock time; its coordinator runs with fedactors.cluster.clients = registered.\n\n" +
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
        return role switch
        {
            NodeRole.Worker => await RunWorkerAsync(ctx, config.Settings, ct),
            NodeRole.Coordinator => await RunCoordinatorAsync(ctx, options, config, ct),
            _ => await RunClientAsync(ctx, config.Settings, ct),
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

    private static async Task<int> RunWorkerAsync(CommandContext ctx, FedActorsSettings settings, CancellationToken ct)
    {
        var (cluster, trainers) = (settings.Cluster, settings.Trainers);
        var population = (await PopulationLoader.LoadAsync(settings, line => ctx.Error.WriteLine(line), ct)).Population;
        if (settings.Run.Transforms.KeepsClientState && settings.Persistence.Provider != PersistenceProvider.PostgreSql)
            throw new FedActorsException($"error feedback (fedactors.compression.uplink = \"{settings.Run.Compression.Chain}\") on worker nodes needs " +
                "fedactors.persistence.provider = postgresql on every node: a client's residual must follow it when its shard moves to another worker");
        using var clientState = OpenClientState(settings, null);
        var node = ClusterNode.Start(cluster, NodeRole.Worker, FederatedRun.BaseConfig, line => Say(ctx, line));
        await using (node)
        {
            node.StartWorker(trainers, population, settings.Run, clientState);
            Say(ctx, $"node {node.Address} started as worker: {population.ClientCount:N0} clients in {cluster.Shards} shards, {trainers.Slots} trainer slot(s)");
            return await WaitAsync(ctx, node, ct);
        }
    }

    private static async Task<int> RunClientAsync(CommandContext ctx, FedActorsSettings settings, CancellationToken ct)
    {
        var (cluster, trainers, silo) = (settings.Cluster, settings.Trainers, settings.ClientNode);
        if (settings.Simulation.Clock != ClockMode.Wall)
            throw new FedActorsException("a client node trains real clients in real time: set fedactors.simulation.clock = wall (on the coordinator too)");
        int[] own;
        try
        {
            own = silo.OwnClients(settings.Population.Clients);
        }
        catch (ConfigurationException e)
        {
            throw new FedActorsException(e.Message, e);
        }
        var name = string.Create(CultureInfo.InvariantCulture, $"silo-{silo.SiloIndex}");
        var (data, sha) = await SiloData.LoadAsync(settings, own, name, line => ctx.Error.WriteLine(line), ct);
        var observer = new ClientNodeReport(ctx);
        // A silo's clients never move: its residuals may stay in a file of its own when the run's database is not shared.
        using var clientState = OpenClientState(settings, null);
        var node = ClusterNode.Start(cluster, NodeRole.Client, FederatedRun.BaseConfig, line => Say(ctx, line));
        await using (node)
        {
            node.StartClient(trainers, data, settings.Run, silo, observer, clientState);
            Say(ctx, string.Create(CultureInfo.InvariantCulture,
                $"node {node.Address} started as client node {name} ({silo.SiloIndex + 1} of {silo.SiloCount}): clients [{string.Join(",", data.ClientIds)}], " +
                $"{data.TotalSamples} samples of {settings.Data.Dataset}, data sha256 {sha}, {trainers.Slots} trainer slot(s)"));
            var leaving = Task.Delay(Timeout.Infinite, ct).ContinueWith(_ => { }, TaskScheduler.Default);
            var first = await Task.WhenAny(leaving, node.WhenTerminated, observer.Refused);
            if (first == observer.Refused)
            {
                await ctx.Error.WriteLineAsync($"fedactors node: the coordinator refused this node's clients: {await observer.Refused}");
                await node.LeaveAsync();
                return 1;
            }
            return await EndAsync(ctx, node);
        }
    }

    /// <summary>
    /// The table the clients of this node keep their error-feedback residuals in, when the update pipeline keeps any:
    /// the run's database, shared with the other nodes under PostgreSQL, or else a file of this process.
    /// </summary>
    private static ClientStateTable? OpenClientState(FedActorsSettings settings, string? runDirectory)
    {
        if (!settings.Run.Transforms.KeepsClientState) return null;
        try
        {
            return ClientStateTable.Open(settings.Persistence, runDirectory, settings.Cluster.RunId, ClientStateTable.ResidualTable,
                settings.Run.Compression.ResidualMemoryBytes);
        }
        catch (InvalidOperationException e)
        {
            throw new FedActorsException(e.Message, e);
        }
    }

    /// <summary>A client node's registrations and jobs as stdout lines.</summary>
    private sealed class ClientNodeReport(CommandContext ctx) : IClientNodeObserver
    {
        private readonly TaskCompletionSource<string> _refused = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<string> Refused => _refused.Task;

        public void OnRegistered(string coordinator, int clients) =>
            Say(ctx, string.Create(CultureInfo.InvariantCulture, $"registered {clients} client(s) with the coordinator at {coordinator}"));

        public void OnRefused(string reason) => _refused.TrySetResult(reason);

        public void OnAnswered(ClientProtocol.IClientResult result, long baseVersion) => Say(ctx, result switch
        {
            ClientProtocol.ClientUpdate u => string.Create(CultureInfo.InvariantCulture,
                $"trained job {u.Job.Value} for client {u.ClientId} from version {baseVersion}: {u.Stats.Samples} samples, {u.Stats.Steps} steps, loss {u.Stats.MeanLoss:F4}, {u.Stats.ComputeSeconds:F1} s"),
            _ => string.Create(CultureInfo.InvariantCulture,
                $"job {result.Job.Value} for client {result.ClientId} failed: {(result as ClientProtocol.JobFailed)?.Reason}"),
        });
    }

    private static async Task<int> RunCoordinatorAsync(CommandContext ctx, CommonOptions options, EffectiveConfig config, CancellationToken ct)
    {
        var settings = config.Settings;
        var (cluster, persistence) = (settings.Cluster, settings.Persistence);
        if (persistence.Provider != PersistenceProvider.PostgreSql)
            await ctx.Error.WriteLineAsync($"fedactors node: warning: fedactors.persistence.provider = {persistence.Provider.ToString().ToLowerInvariant()}: " +
                "another coordinator-role node cannot recover this run; use postgresql for failover");
        var run = RunDirectory.Open(options.OutDir, ctx);
        bool registered = cluster.Clients == ClientPlacement.Registered;
        RealClientOptions? realClients = null;
        if (registered)
        {
            if (settings.Simulation.Clock != ClockMode.Wall)
                throw new FedActorsException("fedactors.cluster.clients = registered needs fedactors.simulation.clock = wall: real clients train in real time");
            if (cluster.MinClients > settings.Population.Clients)
                throw new FedActorsException($"fedactors.cluster.min-clients ({cluster.MinClients}) exceeds fedactors.population.clients ({settings.Population.Clients}): the run would never start");
            realClients = new RealClientOptions(settings.Population.Clients, cluster.MinClients);
        }
        // With real clients the training data stays on the client nodes: this node needs the test set alone.
        var (population, test) = registered
            ? ((IClientDataSource)new RemoteClientPopulation(settings.Population.Clients), await LoadTestSetAsync(settings, ctx, ct))
            : await LoadSimulatedAsync(settings, ctx, ct);
        var spec = settings.RunSpec(population, test);
        if (!run.HeldRun)
        {
            await run.WriteRunConfAsync(config, ct);
            await run.WriteMaliciousAsync(settings.Run.Attack, ct);
        }
        var runtime = persistence.Provider == PersistenceProvider.Memory
            ? FederatedRun.BaseConfig
            : PersistenceConfig.For(persistence, run.FullPath).WithFallback(FederatedRun.BaseConfig);
        // The coordinator prunes the residuals the clients share with it in PostgreSQL; a store of a node's own is that node's.
        using var clientState = persistence.Provider == PersistenceProvider.PostgreSql ? OpenClientState(settings, run.FullPath) : null;
        var setup = new CoordinatorSetup(spec.Run, spec.Server, spec.Simulation, population, FederatedRun.InitialWeights(spec),
            cluster.RunId, RunIdentity.Fingerprint(config.Hocon), persistence.Durability, persistence.SnapshotEverySteps)
        { ClientState = clientState };
        // Evaluation only: one slot on this node's test set.
        var evaluation = spec.Trainers with { Slots = 1 };
        var algorithm = spec.Server.Name;
        var traffic = new WireTraffic();
        var ackLog = persistence.AcknowledgementLog;

        var node = ClusterNode.Start(cluster, NodeRole.Coordinator, runtime, line => Say(ctx, line));
        await using (node)
        {
            RunResult result;
            string title = $"{algorithm} {settings.Run.ModelName} on {settings.Data.Dataset}, {population.ClientCount:N0} clients (cluster)";
            var privacy = ClientLevelAccounting.For(settings.Run.Privacy, population.ClientCount);
            await using var monitors = RunMonitors.Start(settings.Monitoring, title, spec.Run.MaxServerSteps, line => Say(ctx, line), privacy);
            using var members = monitors.Dashboard is null ? null : new ClusterMembersView(node.System, cluster.Shards);
            if (members is not null) monitors.Dashboard!.ShowCluster(members.Members);
            using (var progress = Progress.RunProgress.Create(ctx, plain: true))
            using (var ledgers = RunLedgers.Open(run, resuming: run.HeldRun, string.IsNullOrEmpty(ackLog) ? null : ackLog))
            {
                var channel = new ChannelRunObserver(progress, ledgers, line => ctx.Error.WriteLine($"fedactors node: warning: {line}"));
                IRunObserver[] watchers = members is null ? [.. monitors.Observers] : [.. monitors.Observers, members];
                var observer = channel;
                var running = node.StartCoordinator(setup, evaluation, population, test, watchers.Length == 0 ? channel : new RunObserverGroup([channel, .. watchers]),
                    traffic, realClients);
                Say(ctx, $"node {node.Address} started as coordinator: {algorithm} {settings.Run.ModelName} on {settings.Data.Dataset}, " +
                         $"{population.ClientCount:N0} clients, run id {cluster.RunId}, outputs in {run.FullPath}" +
                         (registered ? $"; waiting for {cluster.MinClients} registered client(s)" : ""));
                progress.Start(spec.Run.MaxServerSteps, $"{algorithm} {settings.Run.ModelName} on {settings.Data.Dataset} (cluster)");
                var outputs = await RunOutputs.OpenAsync(run, resuming: run.HeldRun, RunOutputs.ColumnsFor(settings.Run.Attack, privacy), privacy);
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
                monitors.Finished(result);
                observer.Complete();
                await writer;
                if (result.Status == ActorRunStatus.Completed) progress.Complete($"final accuracy {result.FinalAccuracy:P2}");
                else if (result.Status == ActorRunStatus.BudgetExhausted) progress.Stop($"privacy budget spent, final accuracy {result.FinalAccuracy:P2}");
                else progress.Stop(result.Error ?? "on request");
            }

            await ParticipationCsv.WriteAsync(Path.Combine(run.FullPath, "participation.csv"), result.Participation);
            var summary = RunSummary.Of(settings, population.ClientCount, result);
            await summary.WriteAsync(run.SummaryPath, CancellationToken.None);
            await WriteTrafficAsync(Path.Combine(run.FullPath, "cluster.json"), traffic, node.Address);
            var rows = MetricsCsv.Read(run.MetricsPath);
            if (rows.Count > 0) AccuracyPlot.Save(run.PlotPath, rows, $"{algorithm} {settings.Run.ModelName} on {settings.Data.Dataset} (cluster)");
            await ctx.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{RunStatusNames.Of(result.Status)}: {result.Counters.ServerSteps} server steps, final accuracy {result.FinalAccuracy:P2}, " +
                $"model_sha256 {result.ModelSha256}; wire bytes up {traffic.BytesUp:N0}, down {traffic.BytesDown:N0}, jobs resent {traffic.JobsResent}; outputs in {run.FullPath}"));
            if (result.Status == ActorRunStatus.Failed && result.Error is not null) await ctx.Error.WriteLineAsync($"fedactors node: {result.Error}");
            return result.Status == ActorRunStatus.Failed ? 1 : 0;
        }
    }

    private static async Task<(IClientDataSource Population, LabeledDataset Test)> LoadSimulatedAsync(FedActorsSettings settings, CommandContext ctx, CancellationToken ct)
    {
        var loaded = await PopulationLoader.LoadAsync(settings, line => ctx.Error.WriteLine(line), ct);
        return (loaded.Population, loaded.Test);
    }

    private static Task<LabeledDataset> LoadTestSetAsync(FedActorsSettings settings, CommandContext ctx, CancellationToken ct) =>
        DatasetLoader.LoadTestAsync(settings, line => ctx.Error.WriteLine(line), ct);

    /// <summary>Waits until a signal (leave gracefully, exit 0) or until the cluster removes this node (exit 1).</summary>
    private static async Task<int> WaitAsync(CommandContext ctx, ClusterNode node, CancellationToken ct)
    {
        var leaving = Task.Delay(Timeout.Infinite, ct).ContinueWith(_ => { }, TaskScheduler.Default);
        await Task.WhenAny(leaving, node.WhenTerminated);
        return await EndAsync(ctx, node);
    }

    /// <summary>Exit 1 when the cluster already removed this node; otherwise leave gracefully and exit 0.</summary>
    private static async Task<int> EndAsync(CommandContext ctx, ClusterNode node)
    {
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
            ["jobs_sent"] = traffic.JobsSent,
            ["model_chunks_sent"] = traffic.ModelChunksSent,
            ["versions_unavailable"] = traffic.VersionsUnavailable,
            ["update_chunks_received"] = traffic.UpdateChunksReceived,
            ["broken_updates"] = traffic.BrokenUpdates,
            ["late_bytes_up"] = traffic.LateBytesUp,
            ["late_bytes_down"] = traffic.LateBytesDown,
        }, new JsonSerializerOptions { WriteIndented = true });
        await AtomicFile.WriteAllTextAsync(path, json + "\n", CancellationToken.None);
    }

    private static void Say(CommandContext ctx, string line)
    {
        lock (ctx.Out) ctx.Out.WriteLine(line);
        ctx.Out.Flush();
    }
}
