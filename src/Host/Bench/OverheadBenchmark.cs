using System.Diagnostics;
using FedActors.Actors.Clients;
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

    /// <summary>
    /// Samples the run's trainers trained, applied or not: results still in flight when the run ends are trained for
    /// nothing (0 when not counted).
    /// </summary>
    public long RunTrainedSamples { get; init; }

    /// <summary>
    /// The bare loops again, on batches cut from the clients' own samples as local training cuts them (each client's
    /// last batch is short): the same training without the runtime. Null when not measured.
    /// </summary>
    public BareHalf? ClientBatches { get; init; }

    /// <summary>Run ÷ bare on the clients' batches, by wall time; null when not measured.</summary>
    public double? ClientBatchesRatio => ClientBatches is { } b ? RunSamplesPerSecond / (b.Samples / b.Seconds) : null;

    /// <summary>Run ÷ bare on the clients' batches, by CPU time; null when not measured.</summary>
    public double? ClientBatchesCpuRatio => ClientBatches is { } b ? (RunSamples / RunCpuSeconds) / (b.Samples / b.CpuSeconds) : null;
}

/// <summary>One timed pass of bare loops.</summary>
/// <param name="Samples">Samples trained.</param>
/// <param name="Seconds">Wall seconds.</param>
/// <param name="CpuSeconds">CPU seconds of the process.</param>
public sealed record BareHalf(long Samples, double Seconds, double CpuSeconds);

/// <summary>Counts the samples handed to trainers: every training starts by reading its client's data.</summary>
internal sealed class CountingClients(IClientDataSource inner) : IClientDataSource
{
    private long _samples;

    /// <summary>Samples of every client whose data was read so far.</summary>
    public long Samples => Interlocked.Read(ref _samples);

    public int ClientCount => inner.ClientCount;

    public ClientData Get(int clientId)
    {
        var data = inner.Get(clientId);
        Interlocked.Add(ref _samples, data.SampleCount);
        return data;
    }

    public int SampleCount(int clientId) => inner.SampleCount(clientId);
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
    /// <param name="clients">When set, the bare loops also run on batches cut from these clients' samples.</param>
    /// <param name="repetitions">Pairs.</param>
    /// <param name="progress">One line per finished half.</param>
    /// <param name="ct">Checked between halves.</param>
    public static async Task<IReadOnlyList<OverheadPair>> RunAsync(Func<Task<(RunResult Result, long Trained)>> runOnce, FederatedRunSpec spec,
        LabeledDataset train, IClientDataSource? clients, int repetitions, Action<string> progress, CancellationToken ct)
    {
        var pairs = new List<OverheadPair>();
        // Warm-up: the first run pays for the JIT, libtorch's kernels and the actor system's first start.
        var (warm, _) = await runOnce();
        RunBare(spec, FullBatches(spec, train), Math.Min(warm.Counters.SamplesTrained, 20_000));
        if (clients is not null) RunBare(spec, ClientBatches(spec, clients), Math.Min(warm.Counters.SamplesTrained, 20_000));
        for (int r = 0; r < repetitions; r++)
        {
            ct.ThrowIfCancellationRequested();
            RunResult? result = null;
            long trained = 0;
            double runSeconds = 0, runCpu = 0;
            BareHalf bare = new(0, 0, 0);
            BareHalf? shaped = null;
            async Task Run()
            {
                Settle();
                var cost = ProcessCost.Start();
                (result, trained) = await runOnce();
                var spent = cost.Stop();
                (runSeconds, runCpu) = (spent.WallSeconds, spent.CpuSeconds);
                progress($"run:  {result.Counters.SamplesTrained:N0} samples in {runSeconds:F2} s, {result.Counters.SamplesTrained / runSeconds:F0} samples/s, {runCpu:F2} CPU s ({result.Counters.UpdatesApplied:N0} updates, {trained:N0} samples trained, status {result.Status})");
            }
            void Bare(long samples)
            {
                bare = RunBare(spec, FullBatches(spec, train), samples);
                progress($"bare: {bare.Samples:N0} samples in {bare.Seconds:F2} s, {bare.Samples / bare.Seconds:F0} samples/s, {bare.CpuSeconds:F2} CPU s");
                if (clients is null) return;
                shaped = RunBare(spec, ClientBatches(spec, clients), samples);
                progress($"bare on clients' batches: {shaped.Samples:N0} samples in {shaped.Seconds:F2} s, {shaped.Samples / shaped.Seconds:F0} samples/s, {shaped.CpuSeconds:F2} CPU s");
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
            pairs.Add(new OverheadPair(result.Counters.SamplesTrained, runSeconds, result.WallSeconds, bare.Samples, bare.Seconds, runCpu, bare.CpuSeconds)
            {
                RunTrainedSamples = trained,
                ClientBatches = shaped,
            });
        }
        return pairs;
    }

    private static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    /// <summary>Samples each of <paramref name="loops"/> parallel loops trains for a total of at least <paramref name="samples"/>.</summary>
    public static long PerLoop(long samples, int loops)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(loops);
        return (samples + loops - 1) / loops;
    }

    /// <summary>Loop <c>i</c>'s batches: <see cref="BareSamplesPerLoop"/> shuffled samples of the pooled set, all full but the last.</summary>
    private static Func<int, (LabeledDataset Data, IEnumerable<int[]> Batches)> FullBatches(FederatedRunSpec spec, LabeledDataset train) => i =>
    {
        var order = Enumerable.Range(i * BareSamplesPerLoop % train.Count, BareSamplesPerLoop).Select(s => s % train.Count).ToArray();
        DeterministicRandom.For(1, (ulong)i, 0).Shuffle(order.AsSpan());
        return (train, TrainBenchmark.BareLoop.Batches(order, spec.Run.Client.BatchSize));
    };

    /// <summary>
    /// Loop <c>i</c>'s batches cut from whole clients (i, i + loops, …) as local training cuts them, until the loop holds
    /// <see cref="BareSamplesPerLoop"/> samples: the batch sizes a run trains, each client's last batch short.
    /// </summary>
    private static Func<int, (LabeledDataset Data, IEnumerable<int[]> Batches)> ClientBatches(FederatedRunSpec spec, IClientDataSource clients) => i =>
    {
        var batches = new List<int[]>();
        LabeledDataset? data = null;
        int samples = 0;
        for (int k = i % clients.ClientCount; samples < BareSamplesPerLoop; k = (k + spec.Trainers.Slots) % clients.ClientCount)
        {
            var client = clients.Get(k);
            if (data is not null && !ReferenceEquals(client.Data, data))
                throw new InvalidOperationException("the clients' batches need a pooled dataset shared by all clients");
            data = client.Data;
            var indices = client.Indices.ToArray();
            batches.AddRange(TrainBenchmark.BareLoop.Batches(indices, spec.Run.Client.BatchSize));
            samples += indices.Length;
        }
        return (data!, batches);
    };

    private static BareHalf RunBare(FederatedRunSpec spec, Func<int, (LabeledDataset Data, IEnumerable<int[]> Batches)> batchesOf, long samples)
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
            var (data, batches) = batchesOf(i);
            using var loop = new TrainBenchmark.BareLoop(spec.Run.ModelName, data, batches, options, weights);
            loop.Train(); // warm: the batches' first pass
            ready.Signal();
            go.Wait();
            long trained = 0;
            while (trained < perLoop)
            {
                loop.Train();
                trained += loop.Samples;
            }
            Interlocked.Add(ref done, trained);
        }) { IsBackground = true }).ToArray();
        foreach (var w in workers) w.Start();
        ready.Wait();
        // The previous half's garbage (a run leaves thousands of TorchSharp wrappers to the finalizer) is collected
        // here, not on this half's clock and not by a finalizer thread racing the loops' native calls.
        Settle();
        var cost = ProcessCost.Start();
        go.Set();
        foreach (var w in workers) w.Join();
        var spent = cost.Stop();
        return new BareHalf(done, spent.WallSeconds, spent.CpuSeconds);
    }
}
