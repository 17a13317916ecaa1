using System.Numerics.Tensors;
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
/// <param name="Defenses">Each robust aggregator and norm bounding, timed against the plain fold.</param>
public sealed record AggregateBenchmarkResult(string Model, int Dimension, int UpdatesPerPass, int Repetitions,
    double AggregateBytesPerSecond, double CopyBytesPerSecond, double Ratio, IReadOnlyList<DefenseTiming> Defenses)
{
    /// <summary>Bytes of updates one pass folds (or copies): K · dimension · 4.</summary>
    public long BytesPerPass => AggregateBenchmark.BytesPerPass(UpdatesPerPass, Dimension);
}

/// <summary>One defense's time per buffer, against the plain FedBuff fold measured beside it.</summary>
/// <param name="Defense">The aggregator's name, or <c>norm-bound</c> (the plain fold with every update's norm bounded).</param>
/// <param name="SecondsPerBuffer">Median seconds to offer K updates and combine them.</param>
/// <param name="FoldSecondsPerBuffer">Median seconds of the plain fold of the same K updates, in the same repetitions.</param>
/// <param name="Slowdown">Median over back-to-back pairs of defense time / fold time.</param>
public sealed record DefenseTiming(string Defense, double SecondsPerBuffer, double FoldSecondsPerBuffer, double Slowdown);

/// <summary>
/// Server aggregation throughput: K client updates offered to the <see cref="FedBuff"/> strategy as the coordinator
/// offers them (<see cref="IAggregationStrategy.Offer"/>: staleness limit, finiteness check, staleness weight, weighted
/// accumulate into its buffer) and one <see cref="IAggregationStrategy.Aggregate"/> (the flush), next to a plain memory
/// copy of the same K updates, the two loops interleaved in one process; then each robust aggregator and norm bounding
/// on the same K updates, each interleaved with the plain fold.
/// </summary>
public static class AggregateBenchmark
{
    /// <summary>Shortest wall time of one timed repetition of either loop.</summary>
    /// <remarks>Short, so that the two halves of a pair run under the same machine load: on a shared machine the
    /// speed drifts by tens of percent within seconds.</remarks>
    public const double MinRepetitionSeconds = 0.05;

    /// <summary>The defenses timed against the plain fold: every robust aggregator, then norm bounding around the mean.</summary>
    public static IReadOnlyList<string> Defenses { get; } = [.. Combiners.Names.Where(n => n != Combiners.Mean.Name), NormBoundSettings.WrapperName];

    /// <summary>Bytes of K float32 updates of <paramref name="dimension"/> values.</summary>
    public static long BytesPerPass(int updates, int dimension) => (long)updates * dimension * sizeof(float);

    /// <summary>Measures one vector length.</summary>
    /// <param name="model">The model name reported with the result.</param>
    /// <param name="dimension">Floats per update.</param>
    /// <param name="settings">FedBuff's settings (K, weighting, staleness function, the aggregators' keys), as a run configures them.</param>
    /// <param name="repetitions">Timed repetitions of each loop; the median is reported.</param>
    /// <param name="cancellation">Checked between repetitions.</param>
    /// <param name="defenses">The defenses to time against the fold (names of <see cref="Defenses"/>); null times every one.</param>
    public static AggregateBenchmarkResult Run(string model, int dimension, FedBuffSettings settings, int repetitions,
        CancellationToken cancellation, IReadOnlyList<string>? defenses = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        int k = settings.StepSize;
        // K distinct updates, as K clients would send: the fold reads K different vectors per step.
        var updates = new float[k][];
        var rng = DeterministicRandom.For(1, 0, 0xA66_0001);
        for (int i = 0; i < k; i++)
        {
            updates[i] = new float[dimension];
            for (int j = 0; j < dimension; j++) updates[i][j] = (float)rng.NextNormal(0, 0.01);
        }
        var current = new float[dimension];
        var copy = new float[dimension];
        double bytes = BytesPerPass(k, dimension);
        var fold = Pass(settings with { Aggregator = Combiners.Mean }, null);
        double Copy()
        {
            for (int i = 0; i < k; i++) updates[i].AsSpan().CopyTo(copy);
            return bytes;
        }

        var (aggregate, copied) = Timed(fold, Copy);
        var timings = new List<DefenseTiming>();
        foreach (var defense in defenses ?? Defenses)
        {
            var pass = defense == NormBoundSettings.WrapperName
                ? Pass(settings with { Aggregator = Combiners.Mean }, MedianNorm(updates))
                : Pass(settings with { Aggregator = settings.Aggregator with { Name = defense } }, null);
            var (slow, fast) = Timed(pass, fold);
            timings.Add(new DefenseTiming(defense, bytes / BenchTiming.Median(slow), bytes / BenchTiming.Median(fast), BenchTiming.MedianRatio(fast, slow)));
        }
        return new AggregateBenchmarkResult(model, dimension, k, repetitions, BenchTiming.Median(aggregate), BenchTiming.Median(copied),
            BenchTiming.MedianRatio(aggregate, copied), timings);

        // One pass: K updates offered, one step's aggregate formed; returns the bytes offered.
        Func<double> Pass(FedBuffSettings variant, double? normBound)
        {
            IAggregationStrategy strategy = variant.Create(dimension);
            if (normBound is double m) strategy = new NormBound(strategy, m);
            var result = new float[dimension];
            return () =>
            {
                for (int i = 0; i < k; i++)
                {
                    // Staleness 0 … 4 and a few samples each: the staleness weight is computed for real.
                    var admission = strategy.Offer(new ClientContribution(updates[i], current, 32 + i, i % 5, i));
                    if (admission.Kind != AdmissionKind.Accepted)
                        throw new InvalidOperationException($"the benchmark's update {i} was not accepted: {admission}");
                }
                strategy.Aggregate(current, result);
                return bytes;
            };
        }

        // Warm-up (tiered compilation promotes both loops to optimized code, the pages get touched), then the two interleaved.
        (List<double> First, List<double> Second) Timed(Func<double> first, Func<double> second)
        {
            for (int i = 0; i < 3; i++)
            {
                first();
                second();
            }
            return BenchTiming.Interleaved(first, BenchTiming.PassesFor(first, MinRepetitionSeconds), second,
                BenchTiming.PassesFor(second, MinRepetitionSeconds), repetitions, cancellation);
        }
    }

    // A bound that half of the updates exceed, so that the wrapper scales as often as it passes.
    private static double MedianNorm(float[][] updates) => BenchTiming.Median(updates.Select(u => (double)TensorPrimitives.Norm<float>(u)).ToArray());
}
