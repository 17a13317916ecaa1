using System.Globalization;
using System.Threading.Channels;
using FedActors.Actors.Clients;
using FedActors.Actors.Coordination;
using FedActors.Host.Cli;
using FedActors.Host.Data;
using FedActors.Host.Progress;
using FedActors.Host.Runs;
using FedActors.Host.Settings;
using FedActors.Training.Data;
using FedActors.Training.Partitioning;
using ActorRunProgress = FedActors.Actors.Coordination.RunProgress;
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
        var config = options.LoadExperimentConfig(ctx);
        var settings = FedActorsSettings.Create(config);
        // Check the runtime's settings before spending time on the data.
        RuntimeSettings(() => (RunSettings.Create(config), ServerSettings.Create(config),
            Actors.Simulation.SimulationSettings.Create(config), Actors.Trainers.TrainerSettings.Create(config)));

        var run = RunDirectory.Open(options.OutDir, ctx);
        if (run.HeldRun)
            throw new FedActorsException(
                $"{run.FullPath} already holds a run; resuming a run needs its persisted state, which one-process runs do not keep yet. Choose a new --out.");

        var (population, test, partition, labels) = await LoadPopulationAsync(settings, ctx, ct);
        var spec = RuntimeSettings(() => FederatedRunSpec.Create(config, population, test));
        await run.WriteRunConfAsync(config, ct);
        if (partition is not null && !string.IsNullOrEmpty(settings.Data.Partition.Report))
        {
            var report = PartitionReport.Create(partition, labels, test.NumClasses);
            ClientPartitioning.WriteReport(run.FullPath, settings.Data.Partition.Report, report);
        }

        var algorithm = ServerSettings.Name(spec.Server.Algorithm);
        RunResult result;
        var rows = new List<MetricsRow>();
        using (var progress = Progress.RunProgress.Create(ctx, options.Plain))
        await using (var metrics = MetricsCsv.Open(run.MetricsPath))
        await using (var diagnostics = new StreamWriter(Path.Combine(run.FullPath, "diagnostics.csv")))
        {
            await diagnostics.WriteLineAsync(DiagnosticsHeader);
            var observer = new ChannelObserver(progress);
            progress.Start(spec.Run.MaxServerSteps,
                $"{algorithm} {settings.Run.ModelName} on {settings.Data.Dataset}, {population.ClientCount:N0} clients");
            var running = FederatedRun.RunAsync(spec, observer, ct);
            _ = running.ContinueWith(_ => observer.Complete(), TaskScheduler.Default);
            await foreach (var record in observer.Records.ReadAllAsync(CancellationToken.None))
            {
                var row = new MetricsRow(record.ServerStep, record.VirtualSeconds, record.WallSeconds, record.UpdatesApplied,
                    record.Accuracy, record.Loss, record.MeanStaleness, record.MaxStaleness, record.BytesUp, record.BytesDown);
                rows.Add(row);
                await metrics.AppendAsync(row, CancellationToken.None);
                await diagnostics.WriteLineAsync(DiagnosticsRow(record));
                await diagnostics.FlushAsync(CancellationToken.None);
            }
            result = await running;
            if (result.Status == ActorRunStatus.Completed) progress.Complete($"final accuracy {result.FinalAccuracy:P2}");
            else progress.Stop(result.Error ?? "stopped");
        }

        await WriteParticipationAsync(Path.Combine(run.FullPath, "participation.csv"), result.Participation);
        var summary = BuildSummary(settings, spec, algorithm, result);
        await summary.WriteAsync(run.SummaryPath, CancellationToken.None);
        if (rows.Count > 0) AccuracyPlot.Save(run.PlotPath, rows, $"{algorithm} {settings.Run.ModelName} on {settings.Data.Dataset}");

        await ctx.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{summary.Status.ToString().ToLowerInvariant()}: {result.Counters.ServerSteps} server steps, final accuracy {result.FinalAccuracy:P2}, " +
            $"virtual {result.Counters.VirtualSeconds:F0} s, wall {result.WallSeconds:F0} s; outputs in {run.FullPath}"));
        return result.Status == ActorRunStatus.Failed ? 1 : 0;
    }

    private static T RuntimeSettings<T>(Func<T> create)
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

    private static async Task<(IClientDataSource Population, LabeledDataset Test, Partition? Partition, int[] Labels)> LoadPopulationAsync(
        FedActorsSettings settings, CommandContext ctx, CancellationToken ct)
    {
        if (settings.Data.Dataset == "synthetic")
        {
            var synthetic = DatasetLoader.Synthetic(settings.Data);
            int clients = settings.Population.Clients;
            var test = SyntheticFedProx.PooledTest(synthetic, settings.Run.Seed, clients);
            return (new SyntheticClientDataSource(synthetic, settings.Run.Seed, clients), test, null, []);
        }
        var (train, testSet) = await DatasetLoader.LoadPooledAsync(settings, line => ctx.Error.WriteLine(line), ct);
        var partition = ClientPartitioning.Create(settings, train);
        var population = new PooledClientDataSource(train, partition.ClientCount, partition.IndicesMemory);
        return (population, testSet, partition, train.Labels);
    }

    private static RunSummary BuildSummary(FedActorsSettings settings, FederatedRunSpec spec, string algorithm, RunResult r)
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
            Concurrency = server.Algorithm == FlAlgorithm.FedAvg ? null : server.Concurrency,
            BufferSize = server.Algorithm switch { FlAlgorithm.FedBuff => server.BufferSize, FlAlgorithm.FedAsync => 1, _ => null },
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
        };
    }

    private const string DiagnosticsHeader =
        "server_step,updates,mean_update_norm,update_norm_variance,mean_cosine_to_aggregate,participating_clients,max_participation,updates_rejected,updates_dropped_stale,jobs_dropped,staleness_histogram";

    private static string DiagnosticsRow(EvaluationRecord r)
    {
        var d = r.Diagnostics;
        var inv = CultureInfo.InvariantCulture;
        // The histogram is one field: "staleness:count" pairs separated by spaces.
        var histogram = string.Join(' ', d.StalenessHistogram.Select(kv => $"{kv.Key}:{kv.Value}"));
        return string.Join(',', r.ServerStep.ToString(inv), d.Updates.ToString(inv), d.MeanUpdateNorm.ToString("G6", inv),
            d.UpdateNormVariance.ToString("G6", inv), d.MeanCosineToAggregate?.ToString("G6", inv) ?? "",
            d.ParticipatingClients.ToString(inv), d.MaxParticipation.ToString(inv), d.UpdatesRejected.ToString(inv),
            d.UpdatesDroppedStale.ToString(inv), d.JobsDropped.ToString(inv), histogram);
    }

    private static async Task WriteParticipationAsync(string path, IReadOnlyDictionary<int, int> participation)
    {
        await using var writer = new StreamWriter(path);
        await writer.WriteLineAsync("client_id,updates");
        foreach (var (client, count) in participation.OrderBy(kv => kv.Key))
            await writer.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{client},{count}"));
    }

    /// <summary>Hands evaluation records from the coordinator's thread to the command's writer loop.</summary>
    private sealed class ChannelObserver(IRunProgress progress) : IRunObserver
    {
        private readonly Channel<EvaluationRecord> _records = Channel.CreateUnbounded<EvaluationRecord>(new() { SingleReader = true });

        public ChannelReader<EvaluationRecord> Records => _records.Reader;

        public void Complete() => _records.Writer.TryComplete();

        public void OnEvaluation(EvaluationRecord record)
        {
            _records.Writer.TryWrite(record);
            progress.Report(record.ServerStep, record.Accuracy, record.Loss,
                string.Create(CultureInfo.InvariantCulture, $"virtual {record.VirtualSeconds:F0} s, staleness {record.MeanStaleness:F1}"));
        }

        public void OnProgress(ActorRunProgress p) =>
            progress.Report(p.ServerStep, extra: string.Create(CultureInfo.InvariantCulture,
                $"virtual {p.VirtualSeconds:F0} s, {p.UpdatesPerSecond:F0} updates/s, {p.InFlight} in flight"));
    }
}
