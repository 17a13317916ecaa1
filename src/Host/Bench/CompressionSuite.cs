using FedActors.Actors.Compression;
using FedActors.Host.Cli;
using FedActors.Host.Configuration;
using FedActors.Training.Models;
using Spectre.Console;

namespace FedActors.Host.Bench;

/// <summary>
/// <c>fedactors bench compression</c>: encode and decode throughput of the uplink codecs, next to a memory copy of the
/// fp32 update in the same run (<see cref="CompressionBenchmark"/>).
/// </summary>
internal sealed class CompressionSuite : IBenchSuite
{
    /// <summary>Codec chains the suite measures by default.</summary>
    public static IReadOnlyList<string> DefaultChains { get; } = ["fp16", "q8", "q4", "topk-0.1", "topk-0.01+q8", "randk-0.1"];

    /// <inheritdoc />
    public string Name => "compression";

    /// <inheritdoc />
    public string Synopsis => "fedactors bench compression [--out FILE] [--models M,...] [--codecs C,...] [--repetitions R]";

    /// <inheritdoc />
    public string Description =>
        "compression: uplink codec throughput: float32 bytes of an update encoded per second (client side) and\n" +
        "       decoded per second into a pooled array (coordinator side), each as a ratio to Span.CopyTo of the same\n" +
        "       fp32 update, interleaved in one process, with the encoded size (default codecs: " + string.Join(',', DefaultChains) + ";\n" +
        "       chunk size from fedactors.compression.quantize-chunk-size; default models: " + string.Join(',', AggregateSuite.AggregateModels) + ").\n";

    /// <inheritdoc />
    public bool ReadsExperimentConfig => true;

    /// <inheritdoc />
    public async Task<object> RunAsync(CommandContext ctx, BenchArguments bench, EffectiveConfig config, CancellationToken ct)
    {
        int chunkSize = config.Settings.Run.Compression.QuantizeChunkSize;
        var chains = (bench.Codecs ?? DefaultChains).Select(c =>
        {
            try
            {
                return CompressionSettings.Parse(c, chunkSize);
            }
            catch (FormatException e)
            {
                throw new UsageException($"--codecs {c}: {e.Message}");
            }
        }).ToList();
        var models = bench.Models ?? AggregateSuite.AggregateModels;
        int repetitions = bench.Repetitions ?? 11;
        await ctx.Out.WriteLineAsync(
            $"bench compression: {chains.Count} codec chain(s), quantization chunks of {chunkSize}, {repetitions} repetitions of at least " +
            $"{CompressionBenchmark.MinRepetitionSeconds} s per loop, {Environment.ProcessorCount} cores");
        var results = new List<CompressionBenchmarkResult>();
        foreach (var model in models)
        {
            int dimension = checked((int)ModelCatalog.Describe(model, [1, 28, 28], 10).ParameterCount);
            foreach (var chain in chains)
            {
                ct.ThrowIfCancellationRequested();
                var r = CompressionBenchmark.Run(model, dimension, chain, repetitions, ct);
                results.Add(r);
                await ctx.Out.WriteLineAsync(
                    $"  {model} ({dimension:N0} floats) {r.Chain}: {r.PayloadBytes:N0} bytes ({r.SizeRatio:P1} of fp32), encode {r.EncodeBytesPerSecond / 1e9:F3} GB/s " +
                    $"({r.EncodeRatio:F3} of copy), decode {r.DecodeBytesPerSecond / 1e9:F3} GB/s ({r.DecodeRatio:F3} of copy)");
            }
        }

        var table = new Table().AddColumns("model", "codecs", "bytes", "of fp32", "encode GB/s", "÷ copy", "decode GB/s", "÷ copy", "copy GB/s");
        foreach (var r in results)
        {
            table.AddRow(r.Model, r.Chain, $"{r.PayloadBytes:N0}", $"{r.SizeRatio:P1}", $"{r.EncodeBytesPerSecond / 1e9:F3}", $"{r.EncodeRatio:F3}",
                $"{r.DecodeBytesPerSecond / 1e9:F3}", $"{r.DecodeRatio:F3}", $"{r.CopyBytesPerSecond / 1e9:F2}");
        }
        BenchReport.Print(ctx, table);
        return new
        {
            suite = "compression",
            machine = BenchReport.Machine,
            quantize_chunk_size = chunkSize,
            repetitions,
            results = results.Select(r => new
            {
                model = r.Model,
                dimension = r.Dimension,
                codecs = r.Chain,
                payload_bytes = r.PayloadBytes,
                size_ratio = r.SizeRatio,
                encode_gb_per_second = r.EncodeBytesPerSecond / 1e9,
                decode_gb_per_second = r.DecodeBytesPerSecond / 1e9,
                copy_gb_per_second = r.CopyBytesPerSecond / 1e9,
                encode_ratio = r.EncodeRatio,
                decode_ratio = r.DecodeRatio,
            }),
        };
    }
}
