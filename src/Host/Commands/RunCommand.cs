using System.Globalization;
using System.Threading.Channels;
using Akka.Configuration;
using FedActors.Actors.Coordination;
using FedActors.Actors.Jobs;
using FedActors.Actors.Persistence;
using FedActors.Actors.Population;
using FedActors.Actors.Runs;
using FedActors.Host.Cli;
using FedActors.Host.Configuration;
using FedActors.Host.Data;
using FedActors.Host.Progress;
using FedActors.Host.Runs;
using FedActors.Host.Settings;
using FedActors.Training.Data;
using FedActors.Training.Partitioning;
using ActorRunProgress = FedActors.Actors.Runs.RunProgress;
using ActorRunStatus = FedActors.Actors.Coordination.RunStatus;

namespace FedActors.Host.Commands;

/// <summary>
/// <c>fedactors run</c>: a one-process federated run. Coordinator, client actors and trainers share one
/// actor system; outputs go to the run directory as DESIGN.md §4 describes.
/// </summary>
public sealed class RunCommand : ICommand
{
    private const CommonOption Accepted = CommonOption.All;

    /// <inheritdoc />
    public string Name => "run";

    /// <inheritdoc />
    public string Summary => "run federated training in one process (FedBuff, FedAsync or FedAvg)";

    /// <inheritdoc />
    public string Usage =>
        "Usage: fedactors run [--config F] [--set K=V]... [--out DIR] [--data-dir D] [--plain]\n\n" +
        "Partitions the data over fedactors.population.clients virtual clients and runs fedactors.server.algorithm\n" +
        "until fedactors.run.max-server-steps, evaluating the global model every fedactors.run.eval-every-steps.\n" +
        "Writes summary.json, metrics.csv, diagnostics.csv, participation.csv, run.conf and accuracy.png to DIR\n" +
        $"(default runs/<timestamp>). Default config: {CommonOptions.DefaultExperimentConfig}. Ctrl+C stops gracefully.\n\n" +
        "Options:\n" + CommonOptions.Describe(Accepted);

    /// <inheritdoc />
    public async Task<int> RunAsync(CommandContext ctx, string[] args, CancellationToken ct)
    {
        var options = CommonOptions.Parse(args, Accepted);
        options.RejectRemaining();
        using var run = RunDirectory.Open(options.OutDir, ctx, exclusive: true);
        if (run.HeldRun && await CompletedAsync(run) is { } done)
        {
            await ctx.Out.WriteLineAsync($"{run.FullPath} holds a completed run ({done}); nothing to do. Choose a new --out for another run.");
            return 0;
        }
        var config = run.HeldRun ? ResumeConfig(run, options, ctx) : options.LoadExperimentConfig(ctx);
        var settings = FedActorsSettings.Create(config);
        // Check the runtime's settings before spending time on the data.
        var persistence = RuntimeSettings(() =>
        {
            _ = (RunSettings.Create(config), Actors.Aggregation.StrategyCatalog.BuiltIn.Read(config), Actors.Simulation.SimulationSettings.Create(config),
                Actors.Trainers.TrainerSettings.Create(config));
            return PersistenceSettings.Create(config);
        });
        var runId = await run.RunIdAsync(ct);
        bool progressed = CheckState(run, persistence, runId);

        var (population, test, partition, labels) = await LoadPopulationAsync(settings, ctx, ct);
        var spec = RuntimeSettings(() => FederatedRunSpec.Create(config, population, test)) with
        {
            Persistence = persistence.Provider == PersistenceProvider.Memory
                ? null
                : new RunPersistence(persistence, run.FullPath, RunIdentity.Fingerprint(config))
                {
                    PersistenceId = runId,
                    ExpectJournal = progressed,
                },
        };
        if (!run.HeldRun)
        {
            await run.WriteRunConfAsync(config, ct);
            if (partition is not null && !string.IsNullOrEmpty(settings.Data.Partition.Report))
            {
                var report = PartitionReport.Create(partition, labels, test.NumClasses);
                ClientPartitioning.WriteReport(run.FullPath, settings.Data.Partition.Report, report);
            }
        }

        var algorithm = spec.Server.Name;
        var ackLog = config.GetString("fedactors.persistence.acknowledgement-log", "");
        RunResult result;
        RunOutputs outputs;
        using (var progress = Progress.RunProgress.Create(ctx, options.Plain))
        using (var ledgers = RunLedgers.Open(run, resuming: run.HeldRun, string.IsNullOrEmpty(ackLog) ? null : ackLog))
        {
            var observer = new ChannelObserver(progress, ledgers, line => ctx.Error.WriteLine($"fedactors run: warning: {line}"));
            progress.Start(spec.Run.MaxServerSteps,
                $"{algorithm} {settings.Run.ModelName} on {settings.Data.Dataset}, {population.ClientCount:N0} clients" + (run.HeldRun ? " (resuming)" : ""));
            var running = FederatedRun.RunAsync(spec, observer, ct);
            _ = running.ContinueWith(_ => observer.Complete(), TaskScheduler.Default);
            outputs = await RunOutputs.OpenAsync(run, resuming: run.HeldRun);
            await using (outputs)
            {
                await foreach (var item in observer.Items.ReadAllAsync(CancellationToken.None))
                    await outputs.WriteAsync(item);
            }
            result = await running;
            if (result.Status == ActorRunStatus.Completed) progress.Complete($"final accuracy {result.FinalAccuracy:P2}");
            else progress.Stop(result.Error ?? "on request");
        }
        if (run.HeldRun && !outputs.Restored && result.Status == ActorRunStatus.Failed)
        {
            // Refused before anything was restored (another run's journal, unreadable state): leave the outputs alone.
            throw new FedActorsException($"{run.FullPath}: cannot resume: {result.Error}");
        }

        await WriteParticipationAsync(Path.Combine(run.FullPath, "participation.csv"), result.Participation);
        var summary = BuildSummary(settings, spec, algorithm, result);
        await summary.WriteAsync(run.SummaryPath, CancellationToken.None);
        var rows = MetricsCsv.Read(run.MetricsPath);
        if (rows.Count > 0) AccuracyPlot.Save(run.PlotPath, rows, $"{algorithm} {settings.Run.ModelName} on {settings.Data.Dataset}");

        await ctx.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{summary.Status.ToString().ToLowerInvariant()}: {result.Counters.ServerSteps} server steps, final accuracy {result.FinalAccuracy:P2}, " +
            $"virtual {result.Counters.VirtualSeconds:F0} s, wall {result.WallSeconds:F0} s; outputs in {run.FullPath}"));
        if (result.Status == ActorRunStatus.Stopped && spec.Persistence is not null)
            await ctx.Out.WriteLineAsync($"The run's state is saved; resume it with: ./fedactors run --out {ShellQuote(run.FullPath)}");
        if (result.Status == ActorRunStatus.Failed && result.Error is not null)
            await ctx.Error.WriteLineAsync($"fedactors run: {result.Error}");
        return result.Status == ActorRunStatus.Failed ? 1 : 0;
    }

    /// <summary>The final accuracy of a completed run in <paramref name="run"/>, or null when it did not complete.</summary>
    private static async Task<string?> CompletedAsync(RunDirectory run)
    {
        if (!File.Exists(run.SummaryPath)) return null;
        try
        {
            var summary = await RunSummary.ReadAsync(run.SummaryPath, CancellationToken.None);
            return summary.Status == Runs.RunStatus.Completed
                ? string.Create(CultureInfo.InvariantCulture, $"final accuracy {summary.FinalAccuracy:P2}")
                : null;
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException or FedActorsException)
        {
            return null; // a summary torn by a crash: the journal decides
        }
    }

    /// <summary>
    /// The config of a resumed run: its run.conf with the --set overrides on top, or --config when given.
    /// Either way it must identify the same run (<see cref="RunIdentity"/>).
    /// </summary>
    private static Config ResumeConfig(RunDirectory run, CommonOptions options, CommandContext ctx)
    {
        var recorded = FedActorsConfig.Load(run.RunConfPath, Array.Empty<ConfigOverride>());
        var config = options.ConfigFile is null ? FedActorsConfig.Load(run.RunConfPath, options.Overrides()) : options.LoadConfig(ctx);
        var differences = RunIdentity.Differences(recorded, config);
        if (differences.Count > 0)
            throw new FedActorsException(
                $"{run.FullPath} holds a run with another configuration; nothing was changed. To resume it, run with the same configuration " +
                $"(plain `./fedactors run --out {ShellQuote(run.FullPath)}` reuses its run.conf); for a new run, choose a new --out. Differences (run.conf → now):\n  " +
                string.Join("\n  ", differences));
        return config;
    }

    /// <summary>
    /// Refuses state that is not this run's before the actor system touches it. Returns whether the run has
    /// progressed before (its journal must then hold it).
    /// </summary>
    private static bool CheckState(RunDirectory run, PersistenceSettings persistence, string runId)
    {
        bool progressed = run.HeldRun && (File.Exists(run.SummaryPath) || (File.Exists(run.MetricsPath) && MetricsCsv.Read(run.MetricsPath).Count > 0));
        if (persistence.Provider == PersistenceProvider.Memory && run.HeldRun)
            throw new FedActorsException($"{run.FullPath} holds a run and fedactors.persistence.provider = memory keeps no state to resume it from; nothing was changed. Choose a new --out.");
        var file = persistence.SqliteFile(run.FullPath);
        if (file is null) return progressed; // PostgreSQL: the journal itself tells once recovered
        bool exists = File.Exists(file);
        if (!run.HeldRun)
        {
            if (exists)
                throw new FedActorsException($"{file} exists but {run.FullPath} holds no run.conf: it is not this run's state; nothing was changed. Choose a new --out.");
            return false;
        }
        var info = exists ? StateDatabase.Inspect(file, runId) : null;
        if (info is null || (info.IsSqlite && info.Tables == 0))
        {
            // Stopped before its first write, the run starts afresh; past its first evaluation, state was lost.
            if (!progressed) return false;
            throw new FedActorsException(
                $"{run.FullPath} holds a run that has progressed, but its state database {file} is {(info is null ? "missing" : "empty")}; nothing was changed. Restore the file, or choose a new --out.");
        }
        if (!info.IsSqlite || !info.HasJournal)
            throw new FedActorsException(
                $"{file} is not a FedActors state database ({info.Error ?? "no journal table"}); it was left untouched. Choose a new --out, or restore the file.");
        if (progressed && info.HoldsRun == false)
            throw new FedActorsException(
                $"{file} holds no journal of this run ({runId} in run.id): it is another run's state; it was left untouched. Choose a new --out, or restore the file.");
        return progressed;
    }

    internal static string ShellQuote(string path) =>
        path.All(c => char.IsLetterOrDigit(c) || "/._-+:@".Contains(c)) ? path : "'" + path.Replace("'", "'\\''") + "'";

    internal static T RuntimeSettings<T>(Func<T> create)
    {
        try
        {
            return create();
        }
        catch (Akka.Configuration.ConfigurationException e)
        {
            throw new FedActorsException(e.Message, e);
        }
    }

    /// <summary>The clients and the central test set of a run, as <c>run</c> builds them (benchmarks and cluster nodes reuse it).</summary>
    internal static async Task<(IClientDataSource Population, LabeledDataset Test, Partition? Partition, int[] Labels)> LoadPopulationAsync(
        FedActorsSettings settings, CommandContext ctx, CancellationToken ct)
    {
        if (settings.Data.Dataset == "synthetic")
        {
            var synthetic = DatasetLoader.Synthetic(settings.Data);
            int clients = settings.Population.Clients;
            var test = DatasetLoader.SyntheticTest(settings);
            return (new SyntheticClientDataSource(synthetic, settings.Run.Seed, clients, settings.Data.Synthetic.CacheBytes), test, null, []);
        }
        var (train, testSet) = await DatasetLoader.LoadPooledAsync(settings, line => ctx.Error.WriteLine(line), ct);
        var partition = ClientPartitioning.Create(settings, train);
        var population = new PooledClientDataSource(train, partition.ClientCount, partition.IndicesMemory);
        return (population, testSet, partition, train.Labels);
    }

    internal static RunSummary BuildSummary(FedActorsSettings settings, FederatedRunSpec spec, string algorithm, RunResult r)
    {
        var server = spec.Server;
        var c = r.Counters;
        return new RunSummary
        {
            Status = r.Status switch
            {
                ActorRunStatus.Completed => Runs.RunStatus.Completed,
                ActorRunStatus.Stopped => Runs.RunStatus.Stopped,
                _ => Runs.RunStatus.Failed,
            },
            Algorithm = algorithm,
            Dataset = settings.Data.Dataset,
            Model = settings.Run.ModelName,
            Partition = settings.Data.Dataset == "synthetic" ? "natural" : settings.Data.Partition.Kind switch
            {
                "dirichlet" or "quantity" => string.Create(CultureInfo.InvariantCulture, $"{settings.Data.Partition.Kind}({settings.Data.Partition.Alpha})"),
                "shards" => $"shards({settings.Data.Partition.ShardsPerClient})",
                var k => k,
            },
            Seed = settings.Seed,
            NumClients = spec.Population.ClientCount,
            Concurrency = server.Participation is Actors.Aggregation.Participation.Continuous continuous ? continuous.Concurrency : null,
            BufferSize = server.UpdatesPerStep,
            ServerSteps = c.ServerSteps,
            UpdatesApplied = c.UpdatesApplied,
            UpdatesRejected = c.UpdatesRejected,
            UpdatesDroppedStale = c.UpdatesDroppedStale,
            FinalAccuracy = r.FinalAccuracy,
            FinalLoss = r.FinalLoss,
            BestAccuracy = r.BestAccuracy,
            TargetAccuracy = r.TargetAccuracy,
            VirtualSecondsToTarget = r.Target?.VirtualSeconds,
            UpdatesToTarget = r.Target?.Updates,
            BytesUpToTarget = r.Target?.BytesUp,
            VirtualSeconds = c.VirtualSeconds,
            WallSeconds = r.WallSeconds,
            SamplesTrained = c.SamplesTrained,
            TrainSeconds = c.TrainSeconds,
            BytesUp = c.BytesUp,
            BytesDown = c.BytesDown,
            ModelSha256 = r.ModelSha256,
            Resumed = r.Resumed,
        };
    }

    internal static async Task WriteParticipationAsync(string path, IReadOnlyDictionary<int, int> participation)
    {
        await using var writer = new StreamWriter(path);
        await writer.WriteLineAsync("client_id,updates");
        foreach (var (client, count) in participation.OrderBy(kv => kv.Key))
            await writer.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{client},{count}"));
    }

    /// <summary>
    /// Hands evaluations from the coordinator's thread to the command's writer loop, in order; the ledgers
    /// are written on the coordinator's thread itself, so a line is out before what follows it is journaled.
    /// </summary>
    internal sealed class ChannelObserver(IRunProgress progress, RunLedgers ledgers, Action<string> warn) : IRunObserver
    {
        private readonly Channel<object> _items = Channel.CreateUnbounded<object>(new() { SingleReader = true });

        public ChannelReader<object> Items => _items.Reader;

        public void Complete() => _items.Writer.TryComplete();

        public void OnEvaluation(EvaluationRecord record)
        {
            _items.Writer.TryWrite(record);
            progress.Report(record.ServerStep, record.Accuracy, record.Loss,
                string.Create(CultureInfo.InvariantCulture, $"virtual {record.VirtualSeconds:F0} s, staleness {record.MeanStaleness:F1}"));
        }

        public void OnProgress(ActorRunProgress p) =>
            progress.Report(p.ServerStep, extra: string.Create(CultureInfo.InvariantCulture,
                $"virtual {p.VirtualSeconds:F0} s, {p.UpdatesPerSecond:F0} updates/s, {p.InFlight} in flight"));

        public void OnRestored(RestoredRun restored)
        {
            ledgers.Restore(restored.ServerStep);
            _items.Writer.TryWrite(restored);
            progress.Report(restored.ServerStep, extra: $"resumed after step {restored.ServerStep} (resume {restored.Resumed})");
        }

        public void OnUpdateApplied(AppliedUpdate update) => ledgers.Applied(update);

        public void OnAcknowledged(JobId job, int clientId) => ledgers.Acknowledged(job, clientId);

        public void OnWarning(string message) => warn(message);
    }
}
