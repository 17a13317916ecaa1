using System.Diagnostics;
using FedActors.Training;
using FedActors.Training.Data;
using FedActors.Training.LocalTraining;
using FedActors.Training.Models;

namespace FedActors.Host.Bench;

/// <summary>
/// The local training of one job of the default config (1 epoch, batch 32, on the default population's mean of 60
/// samples of 28×28 images, 10 classes), on the calling thread: what secure aggregation's member cost is weighed against.
/// </summary>
public static class OneJobTraining
{
    /// <summary>Samples of a default client: 60,000 Fashion-MNIST training images over 1,000 clients.</summary>
    public const int DefaultSamples = 60;

    /// <summary>Median milliseconds of <paramref name="repetitions"/> jobs of <paramref name="model"/>, after two warm-up jobs.</summary>
    public static double MedianMs(string model, int repetitions, CancellationToken cancellation)
    {
        // Random pixels train as long as real ones: the cost is the model's, not the data's.
        var random = DeterministicRandom.For(5, 0, 0);
        var features = new float[DefaultSamples * 28 * 28];
        for (int i = 0; i < features.Length; i++) features[i] = (float)random.NextDouble();
        var labels = Enumerable.Range(0, DefaultSamples).Select(i => i % 10).ToArray();
        var data = new LabeledDataset("bench", features, labels, [1, 28, 28], 10);
        var options = new LocalTrainingOptions();
        using var replica = ModelReplica.For(model, data, options.BatchSize);
        var global = WeightInitializer.Initialize(replica.Layout, 1);
        var delta = new float[global.Length];
        var indices = Enumerable.Range(0, DefaultSamples).ToArray();
        double Job(int j)
        {
            var started = Stopwatch.GetTimestamp();
            LocalTrainer.Train(replica, global, data, indices, options, DeterministicRandom.For(1, 0, (ulong)j), delta);
            return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }
        Job(0);
        Job(1);
        var times = new List<double>();
        for (int r = 0; r < repetitions; r++)
        {
            cancellation.ThrowIfCancellationRequested();
            times.Add(Job(r + 2));
        }
        times.Sort();
        return repetitions % 2 == 1 ? times[repetitions / 2] : (times[repetitions / 2 - 1] + times[repetitions / 2]) / 2;
    }
}
