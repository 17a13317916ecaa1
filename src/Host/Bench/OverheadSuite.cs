using FedActors.Actors.Runs;
using FedActors.Host.Data;
using FedActors.Host.Cli;
using FedActors.Host.Configuration;
using Spectre.Console;

namespace FedActors.Host.Bench;

/// <summary>
/// <c>fedactors bench overhead</c>: samples per second of complete runs next to bare TorchSharp loops on the same model
/// and threads (<see cref="OverheadBenchmark"/>).
/// </summary>
internal sealed class OverheadSuite : IBenchSuite
{
    /// <inheritdoc />
    public string Name => "overhead";

    /// <inheritdoc />
    public string Synopsis => "fedactors bench overhead [--out FILE] [--steps N] [--repetitions R]";

    /// <inheritdoc />
    public string Description =>
        "overhead: samples/s of complete runs (actor system, evaluations, persistence as configured, in a temporary\n" +
        "       directory) of the configured length (the default run: 6,000 server steps, about 3 minutes; --steps N cuts\n" +
        "       it, and then start-up, the final evaluation and shutdown weigh more: about 20 % at 500 steps), after a\n" +
        "       warm-up run of at most 500 steps, divided by the samples/s of bare TorchSharp loops (one per trainer slot,\n" +
        "       same threads, batch size and optimizer) training as many samples, half before and half after the run so\n" +
        "       that a drifting machine speed hits both alike; medians over repetitions, by wall time and by process\n" +
        "       CPU time (robust to neighbours on the cores). The bare loops run twice: on full batches of the pooled set\n" +
        "       (the ratio), and on batches cut from whole clients as local training cuts them (short last batches).\n" +
        "       A third loop runs FedActors' own trainer (channels-last for image models) on the same clients, one local\n" +
        "       training each: the run against it is the cost of the runtime around training alone.\n" +
        $"       Without --config it reads {CommonOptions.DefaultExperimentConfig} (simple-cnn on Fashion-MNIST).\n";

    /// <inheritdoc />
    public bool ReadsExperimentConfig => true;

    /// <inheritdoc />
    public async Task<object> RunAsync(CommandContext ctx, BenchArguments bench, EffectiveConfig config, CancellationToken ct)
    {
        int repetitions = bench.Repetitions ?? 1;
        // A target would end some runs early: every run goes the whole length.
        config = config.With("fedactors.run.target-accuracy = null");
        var settings = config.Settings;
        // Without --steps: the configured run's own length (the default run's 6,000 steps).
        int steps = bench.Steps ?? settings.Run.MaxServerSteps;
        var persistence = settings.Persistence;
        var (population, test, _, _) = await PopulationLoader.LoadAsync(settings, line => ctx.Error.WriteLine(line), ct);
        var (train, _) = settings.Data.Dataset == "synthetic"
            ? (DatasetLoader.PoolSynthetic(settings).Train, test)
            : await DatasetLoader.LoadPooledAsync(settings, line => ctx.Error.WriteLine(line), ct);
        var spec = settings.RunSpec(population, test);
        var fingerprint = Runs.RunIdentity.Fingerprint(config.Hocon);
        int runs = 0;
        async Task<(RunResult, long)> RunOnce(int runSteps)
        {
            // A fresh directory each time: a directory holding a journal would be resumed, not run again.
            var dir = Directory.CreateTempSubdirectory("fedactors-bench-");
            var counting = new CountingClients(population);
            try
            {
                var s = spec with
                {
                    Run = spec.Run with { MaxServerSteps = runSteps },
                    Population = counting,
                    Persistence = persistence.Provider == Actors.Persistence.PersistenceProvider.Memory
                        ? null
                        : new RunPersistence(persistence, dir.FullName, fingerprint) { PersistenceId = $"bench-overhead-{++runs}" },
                };
                return (await FederatedRun.RunAsync(s, NullRunObserver.Instance, ct), counting.Samples);
            }
            finally
            {
                dir.Delete(recursive: true);
            }
        }
        await ctx.Out.WriteLineAsync(
            $"bench overhead: {settings.Run.ModelName} on {settings.Data.Dataset}, {population.ClientCount:N0} clients, {steps} server steps per run, " +
            $"persistence {persistence.Provider}, {repetitions} repetition(s), {spec.Trainers.Slots} slot(s) × {spec.Trainers.EffectiveThreadsPerSlot} thread(s), " +
            $"batch {spec.Run.Client.BatchSize}, {Environment.ProcessorCount} cores");
        // The clients' batches need clients that view the pooled set (Fashion-MNIST); Synthetic clients own their data.
        var clients = population is Actors.Population.PooledClientDataSource ? population : null;
        var pairs = await OverheadBenchmark.RunAsync(RunOnce, steps, spec, train, clients, repetitions, line => ctx.Out.WriteLine("  " + line), ct);

        double runRate = BenchTiming.Median(pairs.Select(p => p.RunSamplesPerSecond).ToArray());
        double bareRate = BenchTiming.Median(pairs.Select(p => p.BareSamplesPerSecond).ToArray());
        double ratio = BenchTiming.Median(pairs.Select(p => p.Ratio).ToArray());
        double cpuRatio = BenchTiming.Median(pairs.Select(p => p.CpuRatio).ToArray());
        double runCpuRate = BenchTiming.Median(pairs.Select(p => p.RunSamples / p.RunCpuSeconds).ToArray());
        double bareCpuRate = BenchTiming.Median(pairs.Select(p => p.BareSamples / p.BareCpuSeconds).ToArray());
        double? Median(Func<OverheadPair, double?> f) =>
            pairs.All(p => f(p) is not null) ? BenchTiming.Median(pairs.Select(p => f(p)!.Value).ToArray()) : null;
        double? shapedRatio = Median(p => p.ClientBatchesRatio), shapedCpuRatio = Median(p => p.ClientBatchesCpuRatio);
        double? shapedRate = Median(p => p.ClientBatches is { } b ? b.Samples / b.Seconds : null);
        double? shapedCpuRate = Median(p => p.ClientBatches is { } b ? b.Samples / b.CpuSeconds : null);
        double? trainerRatio = Median(p => p.TrainerRatio), trainerCpuRatio = Median(p => p.TrainerCpuRatio);
        double? trainerRate = Median(p => p.Trainer is { } b ? b.Samples / b.Seconds : null);
        double? trainerCpuRate = Median(p => p.Trainer is { } b ? b.Samples / b.CpuSeconds : null);
        double wasted = BenchTiming.Median(pairs.Select(p => p.RunTrainedSamples > 0 ? 1 - (double)p.RunSamples / p.RunTrainedSamples : 0).ToArray());
        var table = new Table().AddColumns("loop", "samples/s", "ratio", "samples per CPU s", "CPU ratio");
        table.AddRow($"fedbuff run ({steps} steps)", $"{runRate:F0}", $"{ratio:F3}", $"{runCpuRate:F0}", $"{cpuRatio:F3}");
        table.AddRow($"bare loop × {spec.Trainers.Slots}", $"{bareRate:F0}", "", $"{bareCpuRate:F0}", "");
        if (shapedRatio is not null)
            table.AddRow($"bare loop × {spec.Trainers.Slots}, clients' batches", $"{shapedRate:F0}", $"{shapedRatio:F3}", $"{shapedCpuRate:F0}", $"{shapedCpuRatio:F3}");
        if (trainerRatio is not null)
            table.AddRow($"FedActors' trainer × {spec.Trainers.Slots} alone, clients' data", $"{trainerRate:F0}", $"{trainerRatio:F3}", $"{trainerCpuRate:F0}", $"{trainerCpuRatio:F3}");
        BenchReport.Print(ctx, table);
        await ctx.Out.WriteLineAsync($"trained for nothing (results in flight at the end): {wasted:P1} of the samples trained");
        return new
        {
            suite = "overhead",
            machine = BenchReport.Machine,
            model = settings.Run.ModelName,
            dataset = settings.Data.Dataset,
            server_steps = steps,
            slots = spec.Trainers.Slots,
            threads_per_slot = spec.Trainers.EffectiveThreadsPerSlot,
            batch_size = spec.Run.Client.BatchSize,
            persistence = persistence.Provider.ToString(),
            run_samples_per_second = runRate,
            bare_samples_per_second = bareRate,
            ratio,
            cpu_ratio = cpuRatio,
            client_batches_samples_per_second = shapedRate,
            client_batches_ratio = shapedRatio,
            client_batches_cpu_ratio = shapedCpuRatio,
            trainer_samples_per_second = trainerRate,
            trainer_ratio = trainerRatio,
            trainer_cpu_ratio = trainerCpuRatio,
            wasted_fraction = wasted,
            pairs = pairs.Select(p => new
            {
                run_samples = p.RunSamples, run_trained_samples = p.RunTrainedSamples, run_seconds = p.RunSeconds,
                run_reported_wall_seconds = p.RunReportedSeconds, run_cpu_seconds = p.RunCpuSeconds,
                bare_samples = p.BareSamples, bare_seconds = p.BareSeconds, bare_cpu_seconds = p.BareCpuSeconds, ratio = p.Ratio, cpu_ratio = p.CpuRatio,
                client_batches_samples = p.ClientBatches?.Samples, client_batches_seconds = p.ClientBatches?.Seconds,
                client_batches_cpu_seconds = p.ClientBatches?.CpuSeconds, client_batches_ratio = p.ClientBatchesRatio,
                client_batches_cpu_ratio = p.ClientBatchesCpuRatio,
                trainer_samples = p.Trainer?.Samples, trainer_seconds = p.Trainer?.Seconds, trainer_cpu_seconds = p.Trainer?.CpuSeconds,
                trainer_ratio = p.TrainerRatio, trainer_cpu_ratio = p.TrainerCpuRatio,
            }),
        };
    }
}
