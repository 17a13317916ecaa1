using System.Diagnostics;

namespace FedActors.Host.Bench;

/// <summary>
/// Timing helpers shared by the benchmark suites: two workloads timed in alternation in one process, so
/// that the machine's drift (frequency, neighbours on shared cores) hits both alike, and medians rather
/// than means, so that one disturbed repetition does not move the result.
/// </summary>
public static class BenchTiming
{
    /// <summary>The median of <paramref name="values"/> (the mean of the middle two for an even count).</summary>
    /// <exception cref="ArgumentException">No values.</exception>
    public static double Median(IReadOnlyCollection<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0) throw new ArgumentException("the median of no values is undefined", nameof(values));
        var sorted = values.Order().ToArray();
        int m = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
    }

    /// <summary>The median of the pairwise ratios <c>numerators[i] / denominators[i]</c>.</summary>
    /// <exception cref="ArgumentException">The lists differ in length or are empty.</exception>
    public static double MedianRatio(IReadOnlyList<double> numerators, IReadOnlyList<double> denominators)
    {
        ArgumentNullException.ThrowIfNull(numerators);
        ArgumentNullException.ThrowIfNull(denominators);
        if (numerators.Count != denominators.Count)
            throw new ArgumentException($"{numerators.Count} numerators but {denominators.Count} denominators", nameof(denominators));
        return Median(numerators.Zip(denominators, (n, d) => n / d).ToArray());
    }

    /// <summary>
    /// Rates of two workloads measured in alternation: each repetition runs <paramref name="passes"/> passes of
    /// one, then of the other (the order swaps every repetition), and records units per second.
    /// </summary>
    /// <param name="first">The first workload; returns the units one pass processed (bytes, updates, samples).</param>
    /// <param name="second">The second workload, likewise.</param>
    /// <param name="passes">Passes per timed repetition.</param>
    /// <param name="repetitions">Timed repetitions of each.</param>
    /// <param name="cancellation">Checked between repetitions.</param>
    /// <returns>The per-repetition rates of each workload.</returns>
    public static (List<double> First, List<double> Second) Interleaved(Func<double> first, Func<double> second, int passes,
        int repetitions, CancellationToken cancellation) =>
        Interleaved(first, passes, second, passes, repetitions, cancellation);

    /// <summary>
    /// As <see cref="Interleaved(Func{double}, Func{double}, int, int, CancellationToken)"/>, with a pass count for each
    /// workload: when one is a hundred times faster than the other, one count would make the slow one's repetitions
    /// last minutes or the fast one's too short to time.
    /// </summary>
    public static (List<double> First, List<double> Second) Interleaved(Func<double> first, int firstPasses, Func<double> second, int secondPasses,
        int repetitions, CancellationToken cancellation)
    {
        var a = new List<double>(repetitions);
        var b = new List<double>(repetitions);
        for (int r = 0; r < repetitions; r++)
        {
            cancellation.ThrowIfCancellationRequested();
            if (r % 2 == 0)
            {
                a.Add(Rate(first, firstPasses));
                b.Add(Rate(second, secondPasses));
            }
            else
            {
                b.Add(Rate(second, secondPasses));
                a.Add(Rate(first, firstPasses));
            }
        }
        return (a, b);
    }

    /// <summary>Units per second of <paramref name="passes"/> passes of <paramref name="work"/>.</summary>
    public static double Rate(Func<double> work, int passes)
    {
        double units = 0;
        var t = Stopwatch.GetTimestamp();
        for (int p = 0; p < passes; p++) units += work();
        return units / Stopwatch.GetElapsedTime(t).TotalSeconds;
    }

    /// <summary>Passes of a workload that take at least <paramref name="seconds"/>, from one timed pass of it.</summary>
    public static int PassesFor(Func<double> work, double seconds)
    {
        var t = Stopwatch.GetTimestamp();
        work();
        double once = Math.Max(Stopwatch.GetElapsedTime(t).TotalSeconds, 1e-7);
        return (int)Math.Clamp(Math.Ceiling(seconds / once), 1, int.MaxValue);
    }
}
