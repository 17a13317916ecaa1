using System.Globalization;
using System.Text.Json;
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

    /// <inheritdoc />
    public string Name => "bench";

    /// <inheritdoc />
    public string Summary => "benchmarks against same-run baselines (suites: train)";

    /// <inheritdoc />
    public string Usage =>
        "Usage: fedactors bench train [--out FILE] [--models M,...] [--samples N] [--repetitions R] [--threads T] [--batch-size B]\n\n" +
        "train: local-training throughput (samples/s and achieved GFLOP/s) of every model through FedActors'\n" +
        "       client path, next to a bare TorchSharp loop (torch.optim.SGD, batches prepared up front) doing\n" +
        "       the same batches with the same threads, interleaved in one process. Data: Fashion-MNIST.\n" +
        $"       Without --config it reads {CommonOptions.DefaultExperimentConfig}, as `run` does.\n\n" +
        "Options:\n" +
        "  --out FILE      also write the results as JSON\n" +
        $"  --models M,...  models to measure (default: {string.Join(',', ModelCatalog.Names)})\n" +
        "  --samples N     samples per pass (default 4096); a timed repetition repeats the pass for at least 0.25 s\n" +
        "  --repetitions R timed repetitions of each loop, median reported (default 7)\n" +
        "  --threads T     intra-op threads (default: fedactors.trainers.threads-per-slot)\n" +
        "  --batch-size B  minibatch size (default: fedactors.client.batch-size)\n" +
        CommonOptions.Describe(Accepted);

    /// <inheritdoc />
    public async Task<int> RunAsync(CommandContext ctx, string[] args, CancellationToken ct)
    {
        var options = CommonOptions.Parse(args, Accepted);
        var rest = new Queue<string>(options.Remaining);
        if (rest.Count == 0 || rest.Peek().StartsWith('-'))
            throw new UsageException("bench needs a suite: train");
        var suite = rest.Dequeue();
        if (suite != "train")
            throw new UsageException($"unknown bench suite '{suite}' (valid: train)");

        string? outFile = null;
        IReadOnlyList<string> models = ModelCatalog.Names;
        int samples = 4096, repetitions = 7;
        int? threads = null, batchSize = null;
        while (rest.Count > 0)
        {
            var name = rest.Dequeue();
            string Value() => rest.Count > 0 ? rest.Dequeue() : throw new UsageException($"{name} needs a value");
            int PositiveInt()
            {
                var text = Value();
                return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v > 0
                    ? v : throw new UsageException($"{name} must be a positive integer, got '{text}'");
            }
            switch (name)
            {
                case "--out": outFile = Value(); break;
                case "--models":
                    models = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    foreach (var m in models)
                    {
                        if (!ModelCatalog.Names.Contains(m))
                            throw new UsageException($"unknown model '{m}' (valid: {string.Join(", ", ModelCatalog.Names)})");
                    }
                    break;
                case "--samples": samples = PositiveInt(); break;
                case "--repetitions": repetitions = PositiveInt(); break;
                case "--threads": threads = PositiveInt(); break;
                case "--batch-size": batchSize = PositiveInt(); break;
                default: throw new UsageException(name.StartsWith('-') ? $"unknown option '{name}'" : $"unexpected argument '{name}'");
            }
        }

        // The experiment's config, as `run` reads it, so that the thread count and batch size match a default run.
        var config = options.LoadExperimentConfig(ctx);
        var settings = FedActorsSettings.Create(config);
        var data = settings.Data with { Dataset = "fashion-mnist" };
        var (train, _) = await DatasetLoader.LoadPooledAsync(settings with { Data = data }, line => ctx.Error.WriteLine(line), ct);
        int t = threads ?? settings.Trainers.EffectiveThreadsPerSlot;
        int b = batchSize ?? settings.Run.Client.BatchSize;

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
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(ctx.Out) });
        console.Write(table);

        if (outFile is not null)
        {
            var path = ctx.ResolvePath(outFile);
            var json = JsonSerializer.Serialize(new
            {
                suite = "train",
                machine = new { cores = Environment.ProcessorCount, os = Environment.OSVersion.VersionString },
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
            }, new JsonSerializerOptions { WriteIndented = true });
            await File.WriteAllTextAsync(path, json, ct);
            await ctx.Out.WriteLineAsync($"results written to {path}");
        }
        return 0;
    }
}
