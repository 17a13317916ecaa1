using FedActors.Host.Settings;
using System.Diagnostics;
using Akka.Configuration;
using FedActors.Actors.Coordination;
using FedActors.Actors.Population;
using FedActors.Actors.Runs;
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
/// <param name="Window">CPU and allocation of the process from the first applied update to the last one sampled (every
/// <see cref="OrchestrationBenchmark.WindowSampleEvery"/>th), without the run's start and end (actor system, evaluations).</param>
public sealed record RuntimeSample(long Updates, double Seconds, double TrainSeconds, long AllocatedBytes, long AppliedUpdates, string ModelSha256,
    ProcessCost Cost, long Trainings, WindowCost Window)
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

/// <summary>What the process spent while a run applied <paramref name="Updates"/> updates.</summary>
/// <param name="Updates">Updates applied in the window.</param>
/// <param name="CpuSeconds">Process CPU seconds in the window (all threads).</param>
/// <param name="AllocatedBytes">Bytes allocated in the window (all threads).</param>
public sealed record WindowCost(long Updates, double CpuSeconds, long AllocatedBytes)
{
    /// <summary>CPU seconds per applied update.</summary>
    public double CpuPerUpdate => Updates == 0 ? double.NaN : CpuSeconds / Updates;

    /// <summary>Bytes allocated per applied update.</summary>
    public double AllocatedPerUpdate => Updates == 0 ? double.NaN : (double)AllocatedBytes / Updates;
}

/// <summary>One timed pass of the bare loop over the runtime's jobs.</summary>
/// <param name="Updates">Local trainings done.</param>
/// <param name="Seconds">Wall seconds for all of them.</param>
/// <param name="DataSeconds">Seconds the threads spent getting client data (generation on a cache miss), summed over threads.</param>
/// <param name="TrainSeconds">Seconds the threads spent in <see cref="IModelTrainer.Train"/>, summed over threads.</param>
/// <param name="Cost">CPU, GC and allocation of the pass.</param>
/// <param name="Work">The local work the trainings did.</param>
public sealed record BareSample(long Updates, double Seconds, double DataSeconds, double TrainSeconds, ProcessCost Cost, LocalWork Work)
{
    /// <summary>Local trainings per wall second.</summary>
    public double UpdatesPerSecond => Updates / Seconds;
}

/// <summary>What a set of local trainings did, from their statistics.</summary>
/// <param name="Trainings">Trainings.</param>
/// <param name="Steps">Optimizer steps, summed.</param>
/// <param name="Samples">Samples trained, summed.</param>
/// <param name="MaxSteps">Most steps of one training.</param>
/// <param name="MaxSamples">Most samples of one training.</param>
public sealed record LocalWork(long Trainings, long Steps, long Samples, int MaxSteps, long MaxSamples)
{
    /// <summary>Nothing trained.</summary>
    public static LocalWork None { get; } = new(0, 0, 0, 0, 0);

    /// <summary>Mean steps per training.</summary>
    public double MeanSteps => Trainings == 0 ? 0 : (double)Steps / Trainings;

    /// <summary>Mean samples per training.</summary>
    public double MeanSamples => Trainings == 0 ? 0 : (double)Samples / Trainings;

    /// <summary>Both sets together.</summary>
    public LocalWork Add(LocalWork o) =>
        new(Trainings + o.Trainings, Steps + o.Steps, Samples + o.Samples, Math.Max(MaxSteps, o.MaxSteps), Math.Max(MaxSamples, o.MaxSamples));
}

/// <summary>The orchestration benchmark's result: runtime and bare loop, repetitions interleaved.</summary>
/// <param name="Runtime">The runs, in order.</param>
/// <param name="Bare">The bare passes, in order.</param>
/// <param name="Slots">Trainer slots (and bare-loop threads).</param>
/// <param name="ThreadsPerSlot">Intra-op threads of each.</param>
/// <param name="Engine">The training engine of runtime and bare loop alike.</param>
public sealed record OrchestrationBenchmarkResult(IReadOnlyList<RuntimeSample> Runtime, IReadOnlyList<BareSample> Bare, int Slots, int ThreadsPerSlot,
    TrainingEngine Engine)
{
    /// <summary>The local work of every bare pass: the runtime's trainings replayed.</summary>
    public LocalWork Work => Bare.Aggregate(LocalWork.None, (w, b) => w.Add(b.Work));

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
/// sample orders differ, their cost does not) run by plain threads with the runtime's trainer (<see cref="IModelTrainer"/> of the
/// run's engine), with no actors and no coordinator.
/// </summary>
public static class OrchestrationBenchmark
{
    /// <summary>Runs <paramref name="repetitions"/> pairs of (runtime run, bare pass), alternating which goes first.</summary>
    /// <param name="settings">The run's settings (persistence is not used: state stays in memory).</param>
    /// <param name="population">The clients, shared by every run and pass: a warm-up run fills its cache of generated clients
    /// first, so that runs and passes find the same clients generated (the suite measures the runtime, not data generation).</param>
    /// <param name="testSet">The central test set.</param>
    /// <param name="repetitions">Pairs to time.</param>
    /// <param name="progress">Receives one line per finished run or pass.</param>
    /// <param name="ct">Cancels between runs.</param>
    public static async Task<OrchestrationBenchmarkResult> RunAsync(FedActorsSettings settings, IClientDataSource population, LabeledDataset testSet,
        int repetitions, Action<string> progress, CancellationToken ct)
    {
        var probe = settings.RunSpec(population, testSet);
        var runtime = new List<RuntimeSample>();
        var bare = new List<BareSample>();
        // Warm-up run: the JIT, TorchSharp's native library, the actor system's first start and client generation are paid here.
        var (_, jobs) = await RunRuntimeAsync(settings, population, testSet, ct);
        var weights = FederatedRun.InitialWeights(probe);
        for (int r = 0; r < repetitions; r++)
        {
            ct.ThrowIfCancellationRequested();
            async Task Runtime()
            {
                var (sample, applied) = await RunRuntimeAsync(settings, population, testSet, ct);
                runtime.Add(sample);
                jobs = applied;
                progress($"runtime: {sample.Updates:N0} updates applied and {sample.Trainings:N0} trainings started in {sample.Seconds:F2} s, {sample.UpdatesPerSecond:F0} updates/s, " +
                    $"{sample.TrainingsPerSecond:F0} trainings/s; whole run: {Describe(sample.Cost)}");
            }
            void Bare()
            {
                var sample = RunBare(jobs, population, probe, testSet, weights);
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
        return new OrchestrationBenchmarkResult(runtime, bare, probe.Trainers.Slots, probe.Trainers.EffectiveThreadsPerSlot,
            TrainingEngines.Resolve(probe.Trainers.Engine, probe.Run.ModelName));
    }

    private static string Describe(ProcessCost c) => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"{c.WallSeconds:F2} s wall, {c.CpuSeconds:F2} s CPU, {c.Gen0Collections} GCs ({c.Gen2Collections} full, {c.GcPauseSeconds:F2} s paused), {c.AllocatedBytes / 1e6:F0} MB allocated");

    private static async Task<(RuntimeSample Sample, IReadOnlyList<(int Client, long Job)> Jobs)> RunRuntimeAsync(FedActorsSettings settings,
        IClientDataSource population, LabeledDataset testSet, CancellationToken ct)
    {
        var recording = new RecordingDataSource(population);
        var spec = settings.RunSpec(recording, testSet);
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
            result.Counters.TrainSeconds, allocated, result.Counters.UpdatesApplied, result.ModelSha256, spent, trained.Length, observer.Window);
        return (sample, trained);
    }

    private static BareSample RunBare(IReadOnlyList<(int Client, long Job)> jobs, IClientDataSource population, FederatedRunSpec spec,
        LabeledDataset shapeOf, float[] weights)
    {
        int slots = spec.Trainers.Slots, threads = spec.Trainers.EffectiveThreadsPerSlot;
        var options = spec.Run.Client;
        int next = -1;
        double dataSeconds = 0, trainSeconds = 0;
        var work = LocalWork.None;
        var gate = new Lock();
        using var ready = new CountdownEvent(slots);
        using var go = new ManualResetEventSlim();
        var workers = Enumerable.Range(0, slots).Select(_ => new Thread(() =>
        {
            // As a trainer slot: its own thread, intra-op threads set on it, one trainer of the run's engine reused for every job.
            torch.set_num_threads(threads);
            using var trainer = TrainingEngines.Create(spec.Trainers.Engine, spec.Run.ModelName, shapeOf, Math.Max(options.BatchSize, Evaluator.DefaultBatchSize));
            ready.Signal();
            go.Wait();
            long data = 0, train = 0, trainings = 0, steps = 0, samples = 0, maxSamples = 0;
            int maxSteps = 0;
            int i;
            while ((i = Interlocked.Increment(ref next)) < jobs.Count)
            {
                var (client, job) = jobs[i];
                long t0 = Stopwatch.GetTimestamp();
                var d = population.Get(client);
                long t1 = Stopwatch.GetTimestamp();
                var delta = new float[weights.Length];
                var stats = trainer.Train(weights, d.Data, d.Indices.Span, options, TrainerActor.OrderStream(spec.Run.Seed, client, job), delta);
                data += t1 - t0;
                train += Stopwatch.GetTimestamp() - t1;
                trainings++;
                steps += stats.Steps;
                samples += stats.Samples;
                maxSteps = Math.Max(maxSteps, stats.Steps);
                maxSamples = Math.Max(maxSamples, stats.Samples);
            }
            lock (gate)
            {
                work = work.Add(new LocalWork(trainings, steps, samples, maxSteps, maxSamples));
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
        return new BareSample(jobs.Count, seconds, dataSeconds, trainSeconds, cost.Stop(), work);
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

    /// <summary>The runtime's CPU and allocation are sampled at the first applied update and at every this many after it.</summary>
    public const int WindowSampleEvery = 500;

    /// <summary>Records which jobs were applied and when the first and last were, and the process's CPU and allocation between.</summary>
    private sealed class UpdateTimer : IRunObserver
    {
        private readonly List<(int Client, long Job)> _jobs = new();
        private TimeSpan _cpu0;
        private long _allocated0;

        public WindowCost Window { get; private set; } = new(0, 0, 0);

        public long First { get; private set; }

        public long Last { get; private set; }

        public IReadOnlyList<(int Client, long Job)> Jobs => _jobs;

        public void OnEvaluation(EvaluationRecord record) { }

        public void OnProgress(RunProgress progress) { }

        public void OnUpdateApplied(AppliedUpdate update)
        {
            Last = Stopwatch.GetTimestamp();
            if (_jobs.Count == 0)
            {
                First = Last;
                _cpu0 = Environment.CpuUsage.TotalTime;
                _allocated0 = GC.GetTotalAllocatedBytes(precise: false);
            }
            else if (_jobs.Count % WindowSampleEvery == 0)
            {
                Window = new WindowCost(_jobs.Count, (Environment.CpuUsage.TotalTime - _cpu0).TotalSeconds, GC.GetTotalAllocatedBytes(precise: false) - _allocated0);
            }
            _jobs.Add((update.ClientId, update.Job.Value));
        }
    }
}
