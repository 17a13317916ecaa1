using System.Text.Json;
using FedActors.Actors.Aggregation;
using FedActors.Actors.Coordination;
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

    /// <inheritdoc />
    public string Name => "bench";

    /// <inheritdoc />
    public string Summary => $"benchmarks against same-run baselines (suites: {string.Join(", ", BenchArguments.Suites)})";

    /// <inheritdoc />
    public string Usage =>
        "Usage: fedactors bench train [--out FILE] [--models M,...] [--samples N] [--repetitions R] [--threads T] [--batch-size B]\n" +
        "       fedactors bench aggregate [--out FILE] [--models M,...] [--repetitions R]\n\n" +
        "train: local-training throughput (samples/s and achieved GFLOP/s) of every model through FedActors'\n" +
        "       client path, next to a bare TorchSharp loop (torch.optim.SGD, batches prepared up front) doing\n" +
        "       the same batches with the same threads, interleaved in one process. Data: Fashion-MNIST.\n" +
        $"       Without --config it reads {CommonOptions.DefaultExperimentConfig}, as `run` does.\n" +
        "aggregate: server aggregation throughput (GB/s of client updates folded into the FedBuff buffer: checks,\n" +
        "       staleness weight, weighted sum, and the flush) next to Span.CopyTo of the same bytes, interleaved\n" +
        "       in one process, for the parameter counts of each model on Fashion-MNIST (default: " + string.Join(',', AggregateModels) + ").\n" +
        "       K, weighting and staleness function come from fedactors.server. The ratio is the median of the\n" +
        "       ratios of back-to-back pairs.\n\n" +
        "Options:\n" +
        "  --out FILE      also write the results as JSON\n" +
        $"  --models M,...  models to measure (train default: {string.Join(',', ModelCatalog.Names)})\n" +
        "  --samples N     train: samples per pass (default 4096); a timed repetition repeats the pass for at least 0.25 s\n" +
        "  --repetitions R timed repetitions of each loop, median reported (default: train 7, aggregate 21)\n" +
        "  --threads T     train: intra-op threads (default: fedactors.trainers.threads-per-slot)\n" +
        "  --batch-size B  train: minibatch size (default: fedactors.client.batch-size)\n" +
        CommonOptions.Describe(Accepted);

    /// <inheritdoc />
    public async Task<int> RunAsync(CommandContext ctx, string[] args, CancellationToken ct)
    {
        var options = CommonOptions.Parse(args, Accepted);
        var bench = BenchArguments.Parse(options.Remaining);
        // The experiment's config, as `run` reads it, so that thread counts, batch size and K match a default run.
        var config = options.LoadExperimentConfig(ctx);
        object json = bench.Suite switch
        {
            "train" => await TrainAsync(ctx, bench, FedActorsSettings.Create(config), ct),
            "aggregate" => await AggregateAsync(ctx, bench, ServerSettings.Create(config), ct),
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

    private static async Task<object> AggregateAsync(CommandContext ctx, BenchArguments bench, ServerSettings server, CancellationToken ct)
    {
        var models = bench.Models ?? AggregateModels;
        int repetitions = bench.Repetitions ?? 21;
        var options = new UpdateBufferOptions(server.BufferSize, server.Weighting, server.Staleness, server.MaxStaleness);
        await ctx.Out.WriteLineAsync(
            $"bench aggregate: K = {options.Capacity} updates and one flush per pass, {options.Weighting} weighting, staleness {server.Staleness.GetType().Name}, " +
            $"{repetitions} repetitions of at least {AggregateBenchmark.MinRepetitionSeconds} s per loop, {Environment.ProcessorCount} cores");
        var results = new List<AggregateBenchmarkResult>();
        foreach (var model in models)
        {
            ct.ThrowIfCancellationRequested();
            int dimension = checked((int)ModelCatalog.Describe(model, [1, 28, 28], 10).ParameterCount);
            var r = AggregateBenchmark.Run(model, dimension, options, repetitions, ct);
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
            buffer_size = options.Capacity,
            weighting = options.Weighting.ToString(),
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
}
