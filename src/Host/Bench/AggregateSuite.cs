using FedActors.Actors.Aggregation;
using FedActors.Training.Models;
using FedActors.Host.Cli;
using FedActors.Host.Configuration;
using Spectre.Console;

namespace FedActors.Host.Bench;

/// <summary>
/// <c>fedactors bench aggregate</c>: how fast client updates are offered to the FedBuff strategy and flushed, next to a
/// plain memory copy of the same bytes (<see cref="AggregateBenchmark"/>).
/// </summary>
internal sealed class AggregateSuite : IBenchSuite
{
    /// <summary>Models whose sizes the suite measures by default: small, medium and large vectors.</summary>
    public static IReadOnlyList<string> AggregateModels { get; } = ["logreg", "simple-cnn", "cnn"];

    /// <inheritdoc />
    public string Name => "aggregate";

    /// <inheritdoc />
    public string Synopsis => "fedactors bench aggregate [--out FILE] [--models M,...] [--repetitions R]";

    /// <inheritdoc />
    public string Description =>
        "aggregate: server aggregation throughput (GB/s of client updates offered to the FedBuff strategy as the\n" +
        "       coordinator offers them: staleness limit, finiteness check, staleness weight, weighted sum, and the\n" +
        "       flush) next to Span.CopyTo of the same bytes, interleaved in one process, for the parameter counts of\n" +
        "       each model on Fashion-MNIST (default: " + string.Join(',', AggregateModels) + "); then each robust aggregator\n" +
        "       (" + string.Join(", ", AggregateBenchmark.Defenses) + ") on the same K updates, interleaved with the plain fold:\n" +
        "       its time per buffer and its slowdown. K, weighting, staleness function and the aggregators' keys come from\n" +
        "       fedactors.server; norm-bound bounds at the updates' median norm. Ratios are medians of back-to-back pairs.\n";

    /// <inheritdoc />
    public bool ReadsExperimentConfig => true;

    /// <inheritdoc />
    public async Task<object> RunAsync(CommandContext ctx, BenchArguments bench, EffectiveConfig config, CancellationToken ct)
    {
        var server = config.Settings.Server as FedBuffSettings
            ?? throw new UsageException($"bench aggregate measures FedBuff's aggregation; the config's fedactors.server.algorithm is '{config.Settings.Server.Name}'");
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
            foreach (var d in r.Defenses)
                await ctx.Out.WriteLineAsync($"    {d.Defense}: {d.SecondsPerBuffer * 1e3:F3} ms per buffer, fold {d.FoldSecondsPerBuffer * 1e3:F3} ms, {d.Slowdown:F1}x");
        }

        var table = new Table().AddColumns("model", "floats", "bytes/pass", "aggregate GB/s", "copy GB/s", "ratio");
        foreach (var r in results)
        {
            table.AddRow(r.Model, $"{r.Dimension:N0}", $"{r.BytesPerPass:N0}", $"{r.AggregateBytesPerSecond / 1e9:F2}",
                $"{r.CopyBytesPerSecond / 1e9:F2}", $"{r.Ratio:F3}");
        }
        BenchReport.Print(ctx, table);
        var defenses = new Table().AddColumns("model", "defense", $"ms per buffer of {server.BufferSize}", "plain fold ms", "slowdown");
        foreach (var r in results)
        {
            foreach (var d in r.Defenses)
                defenses.AddRow(r.Model, d.Defense, $"{d.SecondsPerBuffer * 1e3:F3}", $"{d.FoldSecondsPerBuffer * 1e3:F3}", $"{d.Slowdown:F1}x");
        }
        BenchReport.Print(ctx, defenses);
        return new
        {
            suite = "aggregate",
            machine = BenchReport.Machine,
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
                defenses = r.Defenses.Select(d => new
                {
                    defense = d.Defense,
                    seconds_per_buffer = d.SecondsPerBuffer,
                    fold_seconds_per_buffer = d.FoldSecondsPerBuffer,
                    slowdown = d.Slowdown,
                }),
            }),
        };
    }
}
