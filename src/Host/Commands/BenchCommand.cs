using System.Text.Json;
using FedActors.Actors.Aggregation;
using FedActors.Actors.Runs;
using FedActors.Host.Bench;
using FedActors.Host.Cli;
using FedActors.Host.Data;
using FedActors.Host.Settings;
using FedActors.Training.Models;
using Spectre.Console;

namespace FedActors.Host.Commands;

/// <summary>
/// <c>fedactors bench SUITE</c>: benchmarks that compare FedActors with a baseline measured in the same
/// run on the same machine, never with a remembered number.
/// </summary>
public sealed class BenchCommand : ICommand
{
    private const CommonOption Accepted = CommonOption.ConfigOptions | CommonOption.Plain;

    /// <summary>Models whose sizes the aggregation suite measures by default: small, medium and large vectors.</summary>
    public static IReadOnlyList<string> AggregateModels { get; } = ["logreg", "simple-cnn", "cnn"];

    /// <summary>The config the population, orchestration suites read without --config.</summary>
    public const string SyntheticConfig = "config/synthetic-fedbuff.conf";

    /// <summary>Server steps of each orchestration run when --steps is not given.</summary>
    public const int DefaultOrchestrationSteps = 2000;

    /// <summary>
    /// Local steps of the orchestration suite's trainings when --local-steps is not given: one epoch of the median Synthetic
    /// device (int(lognormal(4, 2)) + 50 has median ≈ 104 samples, 93 for training: 10 batches of 10). Uncapped, the
    /// heavy tail decides the suite: one of the 1,000 devices of the default seed trains 66,655 steps per job.
    /// </summary>
    public const int DefaultOrchestrationLocalSteps = 10;

    /// <summary>Population sizes the population suite measures by default.</summary>
    public static IReadOnlyList<int> PopulationSizes { get; } = [10_000, 100_000, 1_000_000];

    /// <inheritdoc />
    public string Name => "bench";

    /// <inheritdoc />
    public string Summary => $"benchmarks against same-run baselines (suites: {string.Join(", ", BenchArguments.Suites)})";

    /// <inheritdoc />
    public string Usage =>
        "Usage: fedactors bench train [--out FILE] [--models M,...] [--samples N] [--repetitions R] [--threads T] [--batch-size B]\n" +
        "       fedactors bench aggregate [--out FILE] [--models M,...] [--repetitions R]\n" +
        "       fedactors bench population [--out FILE] [--clients N,...]\n" +
        "       fedactors bench orchestration [--out FILE] [--steps N] [--repetitions R] [--nodes N]\n" +
        "       fedactors bench overhead [--out FILE] [--steps N] [--repetitions R]\n\n" +
        "train: local-training throughput (samples/s and achieved GFLOP/s) of every model through FedActors'\n" +
        "       client path, next to a bare TorchSharp loop (torch.optim.SGD, batches prepared up front) doing\n" +
        "       the same batches with the same threads, interleaved in one process. Data: Fashion-MNIST.\n" +
        $"       Without --config it reads {CommonOptions.DefaultExperimentConfig}, as `run` does.\n" +
        "aggregate: server aggregation throughput (GB/s of client updates folded into the FedBuff buffer: checks,\n" +
        "       staleness weight, weighted sum, and the flush) next to Span.CopyTo of the same bytes, interleaved\n" +
        "       in one process, for the parameter counts of each model on Fashion-MNIST (default: " + string.Join(',', AggregateModels) + ").\n" +
        "       K, weighting and staleness function come from fedactors.server. The ratio is the median of the\n" +
        "       ratios of back-to-back pairs.\n" +
        "population: bytes per virtual client (managed heap after a full collection, and RSS) that a run holds for\n" +
        "       N Synthetic(α, β) clients outside the actor system: data source, coordinator (device profiles, selector,\n" +
        "       in-flight jobs, counters), idle and once every client has been counted in the participation. Default\n" +
        $"       N: {string.Join(',', PopulationSizes)}. Without --config it reads {SyntheticConfig}.\n" +
        "orchestration: client updates applied per second by the one-node runtime (coordinator, client actors,\n" +
        $"       trainer pool; state in memory) on the config's run cut to --steps server steps (default {DefaultOrchestrationSteps}), next\n" +
        "       to the bare loop: the local trainings the runtime started while applying updates, on as many plain\n" +
        "       threads as trainer slots with the run's trainer (fedactors.trainers.engine), no actors. The ratio is\n" +
        "       the median of back-to-back pairs. Every training is capped at --local-steps optimizer steps (default\n" +
        $"       {DefaultOrchestrationLocalSteps}: one epoch of the median Synthetic device, ~93 samples in batches of 10; 0 trains every batch of\n" +
        "       the config's epochs, where one of the 1,000 devices of seed 42 trains on 666,544); the suite prints the mean and\n" +
        "       largest work per training. Clients are generated by a warm-up run and cached for every run and pass. With --nodes N\n" +
        "       (N ≥ 2) it then runs the same config on a loopback cluster of N `fedactors node` processes (one\n" +
        "       coordinator, N − 1 workers, state in memory) and reports its updates/s between the coordinator's\n" +
        "       first and last evaluation, and whether its final weights hash as the one-node run's.\n" +
        $"       Without --config it reads {SyntheticConfig} (logreg on Synthetic(1, 1), virtual clock).\n" +
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
        $"       Without --config it reads {CommonOptions.DefaultExperimentConfig} (simple-cnn on Fashion-MNIST).\n\n" +
        "Options:\n" +
        "  --out FILE      also write the results as JSON\n" +
        $"  --models M,...  models to measure (train default: {string.Join(',', ModelCatalog.Names)})\n" +
        "  --samples N     train: samples per pass (default 4096); a timed repetition repeats the pass for at least 0.25 s\n" +
        "  --repetitions R timed repetitions of each loop, median reported (default: train 7, aggregate 21, orchestration 3, overhead 1)\n" +
        "  --threads T     train: intra-op threads (default: fedactors.trainers.threads-per-slot)\n" +
        "  --batch-size B  train: minibatch size (default: fedactors.client.batch-size)\n" +
        "  --clients N,... population: population sizes to measure\n" +
        "  --steps N       orchestration, overhead: server steps of each measured run\n" +
        "  --local-steps K orchestration: optimizer steps per local training (fedactors.client.local-steps); 0 = no cap\n" +
        "  --nodes N       orchestration: also measure a loopback cluster of N processes (default 1: one node only)\n" +
        CommonOptions.Describe(Accepted);

    /// <inheritdoc />
    public async Task<int> RunAsync(CommandContext ctx, string[] args, CancellationToken ct)
    {
        var options = CommonOptions.Parse(args, Accepted);
        var bench = BenchArguments.Parse(options.Remaining);
        // The experiment's config, as `run` reads it, so that thread counts, batch size and K match a default run.
        // The runtime suites measure the Synthetic(α, β) population that needs no files, as the issue's large runs do.
        var config = bench.Suite is "train" or "aggregate" or "overhead" ? options.LoadExperimentConfig(ctx) : options.LoadConfig(ctx, SyntheticConfig);
        object json = bench.Suite switch
        {
            "train" => await TrainAsync(ctx, bench, FedActorsSettings.Create(config), ct),
            "aggregate" => await AggregateAsync(ctx, bench, RunCommand.RuntimeSettings(() => FedBuffSettings.Create(config)), ct),
            "population" => await PopulationAsync(ctx, bench, config, ct),
            "orchestration" => await OrchestrationAsync(ctx, bench, config, ct),
            "overhead" => await OverheadAsync(ctx, bench, config, ct),
            _ => throw new UsageException($"unknown bench suite '{bench.Suite}'"),
        };
        if (bench.OutFile is not null)
        {
            var path = ctx.ResolvePath(bench.OutFile);
            await File.WriteAllTextAsync(path, JsonSerializer.Serialize(json, new JsonSerializerOptions { WriteIndented = true }), ct);
            await ctx.Out.WriteLineAsync($"results written to {path}");
        }
        return 0;
    }

    private static object Machine => new { cores = Environment.ProcessorCount, os = Environment.OSVersion.VersionString };

    private static void Print(CommandContext ctx, Table table) =>
        AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(ctx.Out) }).Write(table);

    private static async Task<object> TrainAsync(CommandContext ctx, BenchArguments bench, FedActorsSettings settings, CancellationToken ct)
    {
        var models = bench.Models ?? ModelCatalog.Names;
        int samples = bench.Samples ?? 4096, repetitions = bench.Repetitions ?? 7;
        var data = settings.Data with { Dataset = "fashion-mnist" };
        var (train, _) = await DatasetLoader.LoadPooledAsync(settings with { Data = data }, line => ctx.Error.WriteLine(line), ct);
        int t = bench.Threads ?? settings.Trainers.EffectiveThreadsPerSlot;
        int b = bench.BatchSize ?? settings.Run.Client.BatchSize;

        await ctx.Out.WriteLineAsync(
            $"bench train: passes of {samples} samples, {repetitions} repetitions of at least {TrainBenchmark.MinRepetitionSeconds} s per loop, batch {b}, {t} thread(s), {Environment.ProcessorCount} cores");
        var results = new List<TrainBenchmarkResult>();
        foreach (var model in models)
        {
            ct.ThrowIfCancellationRequested();
            var r = TrainBenchmark.Run(model, train, samples, b, t, repetitions, ct);
            results.Add(r);
            await ctx.Out.WriteLineAsync(
                $"  {model}: bare {r.BareSamplesPerSecond:F0} samples/s, fedactors {r.FedActorsSamplesPerSecond:F0} samples/s, ratio {r.Ratio:F3}");
        }

        var table = new Table().AddColumns("model", "bare samples/s", "bare GFLOP/s", "fedactors samples/s", "fedactors GFLOP/s", "ratio");
        foreach (var r in results)
        {
            table.AddRow(r.Model, $"{r.BareSamplesPerSecond:F0}", $"{r.BareGflops:F2}", $"{r.FedActorsSamplesPerSecond:F0}",
                $"{r.FedActorsGflops:F2}", $"{r.Ratio:F3}");
        }
        Print(ctx, table);
        return new
        {
            suite = "train",
            machine = Machine,
            batch_size = b,
            threads = t,
            samples_per_pass = samples,
            repetitions,
            results = results.Select(r => new
            {
                model = r.Model,
                bare_samples_per_second = r.BareSamplesPerSecond,
                fedactors_samples_per_second = r.FedActorsSamplesPerSecond,
                bare_gflops = r.BareGflops,
                fedactors_gflops = r.FedActorsGflops,
                samples_per_repetition = r.SamplesPerRepetition,
                ratio = r.Ratio,
            }),
        };
    }

    private static async Task<object> AggregateAsync(CommandContext ctx, BenchArguments bench, FedBuffSettings server, CancellationToken ct)
    {
        var models = bench.Models ?? AggregateModels;
        int repetitions = bench.Repetitions ?? 21;
        await ctx.Out.WriteLineAsync(
            $"bench aggregate: K = {server.BufferSize} updates and one flush per pass, {server.Weighting} weighting, staleness {server.Staleness.Weight.GetType().Name}, " +
            $"{repetitions} repetitions of at least {AggregateBenchmark.MinRepetitionSeconds} s per loop, {Environment.ProcessorCount} cores");
        var results = new List<AggregateBenchmarkResult>();
        foreach (var model in models)
        {
            ct.ThrowIfCancellationRequested();
            int dimension = checked((int)ModelCatalog.Describe(model, [1, 28, 28], 10).ParameterCount);
            var r = AggregateBenchmark.Run(model, dimension, server, repetitions, ct);
            results.Add(r);
            await ctx.Out.WriteLineAsync(
                $"  {model} ({dimension:N0} floats): aggregate {r.AggregateBytesPerSecond / 1e9:F2} GB/s, copy {r.CopyBytesPerSecond / 1e9:F2} GB/s, ratio {r.Ratio:F3}");
        }

        var table = new Table().AddColumns("model", "floats", "bytes/pass", "aggregate GB/s", "copy GB/s", "ratio");
        foreach (var r in results)
        {
            table.AddRow(r.Model, $"{r.Dimension:N0}", $"{r.BytesPerPass:N0}", $"{r.AggregateBytesPerSecond / 1e9:F2}",
                $"{r.CopyBytesPerSecond / 1e9:F2}", $"{r.Ratio:F3}");
        }
        Print(ctx, table);
        return new
        {
            suite = "aggregate",
            machine = Machine,
            buffer_size = server.BufferSize,
            weighting = server.Weighting.ToString(),
            repetitions,
            results = results.Select(r => new
            {
                model = r.Model,
                dimension = r.Dimension,
                bytes_per_pass = r.BytesPerPass,
                aggregate_gb_per_second = r.AggregateBytesPerSecond / 1e9,
                copy_gb_per_second = r.CopyBytesPerSecond / 1e9,
                ratio = r.Ratio,
            }),
        };
    }

    private static async Task<object> PopulationAsync(CommandContext ctx, BenchArguments bench, Akka.Configuration.Config config, CancellationToken ct)
    {
        var sizes = bench.Clients ?? PopulationSizes;
        var settings = FedActorsSettings.Create(config);
        if (settings.Data.Dataset != "synthetic")
            throw new UsageException($"bench population measures a Synthetic(α, β) population; the config's fedactors.data.dataset is '{settings.Data.Dataset}'");
        var synthetic = DatasetLoader.Synthetic(settings.Data);
        long before = ProcessMemory.ManagedBytes();
        var test = DatasetLoader.SyntheticTest(settings with { Population = settings.Population with { Clients = sizes.Max() } });
        long testBytes = ProcessMemory.ManagedBytes() - before;
        await ctx.Out.WriteLineAsync(
            $"bench population: {settings.Run.ModelName}, Synthetic({synthetic.Alpha}, {synthetic.Beta}); fixed cost outside the per-client figures: " +
            $"central test set of {test.Count:N0} samples from {settings.Data.Synthetic.TestClientsOf(sizes.Max()):N0} devices, {testBytes / 1e6:F1} MB");
        // An unrecorded first measurement: the runtime returns the memory of building the test set to the system
        // over the next collections, which would otherwise show as a negative RSS for the first size.
        PopulationBenchmark.Run(config, synthetic, sizes.Min(), test);
        var results = new List<PopulationBenchmarkResult>();
        foreach (var n in sizes)
        {
            ct.ThrowIfCancellationRequested();
            var r = PopulationBenchmark.Run(config, synthetic, n, test);
            results.Add(r);
            await ctx.Out.WriteLineAsync(
                $"  {n:N0} clients: idle {r.IdleManagedPerClient:F1} B/client managed, {r.IdleRssPerClient:F1} B/client RSS; " +
                $"all counted {r.CountedManagedPerClient:F1} B/client managed, {r.CountedRssPerClient:F1} B/client RSS");
        }
        GC.KeepAlive(test);

        var table = new Table().AddColumns("clients", "idle managed B/client", "idle RSS B/client", "counted managed B/client", "counted RSS B/client");
        foreach (var r in results)
        {
            table.AddRow($"{r.Clients:N0}", $"{r.IdleManagedPerClient:F1}", $"{r.IdleRssPerClient:F1}", $"{r.CountedManagedPerClient:F1}",
                $"{r.CountedRssPerClient:F1}");
        }
        Print(ctx, table);
        return new
        {
            suite = "population",
            machine = Machine,
            model = settings.Run.ModelName,
            test_set_bytes = testBytes,
            test_set_samples = test.Count,
            results = results.Select(r => new
            {
                clients = r.Clients,
                idle_managed_bytes = r.IdleManagedBytes,
                idle_rss_bytes = r.IdleRssBytes,
                idle_managed_bytes_per_client = r.IdleManagedPerClient,
                idle_rss_bytes_per_client = r.IdleRssPerClient,
                counted_managed_bytes = r.CountedManagedBytes,
                counted_rss_bytes = r.CountedRssBytes,
                counted_managed_bytes_per_client = r.CountedManagedPerClient,
                counted_rss_bytes_per_client = r.CountedRssPerClient,
            }),
        };
    }

    private static async Task<object> OrchestrationAsync(CommandContext ctx, BenchArguments bench, Akka.Configuration.Config config, CancellationToken ct)
    {
        int steps = bench.Steps ?? DefaultOrchestrationSteps, repetitions = bench.Repetitions ?? 3;
        int? localSteps = (bench.LocalSteps ?? DefaultOrchestrationLocalSteps) is var limit && limit > 0 ? limit : null;
        // Cut to the measured length, evaluated only at the start and the end: the timing runs from the first
        // applied update to the last, and state stays in memory (no journal file).
        config = Akka.Configuration.ConfigurationFactory.ParseString(
            $"fedactors.run.max-server-steps = {steps}\nfedactors.run.eval-every-steps = {steps}\nfedactors.run.target-accuracy = null\n" +
            $"fedactors.client.local-steps = {(localSteps is int k ? k.ToString(System.Globalization.CultureInfo.InvariantCulture) : "null")}\n" +
            "fedactors.persistence.provider = memory").WithFallback(config);
        var settings = FedActorsSettings.Create(config);
        var (population, test, _, _) = await RunCommand.LoadPopulationAsync(settings, ctx, ct);
        var engine = Training.LocalTraining.TrainingEngines.Resolve(settings.Trainers.Engine, settings.Run.ModelName);
        var o = settings.Run.Client;
        await ctx.Out.WriteLineAsync(
            $"bench orchestration: {settings.Run.ModelName} on {settings.Data.Dataset}, {settings.Population.Clients:N0} clients, {steps} server steps per run, " +
            $"{repetitions} interleaved pairs, {settings.Trainers.Slots} trainer slot(s) × {settings.Trainers.EffectiveThreadsPerSlot} thread(s), {Environment.ProcessorCount} cores");
        await ctx.Out.WriteLineAsync(
            $"  local training: {Training.LocalTraining.TrainingEngines.Name(engine)} engine, {o.Epochs} epoch(s) of batches of {o.BatchSize}, " +
            (o.MaxSteps is int cap ? $"at most {cap} step(s) (fedactors.client.local-steps)" : "no step cap (every batch)") +
            $", lr {o.LearningRate.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        var r = await OrchestrationBenchmark.RunAsync(config, population, test, repetitions, line => ctx.Out.WriteLine("  " + line), ct);
        var work = r.Work;
        await ctx.Out.WriteLineAsync(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"  local work per training (the runtime's trainings, replayed by the bare loop): {work.MeanSteps:F2} steps and {work.MeanSamples:F1} samples on average, " +
            $"at most {work.MaxSteps} steps and {work.MaxSamples} samples"));
        var cache = population as Actors.Population.SyntheticClientDataSource;
        if (cache is not null)
        {
            await ctx.Out.WriteLineAsync(
                $"  client data: generated once and cached for all runs and passes: {cache.CachedClients:N0} clients, {cache.CachedBytes / 1e6:F0} MB cached; " +
                $"{cache.CacheMisses:N0} generated, {cache.CacheHits:N0} answered from the cache");
        }

        double rtTrain = r.Runtime.Sum(x => x.TrainSeconds) / r.Runtime.Sum(x => x.AppliedUpdates);
        double bareTrain = r.Bare.Sum(x => x.TrainSeconds) / r.Bare.Sum(x => x.Updates);
        double bareData = r.Bare.Sum(x => x.DataSeconds) / r.Bare.Sum(x => x.Updates);
        var table = new Table().AddColumns("loop", "applied updates/s", "trainings/s", "train µs/training", "data µs/training", "CPU µs/training", "allocated B/training");
        double rtCpu = r.Runtime.Sum(x => x.Cost.CpuSeconds) / r.Runtime.Sum(x => x.Trainings);
        double bareCpu = r.Bare.Sum(x => x.Cost.CpuSeconds) / r.Bare.Sum(x => x.Updates);
        double rtAlloc = (double)r.Runtime.Sum(x => x.AllocatedBytes) / r.Runtime.Sum(x => x.Trainings);
        double bareAlloc = (double)r.Bare.Sum(x => x.Cost.AllocatedBytes) / r.Bare.Sum(x => x.Updates);
        double windowCpu = r.Runtime.Sum(x => x.Window.CpuSeconds) / r.Runtime.Sum(x => x.Window.Updates);
        double windowAlloc = (double)r.Runtime.Sum(x => x.Window.AllocatedBytes) / r.Runtime.Sum(x => x.Window.Updates);
        table.AddRow("fedactors runtime", $"{r.RuntimeUpdatesPerSecond:F0}", $"{r.RuntimeTrainingsPerSecond:F0}", $"{rtTrain * 1e6:F0}", "-",
            $"{rtCpu * 1e6:F0} (whole run), {windowCpu * 1e6:F0} (timed window, per update)", $"{rtAlloc:F0} (whole run), {windowAlloc:F0} (timed window, per update)");
        table.AddRow("bare loop", "-", $"{r.BareUpdatesPerSecond:F0}", $"{bareTrain * 1e6:F0}", $"{bareData * 1e6:F0}", $"{bareCpu * 1e6:F0}", $"{bareAlloc:F0}");
        table.AddRow("runtime / bare", $"{r.Ratio:F3}", $"{r.TrainingRatio:F3}", "", "", "", "");
        Print(ctx, table);
        int nodes = bench.Nodes ?? 1;
        IReadOnlyList<ClusterRunSample> cluster = [];
        bool? sameWeights = null;
        if (nodes > 1)
        {
            await ctx.Out.WriteLineAsync($"bench orchestration: the same run on a loopback cluster of {nodes} processes (1 coordinator, {nodes - 1} workers), {repetitions} runs");
            cluster = await ClusterOrchestrationBenchmark.RunAsync(config, nodes, repetitions, line => ctx.Out.WriteLine("  " + line), ct);
            sameWeights = cluster.All(c => c.ModelSha256 == r.Runtime[0].ModelSha256);
            await ctx.Out.WriteLineAsync(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"  cluster of {nodes}: median {BenchTiming.Median(cluster.Select(c => c.UpdatesPerSecond).ToArray()):F0} applied updates/s; " +
                $"final weights {(sameWeights.Value ? "equal" : "DIFFER from")} the one-node run's (model_sha256 {r.Runtime[0].ModelSha256[..12]}…)"));
        }
        return new
        {
            suite = "orchestration",
            cluster_nodes = nodes,
            cluster_updates_per_second = cluster.Count == 0 ? (double?)null : BenchTiming.Median(cluster.Select(c => c.UpdatesPerSecond).ToArray()),
            cluster_same_model_sha256 = sameWeights,
            cluster = cluster.Select(c => new
            {
                nodes = c.Nodes, updates = c.Updates, seconds = c.Seconds, updates_per_second = c.UpdatesPerSecond,
                seconds_from_process_start = c.StartSeconds, model_sha256 = c.ModelSha256,
            }),
            machine = Machine,
            model = settings.Run.ModelName,
            dataset = settings.Data.Dataset,
            clients = settings.Population.Clients,
            server_steps = steps,
            slots = r.Slots,
            threads_per_slot = r.ThreadsPerSlot,
            engine = Training.LocalTraining.TrainingEngines.Name(r.Engine),
            local_epochs = o.Epochs,
            batch_size = o.BatchSize,
            local_steps = o.MaxSteps,
            mean_steps_per_training = work.MeanSteps,
            mean_samples_per_training = work.MeanSamples,
            max_steps_per_training = work.MaxSteps,
            data_cache_misses = cache?.CacheMisses,
            data_cache_hits = cache?.CacheHits,
            runtime_updates_per_second = r.RuntimeUpdatesPerSecond,
            runtime_trainings_per_second = r.RuntimeTrainingsPerSecond,
            bare_trainings_per_second = r.BareUpdatesPerSecond,
            ratio = r.Ratio,
            training_ratio = r.TrainingRatio,
            runtime_train_seconds_per_update = rtTrain,
            bare_train_seconds_per_training = bareTrain,
            bare_data_seconds_per_training = bareData,
            runtime_cpu_seconds_per_training = rtCpu,
            bare_cpu_seconds_per_training = bareCpu,
            runtime_allocated_bytes_per_training = rtAlloc,
            runtime_window_cpu_seconds_per_update = windowCpu,
            runtime_window_allocated_bytes_per_update = windowAlloc,
            bare_allocated_bytes_per_training = bareAlloc,
            runtime = r.Runtime.Select(x => new
            {
                updates = x.Updates, trainings = x.Trainings, seconds = x.Seconds, updates_per_second = x.UpdatesPerSecond,
                trainings_per_second = x.TrainingsPerSecond, cpu_seconds = x.Cost.CpuSeconds, gc_pause_seconds = x.Cost.GcPauseSeconds,
                allocated_bytes = x.AllocatedBytes, window_updates = x.Window.Updates, window_cpu_seconds = x.Window.CpuSeconds,
                window_allocated_bytes = x.Window.AllocatedBytes, model_sha256 = x.ModelSha256,
            }),
            bare = r.Bare.Select(x => new
            {
                trainings = x.Updates, seconds = x.Seconds, trainings_per_second = x.UpdatesPerSecond, cpu_seconds = x.Cost.CpuSeconds,
                gc_pause_seconds = x.Cost.GcPauseSeconds, allocated_bytes = x.Cost.AllocatedBytes,
            }),
        };
    }

    private static async Task<object> OverheadAsync(CommandContext ctx, BenchArguments bench, Akka.Configuration.Config config, CancellationToken ct)
    {
        int repetitions = bench.Repetitions ?? 1;
        // A target would end some runs early: every run goes the whole length.
        config = Akka.Configuration.ConfigurationFactory.ParseString("fedactors.run.target-accuracy = null").WithFallback(config);
        var settings = FedActorsSettings.Create(config);
        // Without --steps: the configured run's own length (the default run's 6,000 steps).
        int steps = bench.Steps ?? settings.Run.MaxServerSteps;
        var persistence = Actors.Persistence.PersistenceSettings.Create(config);
        var (population, test, _, _) = await RunCommand.LoadPopulationAsync(settings, ctx, ct);
        var (train, _) = settings.Data.Dataset == "synthetic"
            ? (DatasetLoader.PoolSynthetic(settings).Train, test)
            : await DatasetLoader.LoadPooledAsync(settings, line => ctx.Error.WriteLine(line), ct);
        var spec = FederatedRunSpec.Create(config, population, test);
        var fingerprint = Runs.RunIdentity.Fingerprint(config);
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
        Print(ctx, table);
        await ctx.Out.WriteLineAsync($"trained for nothing (results in flight at the end): {wasted:P1} of the samples trained");
        return new
        {
            suite = "overhead",
            machine = Machine,
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
