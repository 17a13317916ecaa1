using System.Globalization;
using System.Threading.Channels;
using Akka.Configuration;
using FedActors.Actors.Coordination;
using FedActors.Actors.Jobs;
using FedActors.Actors.Persistence;
using FedActors.Actors.Population;
using FedActors.Actors.Privacy;
using FedActors.Actors.Runs;
using FedActors.Host.Cli;
using FedActors.Host.Configuration;
using FedActors.Host.Data;
using FedActors.Host.Monitoring;
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
    private const CommonOption Accepted = CommonOption.All | CommonOption.Monitoring;

    /// <inheritdoc />
    public string Name => "run";

    /// <inheritdoc />
    public string Summary => "run federated training in one process (FedBuff, FedAsync or FedAvg)";

    /// <inheritdoc />
    public string Usage =>
        "Usage: fedactors run [--config F] [--set K=V]... [--out DIR] [--data-dir D] [--plain] [--dashboard] [--metrics-port P]\n\n" +
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
        var (config, loaded, spec) = await PrepareAsync(run, options, ctx, ct);
        var settings = config.Settings;
        var persistence = settings.Persistence;

        var algorithm = settings.Server.Name;
        var ackLog = persistence.AcknowledgementLog;
        RunResult result;
        RunOutputs outputs;
        string title = $"{algorithm} {settings.Run.ModelName} on {settings.Data.Dataset}, {loaded.Population.ClientCount:N0} clients";
        var privacy = ClientLevelAccounting.For(settings.Run.Privacy, loaded.Population.ClientCount);
        await using var monitors = RunMonitors.Start(settings.Monitoring, title, spec.Run.MaxServerSteps, line => ctx.Out.WriteLine(line), privacy);
        using (var progress = Progress.RunProgress.Create(ctx, options.Plain))
        using (var ledgers = RunLedgers.Open(run, resuming: run.HeldRun, string.IsNullOrEmpty(ackLog) ? null : ackLog))
        {
            var observer = new ChannelRunObserver(progress, ledgers, line => ctx.Error.WriteLine($"fedactors run: warning: {line}"));
            progress.Start(spec.Run.MaxServerSteps, title + (run.HeldRun ? " (resuming)" : ""));
            var running = FederatedRun.RunAsync(spec, monitors.Observers.Count == 0 ? observer : new RunObserverGroup([observer, .. monitors.Observers]), ct);
            _ = running.ContinueWith(_ => observer.Complete(), TaskScheduler.Default);
            outputs = await RunOutputs.OpenAsync(run, resuming: run.HeldRun, RunOutputs.ColumnsFor(settings.Run.Attack, privacy), privacy);
            await using (outputs)
            {
                await foreach (var item in observer.Items.ReadAllAsync(CancellationToken.None))
                    await outputs.WriteAsync(item);
            }
            result = await running;
            monitors.Finished(result);
            if (result.Status == ActorRunStatus.Completed) progress.Complete($"final accuracy {result.FinalAccuracy:P2}");
            else if (result.Status == ActorRunStatus.BudgetExhausted) progress.Stop($"privacy budget spent, final accuracy {result.FinalAccuracy:P2}");
            else progress.Stop(result.Error ?? "on request");
        }
        if (run.HeldRun && !outputs.Restored && result.Status == ActorRunStatus.Failed)
        {
            // Refused before anything was restored (another run's journal, unreadable state): leave the outputs alone.
            throw new FedActorsException($"{run.FullPath}: cannot resume: {result.Error}");
        }

        await ParticipationCsv.WriteAsync(Path.Combine(run.FullPath, "participation.csv"), result.Participation);
        var summary = RunSummary.Of(settings, spec.Population.ClientCount, result);
        await summary.WriteAsync(run.SummaryPath, CancellationToken.None);
        var rows = MetricsCsv.Read(run.MetricsPath);
        if (rows.Count > 0) AccuracyPlot.Save(run.PlotPath, rows, $"{algorithm} {settings.Run.ModelName} on {settings.Data.Dataset}");

        await ctx.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{RunStatusNames.Of(summary.Status)}: {result.Counters.ServerSteps} server steps, final accuracy {result.FinalAccuracy:P2}, " +
            $"virtual {result.Counters.VirtualSeconds:F0} s, wall {result.WallSeconds:F0} s; outputs in {run.FullPath}"));
        if (result.Status == ActorRunStatus.Stopped && spec.Persistence is not null)
            await ctx.Out.WriteLineAsync($"The run's state is saved; resume it with: ./fedactors run --out {Shell.Quote(run.FullPath)}");
        if (result.Status == ActorRunStatus.Failed && result.Error is not null)
            await ctx.Error.WriteLineAsync($"fedactors run: {result.Error}");
        return result.Status == ActorRunStatus.Failed ? 1 : 0;
    }

    /// <summary>
    /// Everything before the run starts: its configuration, state checks, data and run.conf. When any of it fails, a run
    /// directory this command made is removed again (or the operator is told what stayed), so a failed start leaves no
    /// empty run behind.
    /// </summary>
    private static async Task<(EffectiveConfig Config, LoadedPopulation Loaded, FederatedRunSpec Spec)> PrepareAsync(
        RunDirectory run, CommonOptions options, CommandContext ctx, CancellationToken ct)
    {
        try
        {
            var config = run.HeldRun ? ResumeConfig(run, options, ctx) : options.LoadExperimentConfig(ctx);
            var settings = config.Settings;
            var persistence = settings.Persistence;
            var runId = await run.RunIdAsync(ct);
            bool progressed = CheckState(run, persistence, runId);

            var loaded = await PopulationLoader.LoadAsync(settings, line => ctx.Error.WriteLine(line), ct);
            var spec = settings.RunSpec(loaded.Population, loaded.Test) with
            {
                Persistence = persistence.Provider == PersistenceProvider.Memory
                    ? null
                    : new RunPersistence(persistence, run.FullPath, RunIdentity.Fingerprint(config.Hocon))
                    {
                        PersistenceId = runId,
                        ExpectJournal = progressed,
                    },
            };
            if (!run.HeldRun)
            {
                await run.WriteRunConfAsync(config, ct);
                await run.WriteMaliciousAsync(settings.Run.Attack, ct);
                if (loaded.Partition is not null && !string.IsNullOrEmpty(settings.Data.Partition.Report))
                {
                    var report = PartitionReport.Create(loaded.Partition, loaded.Labels, loaded.Test.NumClasses);
                    ClientPartitioning.WriteReport(run.FullPath, settings.Data.Partition.Report, report);
                }
            }
            return (config, loaded, spec);
        }
        catch (Exception) when (!run.HeldRun)
        {
            if (run.Abandon() is { } left) await ctx.Error.WriteLineAsync($"fedactors run: the run did not start; left behind: {left}");
            throw;
        }
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
    private static EffectiveConfig ResumeConfig(RunDirectory run, CommonOptions options, CommandContext ctx)
    {
        var recorded = FedActorsConfig.Load(run.RunConfPath, Array.Empty<ConfigOverride>(), ctx.Extensions);
        var config = options.ConfigFile is null ? FedActorsConfig.Load(run.RunConfPath, options.Overrides(), ctx.Extensions) : options.LoadConfig(ctx);
        var differences = RunIdentity.Differences(recorded.Hocon, config.Hocon);
        if (differences.Count > 0)
            throw new FedActorsException(
                $"{run.FullPath} holds a run with another configuration; nothing was changed. To resume it, run with the same configuration " +
                $"(plain `./fedactors run --out {Shell.Quote(run.FullPath)}` reuses its run.conf); for a new run, choose a new --out. Differences (run.conf → now):\n  " +
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
}
