using FedActors.Host.Data;
using FedActors.Training;
using FedActors.Training.Models;
using FedActors.Host.Cli;
using FedActors.Host.Configuration;
using Spectre.Console;

namespace FedActors.Host.Bench;

/// <summary>
/// <c>fedactors bench train</c>: local-training throughput of every model through FedActors' client path, next to a
/// bare TorchSharp loop doing the same batches with the same threads (<see cref="TrainBenchmark"/>).
/// </summary>
internal sealed class TrainSuite : IBenchSuite
{
    /// <inheritdoc />
    public string Name => "train";

    /// <inheritdoc />
    public string Synopsis => "fedactors bench train [--out FILE] [--models M,...] [--samples N] [--repetitions R] [--threads T] [--batch-size B]";

    /// <inheritdoc />
    public string Description =>
        "train: local-training throughput (samples/s and achieved GFLOP/s) of every model through FedActors'\n" +
        "       client path, next to a bare TorchSharp loop (torch.optim.SGD, batches prepared up front) doing\n" +
        "       the same batches with the same threads, interleaved in one process. Data: Fashion-MNIST.\n" +
        $"       Without --config it reads {CommonOptions.DefaultExperimentConfig}, as `run` does.\n";

    /// <inheritdoc />
    public bool ReadsExperimentConfig => true;

    /// <inheritdoc />
    public async Task<object> RunAsync(CommandContext ctx, BenchArguments bench, EffectiveConfig config, CancellationToken ct)
    {
        var settings = config.Settings;
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
            // Its own thread: the intra-op count set for the benchmark must not stay on a thread-pool thread.
            var r = await TorchThread.RunAsync("bench-train", t, () => TrainBenchmark.Run(model, train, samples, b, t, repetitions, ct));
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
        BenchReport.Print(ctx, table);
        return new
        {
            suite = "train",
            machine = BenchReport.Machine,
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
}
