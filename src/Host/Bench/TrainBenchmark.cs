using System.Diagnostics;
using FedActors.Training;
using FedActors.Training.Data;
using FedActors.Training.LocalTraining;
using FedActors.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace FedActors.Host.Bench;

/// <summary>One model's result of the training benchmark.</summary>
/// <param name="Model">Model name.</param>
/// <param name="Threads">Intra-op threads used by both loops.</param>
/// <param name="BatchSize">Minibatch size.</param>
/// <param name="SamplesPerRepetition">Samples trained in one timed repetition.</param>
/// <param name="Repetitions">Timed repetitions of each loop (interleaved).</param>
/// <param name="BareSamplesPerSecond">Median samples/s of the bare TorchSharp loop.</param>
/// <param name="FedActorsSamplesPerSecond">Median samples/s of FedActors' local-training path.</param>
/// <param name="BareGflops">Achieved GFLOP/s of the bare loop.</param>
/// <param name="FedActorsGflops">Achieved GFLOP/s of the FedActors path.</param>
public sealed record TrainBenchmarkResult(string Model, int Threads, int BatchSize, int SamplesPerRepetition, int Repetitions,
    double BareSamplesPerSecond, double FedActorsSamplesPerSecond, double BareGflops, double FedActorsGflops)
{
    /// <summary>FedActors' throughput as a fraction of the bare loop's (1 = same speed).</summary>
    public double Ratio => FedActorsSamplesPerSecond / BareSamplesPerSecond;
}

/// <summary>
/// Local-training throughput of FedActors' full client path (load global weights, reset optimizer
/// state, local SGD from pooled buffers, extract Δ and its norm) against the plainest TorchSharp loop
/// on the same model, the same batches in the same order, and the same thread count, measured in the
/// same process with the two loops interleaved so that drifts of the machine hit both alike.
/// </summary>
/// <remarks>The bare loop is the textbook one, NCHW; FedActors trains image models channels-last (see
/// <see cref="ModelReplica.ChannelsLast"/>), so for them a ratio above 1 is that layout's gain.</remarks>
public static class TrainBenchmark
{
    /// <summary>Shortest wall time of one timed repetition of either loop; short models repeat their pass to reach it.</summary>
    public const double MinRepetitionSeconds = 0.25;

    /// <summary>Runs the benchmark for one model on the calling thread, which must already use <paramref name="threads"/>
    /// intra-op threads (<see cref="TorchThread"/>).</summary>
    /// <remarks><paramref name="samples"/> samples make one pass; a timed repetition runs as many passes as
    /// <see cref="MinRepetitionSeconds"/> needs.</remarks>
    public static TrainBenchmarkResult Run(string model, LabeledDataset data, int samples, int batchSize, int threads,
        int repetitions, CancellationToken cancellation)
    {
        var indices = Enumerable.Range(0, Math.Min(samples, data.Count)).ToArray();
        var options = new LocalTrainingOptions { Epochs = 1, BatchSize = batchSize, LearningRate = 0.01, Momentum = 0.9, WeightDecay = 1e-5 };
        var description = ModelCatalog.Describe(model, data.SampleShape, data.NumClasses);

        using var replica = ModelReplica.For(model, data, batchSize);
        var global = WeightInitializer.Initialize(replica.Layout, 1);
        var delta = new float[global.Length];

        // The bare loop gets every advantage: its batches are materialized as tensors up front.
        var order = DeterministicRandom.For(1, 0, 0);
        var shuffled = (int[])indices.Clone();
        order.Shuffle(shuffled);
        using var bare = new BareLoop(model, data, shuffled, batchSize, options, global);

        var bareRates = new List<double>();
        var oursRates = new List<double>();
        int passes = 1;
        double Time(Action a)
        {
            var t = Stopwatch.GetTimestamp();
            for (int p = 0; p < passes; p++) a();
            return (double)indices.Length * passes / Stopwatch.GetElapsedTime(t).TotalSeconds;
        }
        void Ours() => LocalTrainer.Train(replica, global, data, indices, options, DeterministicRandom.For(1, 0, 0), delta);

        // Warm-up: libtorch allocators, oneDNN kernels and the JIT settle in the first passes.
        bare.Train();
        Ours();
        // A timed repetition lasts at least MinRepetitionSeconds: a pass of a small model over 4,096 samples
        // takes about 15 ms, short enough for timer ticks and frequency changes to swing single ratios by 10%.
        passes = Math.Max(1, (int)Math.Ceiling(MinRepetitionSeconds / (indices.Length / Time(bare.Train))));
        // One untimed repetition each: the runtime promotes hot methods to optimized code only after they have
        // run a while, and FedActors' path has more managed code than the bare loop (measured: logreg 0.875
        // as the first model of a fresh process, 0.995-1.002 after).
        Time(bare.Train);
        Time(Ours);
        for (int r = 0; r < repetitions; r++)
        {
            cancellation.ThrowIfCancellationRequested();
            // Alternate which loop goes first so neither always follows the other.
            if (r % 2 == 0)
            {
                bareRates.Add(Time(bare.Train));
                oursRates.Add(Time(Ours));
            }
            else
            {
                oursRates.Add(Time(Ours));
                bareRates.Add(Time(bare.Train));
            }
        }
        double bareRate = Median(bareRates), oursRate = Median(oursRates);
        return new TrainBenchmarkResult(model, threads, batchSize, indices.Length * passes, repetitions,
            bareRate, oursRate, bareRate * description.TrainFlopsPerSample / 1e9, oursRate * description.TrainFlopsPerSample / 1e9);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        int m = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
    }

    /// <summary>The textbook TorchSharp loop: module, torch.optim.SGD, zero_grad/forward/backward/step.</summary>
    internal sealed class BareLoop : ITimedLoop
    {
        private readonly nn.Module<Tensor, Tensor> _module;
        private readonly optim.Optimizer _sgd;
        private readonly List<(Tensor X, Tensor Y)> _batches = new();

        public BareLoop(string model, LabeledDataset data, int[] order, int batchSize, LocalTrainingOptions o, float[] weights)
            : this(model, data, Batches(order, batchSize), o, weights)
        {
        }

        /// <summary>A loop over the given batches (sample indices in <paramref name="data"/>), in order.</summary>
        public BareLoop(string model, LabeledDataset data, IEnumerable<int[]> batches, LocalTrainingOptions o, float[] weights)
        {
            _module = ModelCatalog.Create(model, data.SampleShape, data.NumClasses);
            FlatWeights.Write(_module.parameters().Select(p => (Tensor)p).ToArray(), weights);
            _sgd = optim.SGD(_module.parameters(), o.LearningRate, o.Momentum, weight_decay: o.WeightDecay);
            var shape = new long[data.SampleShape.Length + 1];
            for (int i = 0; i < data.SampleShape.Length; i++) shape[i + 1] = data.SampleShape[i];
            foreach (var indices in batches)
            {
                var batch = indices.AsSpan();
                var x = new float[batch.Length * data.FeatureSize];
                var y = new long[batch.Length];
                for (int i = 0; i < batch.Length; i++)
                {
                    data.Sample(batch[i]).CopyTo(x.AsSpan(i * data.FeatureSize));
                    y[i] = data.Labels[batch[i]];
                }
                shape[0] = batch.Length;
                _batches.Add((tensor(x, shape).DetachFromDisposeScope(), tensor(y).DetachFromDisposeScope()));
                Samples += batch.Length;
            }
        }

        /// <summary>Samples one <see cref="Train"/> pass trains.</summary>
        public int Samples { get; private set; }

        /// <summary><paramref name="order"/> cut into batches of <paramref name="batchSize"/> (the last may be smaller).</summary>
        public static IEnumerable<int[]> Batches(int[] order, int batchSize)
        {
            for (int s = 0; s < order.Length; s += batchSize) yield return order[s..Math.Min(order.Length, s + batchSize)];
        }

        public void Train()
        {
            _module.train();
            foreach (var (x, y) in _batches)
            {
                using var scope = NewDisposeScope();
                _sgd.zero_grad();
                var loss = nn.functional.cross_entropy(_module.call(x), y);
                loss.backward();
                _sgd.step();
                // Read the loss as the FedActors path does, so both synchronize identically.
                loss.item<float>();
            }
        }

        public void Dispose()
        {
            foreach (var (x, y) in _batches)
            {
                x.Dispose();
                y.Dispose();
            }
            _sgd.Dispose();
            _module.Dispose();
        }
    }
}
