using System.Diagnostics;
using FedActors.Actors.Coordination;
using FedActors.Training;
using FedActors.Training.Data;
using TorchSharp;

namespace FedActors.Host.Bench;

/// <summary>One full run and the bare loop that did the same number of samples right after or before it.</summary>
/// <param name="RunSamples">Samples the run's clients trained (summary.json samples_trained).</param>
/// <param name="RunSeconds">Wall seconds of the whole run: actor system up, evaluations, journal, shutdown.</param>
/// <param name="RunReportedSeconds">The run's own wall_seconds (from the coordinator's start to its end).</param>
/// <param name="BareSamples">Samples the bare loops trained.</param>
/// <param name="BareSeconds">Wall seconds the bare loops took.</param>
/// <param name="RunCpuSeconds">CPU seconds of the whole process during the run.</param>
/// <param name="BareCpuSeconds">CPU seconds of the whole process during the bare loops.</param>
public sealed record OverheadPair(long RunSamples, double RunSeconds, double RunReportedSeconds, long BareSamples, double BareSeconds,
    double RunCpuSeconds, double BareCpuSeconds)
{
    /// <summary>Samples per second of the full run.</summary>
    public double RunSamplesPerSecond => RunSamples / RunSeconds;

    /// <summary>Samples per second of the bare loops.</summary>
    public double BareSamplesPerSecond => BareSamples / BareSeconds;

    /// <summary>Run ÷ bare.</summary>
    public double Ratio => RunSamplesPerSecond / BareSamplesPerSecond;

    /// <summary>
    /// Run ÷ bare in samples per CPU second: insensitive to other processes taking the cores, blind to cores the
    /// run leaves idle (which the wall-time <see cref="Ratio"/> counts).
    /// </summary>
    public double CpuRatio => (RunSamples / RunCpuSeconds) / (BareSamples / BareCpuSeconds);
}

/// <summary>
/// The cost of everything a FedBuff run does besides local training: samples/s of a complete run (actor system,
/// coordinator, client actors, trainer pool, evaluations, persistence) divided by the samples/s of the bare
/// TorchSharp loop on the same model, as many loops in parallel as the run has trainer slots, each with the
/// run's intra-op threads, batch size and optimizer settings, on prepared batches.
/// </summary>
public static class OverheadBenchmark
{
    /// <summary>Samples each bare loop prepares as batches and cycles through.</summary>
    public const int BareSamplesPerLoop = 2048;

    /// <summary>Runs <paramref name="repetitions"/> pairs, alternating which of run and bare loop goes first.</summary>
    /// <param name="runOnce">Runs one complete run and returns its result.</param>
    /// <param name="spec">The run's spec (model, trainers, local training options).</param>
    /// <param name="train">The pooled training set the bare loops draw their batches from.</param>
    /// <param name="repetitions">Pairs.</param>
    /// <param name="progress">One line per finished half.</param>
    /// <param name="ct">Checked between halves.</param>
    public static async Task<IReadOnlyList<OverheadPair>> RunAsync(Func<Task<RunResult>> runOnce, FederatedRunSpec spec, LabeledDataset train,
        int repetitions, Action<string> progress, CancellationToken ct)
    {
        var pairs = new List<OverheadPair>();
        // Warm-up: the first run pays for the JIT, libtorch's kernels and the actor system's first start.
        var warm = await runOnce();
        RunBare(spec, train, Math.Min(warm.Counters.SamplesTrained, 20_000));
        for (int r = 0; r < repetitions; r++)
        {
            ct.ThrowIfCancellationRequested();
            RunResult? result = null;
            double runSeconds = 0, runCpu = 0;
            (long Samples, double Seconds, double Cpu) bare = default;
            async Task Run()
            {
                var cost = ProcessCost.Start();
                result = await runOnce();
                var spent = cost.Stop();
                (runSeconds, runCpu) = (spent.WallSeconds, spent.CpuSeconds);
                progress($"run:  {result.Counters.SamplesTrained:N0} samples in {runSeconds:F2} s, {result.Counters.SamplesTrained / runSeconds:F0} samples/s, {runCpu:F2} CPU s ({result.Counters.UpdatesApplied:N0} updates, status {result.Status})");
            }
            void Bare(long samples)
            {
                bare = RunBare(spec, train, samples);
                progress($"bare: {bare.Samples:N0} samples in {bare.Seconds:F2} s, {bare.Samples / bare.Seconds:F0} samples/s, {bare.Cpu:F2} CPU s");
            }
            if (r % 2 == 0)
            {
                await Run();
                Bare(result!.Counters.SamplesTrained);
            }
            else
            {
                // The bare half goes first: it trains as many samples as the warm-up run did.
                Bare(warm.Counters.SamplesTrained);
                await Run();
            }
            if (result!.Status != RunStatus.Completed) throw new FedActorsException($"the benchmark's run ended {result.Status}: {result.Error}");
            pairs.Add(new OverheadPair(result.Counters.SamplesTrained, runSeconds, result.WallSeconds, bare.Samples, bare.Seconds, runCpu, bare.Cpu));
        }
        return pairs;
    }

    /// <summary>Samples each of <paramref name="loops"/> parallel loops trains for a total of at least <paramref name="samples"/>.</summary>
    public static long PerLoop(long samples, int loops)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(loops);
        return (samples + loops - 1) / loops;
    }

    private static (long Samples, double Seconds, double Cpu) RunBare(FederatedRunSpec spec, LabeledDataset train, long samples)
    {
        int loops = spec.Trainers.Slots, threads = spec.Trainers.EffectiveThreadsPerSlot;
        long perLoop = PerLoop(samples, loops);
        var options = spec.Run.Client;
        var weights = FederatedRun.InitialWeights(spec);
        long done = 0;
        using var ready = new CountdownEvent(loops);
        using var go = new ManualResetEventSlim();
        var workers = Enumerable.Range(0, loops).Select(i => new Thread(() =>
        {
            // As a trainer slot does: intra-op threads set on this thread, first.
            torch.set_num_threads(threads);
            var order = Enumerable.Range(i * BareSamplesPerLoop % train.Count, BareSamplesPerLoop).Select(s => s % train.Count).ToArray();
            DeterministicRandom.For(1, (ulong)i, 0).Shuffle(order.AsSpan());
            using var loop = new TrainBenchmark.BareLoop(spec.Run.ModelName, train, order, options.BatchSize, options, weights);
            loop.Train(); // warm: the batches' first pass
            ready.Signal();
            go.Wait();
            long trained = 0;
            while (trained < perLoop)
            {
                loop.Train();
                trained += order.Length;
            }
            Interlocked.Add(ref done, trained);
        }) { IsBackground = true }).ToArray();
        foreach (var w in workers) w.Start();
        ready.Wait();
        var cost = ProcessCost.Start();
        go.Set();
        foreach (var w in workers) w.Join();
        var spent = cost.Stop();
        return (done, spent.WallSeconds, spent.CpuSeconds);
    }
}
