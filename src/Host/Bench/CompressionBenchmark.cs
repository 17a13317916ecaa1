using FedActors.Actors.Compression;
using FedActors.Actors.Updates;
using FedActors.Training;

using FedActors.Training.Models;

namespace FedActors.Host.Bench;

/// <summary>One codec chain's result on one model size.</summary>
/// <param name="Model">Model whose parameter count sets the update's length.</param>
/// <param name="Dimension">Floats per update.</param>
/// <param name="Chain">The codec chain, as <c>fedactors.compression.uplink</c> writes it.</param>
/// <param name="PayloadBytes">Bytes of the encoded payload (the fp32 payload takes 5 + 4 · dimension).</param>
/// <param name="EncodeBytesPerSecond">Median float32 bytes of updates encoded per second.</param>
/// <param name="DecodeBytesPerSecond">Median float32 bytes of updates decoded per second (into a pooled dense array).</param>
/// <param name="CopyBytesPerSecond">Median bytes per second of <c>Span.CopyTo</c> of the fp32 update.</param>
/// <param name="EncodeRatio">Median over back-to-back pairs of encode/copy throughput.</param>
/// <param name="DecodeRatio">Median over back-to-back pairs of decode/copy throughput.</param>
public sealed record CompressionBenchmarkResult(string Model, int Dimension, string Chain, long PayloadBytes,
    double EncodeBytesPerSecond, double DecodeBytesPerSecond, double CopyBytesPerSecond, double EncodeRatio, double DecodeRatio)
{
    /// <summary>Encoded bytes as a fraction of the fp32 payload's.</summary>
    public double SizeRatio => (double)PayloadBytes / (UpdatePayloadCodec.DensePrefixBytes + 4L * Dimension);
}

/// <summary>
/// How fast the uplink codecs encode (on the client) and decode (on the coordinator) one update, next to a plain memory
/// copy of the fp32 update, interleaved in one process.
/// </summary>
public static class CompressionBenchmark
{
    /// <summary>Shortest wall time of one timed repetition of either loop.</summary>
    public const double MinRepetitionSeconds = 0.05;

    /// <summary>Measures <paramref name="chain"/> on updates of <paramref name="dimension"/> floats.</summary>
    public static CompressionBenchmarkResult Run(string model, int dimension, CompressionSettings chain, int repetitions, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(chain);
        // An update as local training makes one: small values of both signs, a few large ones.
        var update = new float[dimension];
        var rng = DeterministicRandom.For(1, 0, 0xC0DE_0001);
        for (int j = 0; j < dimension; j++) update[j] = (float)rng.NextNormal(0, 0.01) * (j % 97 == 0 ? 20 : 1);
        var copy = new float[dimension];
        var client = UpdatePipelineSettings.Identity.Then(chain.Uplink).Create();
        var server = UpdatePipelineSettings.Identity.Then(chain.Uplink).Create();
        var pool = new DeltaBufferPool(dimension, 4);
        // Per-layer codecs select within the model's parameter tensors, as a run's trainers do.
        var context = new TransformContext(1, 0, 0, 0, dimension)
        {
            Layers = chain.Uplink.Any(c => c.NeedsLayers) ? ParameterLayout.For(model, [1, 28, 28], 10).Counts : default,
        };
        double bytes = 4.0 * dimension;
        var payload = client.Encode((float[])update.Clone(), context);
        long payloadBytes = UpdatePayloadCodec.SizeOf(payload);

        // Encoding owns its input, and fp16 saturates it in place: the update is already in range, so it stays as it is.
        double Encode()
        {
            client.Encode(update, context);
            return bytes;
        }
        double Decode()
        {
            var delta = server.Decode(payload, context, pool);
            if (!(payload is DensePayload d && ReferenceEquals(d.Values, delta))) pool.Return(delta);
            return bytes;
        }
        double Copy()
        {
            update.AsSpan().CopyTo(copy);
            return bytes;
        }

        for (int i = 0; i < 3; i++)
        {
            Encode();
            Decode();
            Copy();
        }
        // A copy is up to a hundred times faster than an encoding: each loop gets its own pass count.
        int copyPasses = BenchTiming.PassesFor(Copy, MinRepetitionSeconds);
        var (encoded, copiedForEncode) = BenchTiming.Interleaved(Encode, BenchTiming.PassesFor(Encode, MinRepetitionSeconds), Copy, copyPasses, repetitions, cancellation);
        var (decoded, copiedForDecode) = BenchTiming.Interleaved(Decode, BenchTiming.PassesFor(Decode, MinRepetitionSeconds), Copy, copyPasses, repetitions, cancellation);
        return new CompressionBenchmarkResult(model, dimension, chain.Chain, payloadBytes,
            BenchTiming.Median(encoded), BenchTiming.Median(decoded), BenchTiming.Median([.. copiedForEncode, .. copiedForDecode]),
            BenchTiming.MedianRatio(encoded, copiedForEncode), BenchTiming.MedianRatio(decoded, copiedForDecode));
    }
}
