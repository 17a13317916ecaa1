using FedActors.Actors.Coordination;
using FedActors.Actors.Population;
using FedActors.Actors.Runs;
using FedActors.Training;
using FedActors.Training.Data;
using FedActors.Training.LocalTraining;
using TorchSharp;

namespace FedActors.Host.Bench;

/// <summary>One full run and the bare loops around it, each of which trained about the run's samples, half before the run and half after.</summary>
/// <param name="RunSamples">Samples the run's clients trained (summary.json samples_trained).</param>
/// <param name="RunSeconds">Wall seconds of the whole run: actor system up, evaluations, journal, shutdown.</param>
/// <param name="RunReportedSeconds">The run's own wall_seconds (from the coordinator's start to its end).</param>
/// <param name="BareSamples">Samples the bare loops on full batches trained, both halves.</param>
/// <param name="BareSeconds">Wall seconds the bare loops on full batches took, both halves.</param>
/// <param name="RunCpuSeconds">CPU seconds of the whole process during the run.</param>
/// <param name="BareCpuSeconds">CPU seconds of the whole process during the bare loops on full batches, both halves.</param>
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

    /// <summary>
    /// FedActors' own local trainer (the run's trainer path: replica, local SGD, update extraction) in as many plain
    /// loops, on the clients' samples client by client as the run trains them, with no actors, coordinator, evaluations
    /// or persistence. Null when not measured.
    /// </summary>
    public BareHalf? Trainer { get; init; }

    /// <summary>Run ÷ FedActors' trainer alone on the clients' data, by wall time: what the runtime around training costs.</summary>
    public double? TrainerRatio => Trainer is { } b ? RunSamplesPerSecond / (b.Samples / b.Seconds) : null;

    /// <summary>Run ÷ FedActors' trainer alone on the clients' data, by CPU time.</summary>
    public double? TrainerCpuRatio => Trainer is { } b ? (RunSamples / RunCpuSeconds) / (b.Samples / b.CpuSeconds) : null;

    /// <summary>Run ÷ bare on the clients' batches, by wall time; null when not measured.</summary>
    public double? ClientBatchesRatio => ClientBatches is { } b ? RunSamplesPerSecond / (b.Samples / b.Seconds) : null;

    /// <summary>Run ÷ bare on the clients' batches, by CPU time; null when not measured.</summary>
    public double? ClientBatchesCpuRatio => ClientBatches is { } b ? (RunSamples / RunCpuSeconds) / (b.Samples / b.CpuSeconds) : null;
}

/// <summary>A loop the overhead benchmark times: one <see cref="Train"/> is one pass over its samples.</summary>
internal interface ITimedLoop : IDisposable
{
    /// <summary>Samples one pass trains.</summary>
    int Samples { get; }

    /// <summary>One pass.</summary>
    void Train();
}

/// <summary>FedActors' local trainer on a list of clients' samples, one local training per client per pass.</summary>
internal sealed class TrainerLoop : ITimedLoop
{
    private readonly ModelReplica _replica;
    private readonly LabeledDataset _data;
    private readonly List<int[]> _clients;
    private readonly LocalTrainingOptions _options;
    private readonly float[] _weights;
    private readonly float[] _delta;
    private long _jobs;

    public TrainerLoop(string model, LabeledDataset data, List<int[]> clients, LocalTrainingOptions options, float[] weights)
    {
        _replica = ModelReplica.For(model, data, options.BatchSize);
        _data = data;
        _clients = clients;
        _options = options;
        _weights = weights;
        _delta = new float[weights.Length];
    }

    /// <summary>Samples the last pass trained (epochs and the step cap as the run's options set them).</summary>
    public int Samples { get; private set; }

    public void Train()
    {
        long samples = 0;
        foreach (var indices in _clients)
            samples += LocalTrainer.Train(_replica, _weights, _data, indices, _options, DeterministicRandom.For(1, 0, (ulong)_jobs++), _delta).Samples;
        Samples = checked((int)samples);
    }

    public void Dispose() => _replica.Dispose();
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

    /// <summary>Server steps of the warm-up run (fewer when the measured runs are shorter).</summary>
    public const int WarmUpSteps = 500;

    /// <summary>
    /// Runs <paramref name="repetitions"/> sandwiches: every bare loop for half the run's samples, the run, then every
    /// bare loop again in reverse order for the other half. A loop's two halves sit symmetrically around the run, so a
    /// machine whose speed drifts steadily (measured here: 45 % over half an hour) slows or speeds both sides alike.
    /// </summary>
    /// <param name="runOnce">Runs one complete run of the given server steps and returns its result.</param>
    /// <param name="steps">Server steps of each measured run.</param>
    /// <param name="spec">The run's spec (model, trainers, local training options).</param>
    /// <param name="train">The pooled training set the bare loops draw their batches from.</param>
    /// <param name="clients">When set, the bare loops also run on batches cut from these clients' samples, and FedActors' trainer on them.</param>
    /// <param name="repetitions">Sandwiches.</param>
    /// <param name="progress">One line per finished part.</param>
    /// <param name="ct">Checked between parts.</param>
    public static async Task<IReadOnlyList<OverheadPair>> RunAsync(Func<int, Task<(RunResult Result, long Trained)>> runOnce, int steps,
        FederatedRunSpec spec, LabeledDataset train, IClientDataSource? clients, int repetitions, Action<string> progress, CancellationToken ct)
    {
        var pairs = new List<OverheadPair>();
        // Warm-up: the first run pays for the JIT, libtorch's kernels and the actor system's first start.
        int warmSteps = Math.Min(steps, WarmUpSteps);
        var (warm, _) = await runOnce(warmSteps);
        var loops = new List<(string Name, Func<int, float[], ITimedLoop> Loop)> { ("bare", FullBatches(spec, train)) };
        if (clients is not null)
        {
            loops.Add(("bare on clients' batches", ClientBatches(spec, clients)));
            loops.Add(("FedActors' trainer alone on clients' data", ClientTrainings(spec, clients)));
        }
        foreach (var (_, loop) in loops) RunBare(spec, loop, Math.Min(warm.Counters.SamplesTrained, 20_000));
        // Each half trains about half the samples a measured run trains.
        long half = Math.Max(1, warm.Counters.SamplesTrained * steps / warmSteps / 2);
        for (int r = 0; r < repetitions; r++)
        {
            ct.ThrowIfCancellationRequested();
            var before = new BareHalf[loops.Count];
            var after = new BareHalf[loops.Count];
            for (int k = 0; k < loops.Count; k++)
            {
                before[k] = RunBare(spec, loops[k].Loop, half);
                Report(loops[k].Name + ", before", before[k]);
            }
            Settle();
            var cost = ProcessCost.Start();
            var (result, trained) = await runOnce(steps);
            var spent = cost.Stop();
            progress($"run:  {result.Counters.SamplesTrained:N0} samples in {spent.WallSeconds:F2} s, {result.Counters.SamplesTrained / spent.WallSeconds:F0} samples/s, {spent.CpuSeconds:F2} CPU s ({result.Counters.UpdatesApplied:N0} updates, {trained:N0} samples trained, status {result.Status})");
            if (result.Status != RunStatus.Completed) throw new FedActorsException($"the benchmark's run ended {result.Status}: {result.Error}");
            for (int k = loops.Count - 1; k >= 0; k--)
            {
                ct.ThrowIfCancellationRequested();
                after[k] = RunBare(spec, loops[k].Loop, half);
                Report(loops[k].Name + ", after", after[k]);
            }
            var both = before.Zip(after, (b, a) => new BareHalf(b.Samples + a.Samples, b.Seconds + a.Seconds, b.CpuSeconds + a.CpuSeconds)).ToArray();
            pairs.Add(new OverheadPair(result.Counters.SamplesTrained, spent.WallSeconds, result.WallSeconds, both[0].Samples, both[0].Seconds,
                spent.CpuSeconds, both[0].CpuSeconds)
            {
                RunTrainedSamples = trained,
                ClientBatches = both.Length > 1 ? both[1] : null,
                Trainer = both.Length > 2 ? both[2] : null,
            });
        }
        return pairs;

        void Report(string name, BareHalf h) =>
            progress($"{name}: {h.Samples:N0} samples in {h.Seconds:F2} s, {h.Samples / h.Seconds:F0} samples/s, {h.CpuSeconds:F2} CPU s");
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

    /// <summary>Loop <c>i</c>: the textbook loop on <see cref="BareSamplesPerLoop"/> shuffled samples of the pooled set, all full but the last.</summary>
    private static Func<int, float[], ITimedLoop> FullBatches(FederatedRunSpec spec, LabeledDataset train) => (i, weights) =>
    {
        var order = Enumerable.Range(i * BareSamplesPerLoop % train.Count, BareSamplesPerLoop).Select(s => s % train.Count).ToArray();
        DeterministicRandom.For(1, (ulong)i, 0).Shuffle(order.AsSpan());
        return new TrainBenchmark.BareLoop(spec.Run.ModelName, train, TrainBenchmark.BareLoop.Batches(order, spec.Run.Client.BatchSize), spec.Run.Client, weights);
    };

    /// <summary>
    /// Loop <c>i</c>: the textbook loop on batches cut from whole clients (i, i + loops, …) as local training cuts them,
    /// until the loop holds <see cref="BareSamplesPerLoop"/> samples: the batch sizes a run trains, each client's last batch short.
    /// </summary>
    private static Func<int, float[], ITimedLoop> ClientBatches(FederatedRunSpec spec, IClientDataSource clients) => (i, weights) =>
    {
        var (data, samples) = ClientSamples(spec, clients, i);
        var batches = samples.SelectMany(indices => TrainBenchmark.BareLoop.Batches(indices, spec.Run.Client.BatchSize)).ToList();
        return new TrainBenchmark.BareLoop(spec.Run.ModelName, data, batches, spec.Run.Client, weights);
    };

    /// <summary>Loop <c>i</c>: FedActors' local trainer on the same clients as <see cref="ClientBatches"/>, one local training each.</summary>
    private static Func<int, float[], ITimedLoop> ClientTrainings(FederatedRunSpec spec, IClientDataSource clients) => (i, weights) =>
    {
        var (data, samples) = ClientSamples(spec, clients, i);
        return new TrainerLoop(spec.Run.ModelName, data, samples, spec.Run.Client, weights);
    };

    private static (LabeledDataset Data, List<int[]> Clients) ClientSamples(FederatedRunSpec spec, IClientDataSource clients, int i)
    {
        var result = new List<int[]>();
        LabeledDataset? data = null;
        int samples = 0;
        for (int k = i % clients.ClientCount; samples < BareSamplesPerLoop; k = (k + spec.Trainers.Slots) % clients.ClientCount)
        {
            var client = clients.Get(k);
            if (data is not null && !ReferenceEquals(client.Data, data))
                throw new InvalidOperationException("the clients' batches need a pooled dataset shared by all clients");
            data = client.Data;
            var indices = client.Indices.ToArray();
            result.Add(indices);
            samples += indices.Length;
        }
        return (data!, result);
    }

    private static BareHalf RunBare(FederatedRunSpec spec, Func<int, float[], ITimedLoop> loopOf, long samples)
    {
        int loops = spec.Trainers.Slots, threads = spec.Trainers.EffectiveThreadsPerSlot;
        long perLoop = PerLoop(samples, loops);
        var weights = FederatedRun.InitialWeights(spec);
        long done = 0;
        using var ready = new CountdownEvent(loops);
        using var go = new ManualResetEventSlim();
        var workers = Enumerable.Range(0, loops).Select(i => new Thread(() =>
        {
            // As a trainer slot does: intra-op threads set on this thread, first.
            torch.set_num_threads(threads);
            using var loop = loopOf(i, weights);
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
        }) { IsBackground = true, Name = $"bare-loop-{i}" }).ToArray();
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
