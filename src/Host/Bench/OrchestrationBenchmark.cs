using System.Diagnostics;
using Akka.Configuration;
using FedActors.Actors.Clients;
using FedActors.Actors.Coordination;
using FedActors.Actors.Trainers;
using FedActors.Training.Data;
using FedActors.Training.Evaluation;
using FedActors.Training.LocalTraining;
using TorchSharp;

namespace FedActors.Host.Bench;

/// <summary>One timed run of the federated runtime.</summary>
/// <param name="Updates">Updates applied between the first and the last one timed.</param>
/// <param name="Seconds">Wall seconds from the first applied update to the last.</param>
/// <param name="TrainSeconds">Compute seconds the trainers spent in local training over the whole run (summary.json's train_seconds).</param>
/// <param name="AllocatedBytes">Bytes allocated by every thread of the process during the run.</param>
/// <param name="AppliedUpdates">Updates applied in the run.</param>
/// <param name="ModelSha256">Hash of the final weights (the run is deterministic: equal across repetitions).</param>
/// <param name="Cost">CPU, GC and allocation of the whole run (start to end).</param>
/// <param name="Trainings">Local trainings the trainers started between the first and the last applied update: the applied ones and
/// those still in flight when the run ended, which a finite run trains without applying (long jobs are over-represented among them).</param>
public sealed record RuntimeSample(long Updates, double Seconds, double TrainSeconds, long AllocatedBytes, long AppliedUpdates, string ModelSha256,
    ProcessCost Cost, long Trainings)
{
    /// <summary>Applied updates per wall second.</summary>
    public double UpdatesPerSecond => Updates / Seconds;

    /// <summary>Local trainings started per wall second.</summary>
    public double TrainingsPerSecond => Trainings / Seconds;
}

/// <summary>What the process spent over an interval: CPU time of all its threads, collections, pauses, allocations.</summary>
/// <param name="WallSeconds">Elapsed wall time.</param>
/// <param name="CpuSeconds">User and system CPU time of the whole process.</param>
/// <param name="Gen0Collections">Collections of generation 0 (and above).</param>
/// <param name="Gen2Collections">Full collections.</param>
/// <param name="GcPauseSeconds">Time the runtime paused threads for collections.</param>
/// <param name="AllocatedBytes">Bytes allocated by all threads.</param>
public sealed record ProcessCost(double WallSeconds, double CpuSeconds, int Gen0Collections, int Gen2Collections, double GcPauseSeconds, long AllocatedBytes)
{
    /// <summary>Starts measuring.</summary>
    public static Meter Start() => new();

    /// <summary>An interval being measured.</summary>
    public sealed class Meter
    {
        private readonly long _wall = Stopwatch.GetTimestamp();
        private readonly TimeSpan _cpu = Process.GetCurrentProcess().TotalProcessorTime;
        private readonly int _gen0 = GC.CollectionCount(0), _gen2 = GC.CollectionCount(2);
        private readonly TimeSpan _pause = GC.GetTotalPauseDuration();
        private readonly long _allocated = GC.GetTotalAllocatedBytes(precise: false);

        /// <summary>What was spent since <see cref="ProcessCost.Start"/>.</summary>
        public ProcessCost Stop() => new(Stopwatch.GetElapsedTime(_wall).TotalSeconds,
            (Process.GetCurrentProcess().TotalProcessorTime - _cpu).TotalSeconds, GC.CollectionCount(0) - _gen0, GC.CollectionCount(2) - _gen2,
            (GC.GetTotalPauseDuration() - _pause).TotalSeconds, GC.GetTotalAllocatedBytes(precise: false) - _allocated);
    }
}

/// <summary>One timed pass of the bare loop over the runtime's jobs.</summary>
/// <param name="Updates">Local trainings done.</param>
/// <param name="Seconds">Wall seconds for all of them.</param>
/// <param name="DataSeconds">Seconds the threads spent getting client data (generation on a cache miss), summed over threads.</param>
/// <param name="TrainSeconds">Seconds the threads spent in <see cref="LocalTrainer.Train"/>, summed over threads.</param>
/// <param name="Cost">CPU, GC and allocation of the pass.</param>
public sealed record BareSample(long Updates, double Seconds, double DataSeconds, double TrainSeconds, ProcessCost Cost)
{
    /// <summary>Local trainings per wall second.</summary>
    public double UpdatesPerSecond => Updates / Seconds;
}

/// <summary>The orchestration benchmark's result: runtime and bare loop, repetitions interleaved.</summary>
/// <param name="Runtime">The runs, in order.</param>
/// <param name="Bare">The bare passes, in order.</param>
/// <param name="Slots">Trainer slots (and bare-loop threads).</param>
/// <param name="ThreadsPerSlot">Intra-op threads of each.</param>
public sealed record OrchestrationBenchmarkResult(IReadOnlyList<RuntimeSample> Runtime, IReadOnlyList<BareSample> Bare, int Slots, int ThreadsPerSlot)
{
    /// <summary>Median updates/s of the runtime.</summary>
    public double RuntimeUpdatesPerSecond => BenchTiming.Median(Runtime.Select(r => r.UpdatesPerSecond).ToArray());

    /// <summary>Median updates/s of the bare loop.</summary>
    public double BareUpdatesPerSecond => BenchTiming.Median(Bare.Select(b => b.UpdatesPerSecond).ToArray());

    /// <summary>Median trainings/s of the runtime.</summary>
    public double RuntimeTrainingsPerSecond => BenchTiming.Median(Runtime.Select(r => r.TrainingsPerSecond).ToArray());

    /// <summary>Median over back-to-back pairs of runtime applied updates/s ÷ bare trainings/s.</summary>
    public double Ratio => BenchTiming.MedianRatio(Runtime.Select(r => r.UpdatesPerSecond).ToArray(), Bare.Select(b => b.UpdatesPerSecond).ToArray());

    /// <summary>Median over back-to-back pairs of runtime trainings/s ÷ bare trainings/s: the same work with and without the runtime.</summary>
    public double TrainingRatio => BenchTiming.MedianRatio(Runtime.Select(r => r.TrainingsPerSecond).ToArray(), Bare.Select(b => b.UpdatesPerSecond).ToArray());
}

/// <summary>
/// Client updates applied per second by the real one-node runtime (<see cref="FederatedRun"/>: coordinator, client
/// region, client actors, trainer pool, in-memory journal) next to the bare loop: the local trainings the runtime's
/// trainers started while updates were being applied (same clients, same kind of data source, same thread count; the
/// sample orders differ, their cost does not) run by plain threads calling <see cref="LocalTrainer.Train"/>, with no
/// actors and no coordinator.
/// </summary>
public static class OrchestrationBenchmark
{
    /// <summary>Runs <paramref name="repetitions"/> pairs of (runtime run, bare pass), alternating which goes first.</summary>
    /// <param name="config">The run's effective config (persistence is not used: state stays in memory).</param>
    /// <param name="population">Builds a fresh client data source for each run and pass, so that caches start equally cold.</param>
    /// <param name="testSet">The central test set.</param>
    /// <param name="repetitions">Pairs to time.</param>
    /// <param name="progress">Receives one line per finished run or pass.</param>
    /// <param name="ct">Cancels between runs.</param>
    public static async Task<OrchestrationBenchmarkResult> RunAsync(Config config, Func<IClientDataSource> population, LabeledDataset testSet,
        int repetitions, Action<string> progress, CancellationToken ct)
    {
        var probe = FederatedRunSpec.Create(config, population(), testSet);
        var runtime = new List<RuntimeSample>();
        var bare = new List<BareSample>();
        // Warm-up run: the JIT, TorchSharp's native library and the actor system's first start are paid here.
        var (_, jobs) = await RunRuntimeAsync(config, population(), testSet, ct);
        var weights = FederatedRun.InitialWeights(probe);
        for (int r = 0; r < repetitions; r++)
        {
            ct.ThrowIfCancellationRequested();
            async Task Runtime()
            {
                var (sample, applied) = await RunRuntimeAsync(config, population(), testSet, ct);
                runtime.Add(sample);
                jobs = applied;
                progress($"runtime: {sample.Updates:N0} updates applied and {sample.Trainings:N0} trainings started in {sample.Seconds:F2} s, {sample.UpdatesPerSecond:F0} updates/s, " +
                    $"{sample.TrainingsPerSecond:F0} trainings/s; whole run: {Describe(sample.Cost)}");
            }
            void Bare()
            {
                var sample = RunBare(jobs, population(), probe, testSet, weights);
                bare.Add(sample);
                progress($"bare:    {sample.Updates:N0} trainings in {sample.Seconds:F2} s, {sample.UpdatesPerSecond:F0} trainings/s; {Describe(sample.Cost)}");
            }
            if (r % 2 == 0)
            {
                await Runtime();
                Bare();
            }
            else
            {
                Bare();
                await Runtime();
            }
        }
        return new OrchestrationBenchmarkResult(runtime, bare, probe.Trainers.Slots, probe.Trainers.EffectiveThreadsPerSlot);
    }

    private static string Describe(ProcessCost c) => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"{c.WallSeconds:F2} s wall, {c.CpuSeconds:F2} s CPU, {c.Gen0Collections} GCs ({c.Gen2Collections} full, {c.GcPauseSeconds:F2} s paused), {c.AllocatedBytes / 1e6:F0} MB allocated");

    private static async Task<(RuntimeSample Sample, IReadOnlyList<(int Client, long Job)> Jobs)> RunRuntimeAsync(Config config,
        IClientDataSource population, LabeledDataset testSet, CancellationToken ct)
    {
        var recording = new RecordingDataSource(population);
        var spec = FederatedRunSpec.Create(config, recording, testSet);
        var observer = new UpdateTimer();
        var cost = ProcessCost.Start();
        long allocated = GC.GetTotalAllocatedBytes(precise: false);
        var result = await FederatedRun.RunAsync(spec, observer, ct).ConfigureAwait(false);
        allocated = GC.GetTotalAllocatedBytes(precise: false) - allocated;
        var spent = cost.Stop();
        if (result.Status != RunStatus.Completed)
            throw new FedActorsException($"the benchmark's run ended {result.Status}: {result.Error}");
        // The bare loop replays every training started in the window, as the runtime's trainers did them.
        var trained = recording.Gets.Where(g => g.At >= observer.First && g.At < observer.Last).Select((g, i) => (g.Client, (long)i)).ToArray();
        var sample = new RuntimeSample(observer.Jobs.Count - 1, Stopwatch.GetElapsedTime(observer.First, observer.Last).TotalSeconds,
            result.Counters.TrainSeconds, allocated, result.Counters.UpdatesApplied, result.ModelSha256, spent, trained.Length);
        return (sample, trained);
    }

    private static BareSample RunBare(IReadOnlyList<(int Client, long Job)> jobs, IClientDataSource population, FederatedRunSpec spec,
        LabeledDataset shapeOf, float[] weights)
    {
        int slots = spec.Trainers.Slots, threads = spec.Trainers.EffectiveThreadsPerSlot;
        var options = spec.Run.Client;
        int next = -1;
        double dataSeconds = 0, trainSeconds = 0;
        var gate = new Lock();
        using var ready = new CountdownEvent(slots);
        using var go = new ManualResetEventSlim();
        var workers = Enumerable.Range(0, slots).Select(_ => new Thread(() =>
        {
            // As a trainer slot: its own thread, intra-op threads set on it, one replica reused for every job.
            torch.set_num_threads(threads);
            using var replica = ModelReplica.For(spec.Run.ModelName, shapeOf, Math.Max(options.BatchSize, Evaluator.DefaultBatchSize));
            ready.Signal();
            go.Wait();
            long data = 0, train = 0;
            int i;
            while ((i = Interlocked.Increment(ref next)) < jobs.Count)
            {
                var (client, job) = jobs[i];
                long t0 = Stopwatch.GetTimestamp();
                var d = population.Get(client);
                long t1 = Stopwatch.GetTimestamp();
                var delta = new float[weights.Length];
                LocalTrainer.Train(replica, weights, d.Data, d.Indices.Span, options, TrainerActor.OrderStream(spec.Run.Seed, client, job), delta);
                data += t1 - t0;
                train += Stopwatch.GetTimestamp() - t1;
            }
            lock (gate)
            {
                dataSeconds += (double)data / Stopwatch.Frequency;
                trainSeconds += (double)train / Stopwatch.Frequency;
            }
        }) { IsBackground = true }).ToArray();
        foreach (var w in workers) w.Start();
        ready.Wait();
        var cost = ProcessCost.Start();
        long start = Stopwatch.GetTimestamp();
        go.Set();
        foreach (var w in workers) w.Join();
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return new BareSample(jobs.Count, seconds, dataSeconds, trainSeconds, cost.Stop());
    }

    /// <summary>The runtime's data source, recording which client's data a trainer fetched when (one fetch per training).</summary>
    private sealed class RecordingDataSource(IClientDataSource inner) : IClientDataSource
    {
        private readonly List<(int Client, long At)> _gets = new();
        private readonly Lock _gate = new();

        public int ClientCount => inner.ClientCount;

        public IReadOnlyList<(int Client, long At)> Gets
        {
            get { lock (_gate) return _gets.ToArray(); }
        }

        public ClientData Get(int clientId)
        {
            lock (_gate) _gets.Add((clientId, Stopwatch.GetTimestamp()));
            return inner.Get(clientId);
        }

        public int SampleCount(int clientId) => inner.SampleCount(clientId);
    }

    /// <summary>Records which jobs were applied and when the first and last were.</summary>
    private sealed class UpdateTimer : IRunObserver
    {
        private readonly List<(int Client, long Job)> _jobs = new();

        public long First { get; private set; }

        public long Last { get; private set; }

        public IReadOnlyList<(int Client, long Job)> Jobs => _jobs;

        public void OnEvaluation(EvaluationRecord record) { }

        public void OnProgress(RunProgress progress) { }

        public void OnUpdateApplied(AppliedUpdate update)
        {
            Last = Stopwatch.GetTimestamp();
            if (_jobs.Count == 0) First = Last;
            _jobs.Add((update.ClientId, update.Job.Value));
        }
    }
}
