using FedActors.Actors.Aggregation;
using FedActors.Training;

namespace FedActors.Host.Bench;

/// <summary>One model size's result of the aggregation benchmark.</summary>
/// <param name="Model">Model whose parameter count sets the vector length.</param>
/// <param name="Dimension">Floats per update.</param>
/// <param name="UpdatesPerPass">K: updates folded per pass, one flush per pass.</param>
/// <param name="Repetitions">Timed repetitions of each loop (interleaved).</param>
/// <param name="AggregateBytesPerSecond">Median bytes of updates folded per second (TryAdd ×K, then the flush).</param>
/// <param name="CopyBytesPerSecond">Median bytes per second of <c>Span.CopyTo</c> of the same updates into one destination.</param>
/// <param name="Ratio">Median over repetitions of aggregate/copy, each ratio taken from a back-to-back pair (drift cancels within a pair).</param>
public sealed record AggregateBenchmarkResult(string Model, int Dimension, int UpdatesPerPass, int Repetitions,
    double AggregateBytesPerSecond, double CopyBytesPerSecond, double Ratio)
{
    /// <summary>Bytes of updates one pass folds (or copies): K · dimension · 4.</summary>
    public long BytesPerPass => AggregateBenchmark.BytesPerPass(UpdatesPerPass, Dimension);
}

/// <summary>
/// Server aggregation throughput: K client updates offered to the <see cref="FedBuff"/> strategy as the coordinator
/// offers them (<see cref="IAggregationStrategy.Offer"/>: staleness limit, finiteness check, staleness weight, weighted
/// accumulate into its buffer) and one <see cref="IAggregationStrategy.Aggregate"/> (the flush), next to a plain memory
/// copy of the same K updates, the two loops interleaved in one process.
/// </summary>
public static class AggregateBenchmark
{
    /// <summary>Shortest wall time of one timed repetition of either loop.</summary>
    /// <remarks>Short, so that the two halves of a pair run under the same machine load: on a shared machine the
    /// speed drifts by tens of percent within seconds.</remarks>
    public const double MinRepetitionSeconds = 0.05;

    /// <summary>Bytes of K float32 updates of <paramref name="dimension"/> values.</summary>
    public static long BytesPerPass(int updates, int dimension) => (long)updates * dimension * sizeof(float);

    /// <summary>Measures one vector length.</summary>
    /// <param name="model">The model name reported with the result.</param>
    /// <param name="dimension">Floats per update.</param>
    /// <param name="settings">FedBuff's settings (K, weighting, staleness function), as a run configures them.</param>
    /// <param name="repetitions">Timed repetitions of each loop; the median is reported.</param>
    /// <param name="cancellation">Checked between repetitions.</param>
    public static AggregateBenchmarkResult Run(string model, int dimension, FedBuffSettings settings, int repetitions,
        CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(settings);
        int k = settings.BufferSize;
        // K distinct updates, as K clients would send: the fold reads K different vectors per step.
        var updates = new float[k][];
        var rng = DeterministicRandom.For(1, 0, 0xA66_0001);
        for (int i = 0; i < k; i++)
        {
            updates[i] = new float[dimension];
            for (int j = 0; j < dimension; j++) updates[i][j] = (float)rng.NextNormal(0, 0.01);
        }
        var strategy = settings.Create(dimension);
        var current = new float[dimension];
        var pseudoGradient = new float[dimension];
        var copy = new float[dimension];
        double bytes = BytesPerPass(k, dimension);

        double Aggregate()
        {
            for (int i = 0; i < k; i++)
            {
                // Staleness 0 … 4 and a few samples each: the staleness weight is computed for real.
                var admission = strategy.Offer(new ClientContribution(updates[i], current, 32 + i, i % 5, i));
                if (admission.Kind != AdmissionKind.Accepted)
                    throw new InvalidOperationException($"the benchmark's update {i} was not accepted: {admission}");
            }
            strategy.Aggregate(current, pseudoGradient);
            return bytes;
        }
        double Copy()
        {
            for (int i = 0; i < k; i++) updates[i].AsSpan().CopyTo(copy);
            return bytes;
        }

        // Warm-up: tiered compilation promotes both loops to optimized code, and the pages get touched.
        for (int i = 0; i < 3; i++)
        {
            Aggregate();
            Copy();
        }
        int passes = Math.Max(BenchTiming.PassesFor(Aggregate, MinRepetitionSeconds), BenchTiming.PassesFor(Copy, MinRepetitionSeconds));
        var (aggregate, copied) = BenchTiming.Interleaved(Aggregate, Copy, passes, repetitions, cancellation);
        return new AggregateBenchmarkResult(model, dimension, k, repetitions, BenchTiming.Median(aggregate), BenchTiming.Median(copied),
            BenchTiming.MedianRatio(aggregate, copied));
    }
}
