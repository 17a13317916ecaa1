using FedActors.Training.LocalTraining;
using FedActors.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace FedActors.Training.Tests.LocalTraining;

public class LocalTrainerTests
{
    private static readonly int[] Shape = { 1, 28, 28 };

    [Fact]
    public void TorchSharp_must_load_and_train_on_this_machine()
    {
        // The build patches libLibTorchSharp.so where the host libstdc++ is too old; this proves it loads
        // and that a real optimisation step lowers the loss.
        var data = TestData.Blobs(200, new[] { 20 }, 4, seed: 1);
        using var replica = ModelReplica.For("logreg", data);
        var w0 = new float[replica.Layout.TotalCount];
        var delta = new float[w0.Length];
        var all = Enumerable.Range(0, data.Count).ToArray();
        var options = new LocalTrainingOptions { Epochs = 5, BatchSize = 20, LearningRate = 0.1 };
        replica.LoadWeights(w0);
        double before = FedActors.Training.Evaluation.Evaluator.Evaluate(replica, data).Loss;
        var stats = LocalTrainer.Train(replica, w0, data, all, options, DeterministicRandom.For(1, 0, 0), delta);
        Assert.Equal(1000, stats.Samples);
        Assert.Equal(50, stats.Steps);
        Assert.True(stats.UpdateNorm > 0);
        double after = FedActors.Training.Evaluation.Evaluator.Evaluate(replica, data).Loss;
        Assert.True(after < before * 0.5, $"loss {before} -> {after}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Local_sgd_must_match_torch_optim_SGD_with_momentum_and_weight_decay(int channels)
    {
        // Ours trains channels-last (and interleaves the channels of each sample into NHWC order); the reference is the
        // textbook NCHW module with torch.optim.SGD.
        var data = TestData.Blobs(96, new[] { channels, 28, 28 }, 10, seed: 2);
        var options = new LocalTrainingOptions { Epochs = 2, BatchSize = 16, LearningRate = 0.05, Momentum = 0.9, WeightDecay = 1e-3 };
        using var ours = ModelReplica.For("simple-cnn", data);
        Assert.True(ours.ChannelsLast);
        var start = ours.ReadWeights();
        var indices = Enumerable.Range(0, data.Count).ToArray();
        var delta = new float[start.Length];
        LocalTrainer.Train(ours, start, data, indices, options, DeterministicRandom.For(7, 3, 1), delta);

        // Reference: the plain PyTorch recipe on the same batches in the same order.
        using var reference = ModelCatalog.Create("simple-cnn", data.SampleShape, data.NumClasses);
        var parameters = reference.parameters().Select(p => (Tensor)p).ToArray();
        FlatWeights.Write(parameters, start);
        var sgd = optim.SGD(reference.parameters(), options.LearningRate, options.Momentum, weight_decay: options.WeightDecay);
        var order = DeterministicRandom.For(7, 3, 1);
        var shuffled = (int[])indices.Clone();
        for (int e = 0; e < options.Epochs; e++)
        {
            order.Shuffle(shuffled);
            for (int s = 0; s < shuffled.Length; s += options.BatchSize)
            {
                using var scope = NewDisposeScope();
                var batch = shuffled.Skip(s).Take(options.BatchSize).ToArray();
                var x = tensor(batch.SelectMany(i => data.Sample(i).ToArray()).ToArray(), new long[] { batch.Length, channels, 28, 28 });
                var y = tensor(batch.Select(i => (long)data.Labels[i]).ToArray());
                sgd.zero_grad();
                nn.functional.cross_entropy(reference.call(x), y).backward();
                sgd.step();
            }
        }
        var expected = new float[start.Length];
        FlatWeights.Read(parameters, expected);
        for (int i = 0; i < start.Length; i++)
            Assert.True(Math.Abs(start[i] + delta[i] - expected[i]) < 2e-5f, $"weight {i}: {start[i] + delta[i]} vs {expected[i]}");
    }

    [Fact]
    public void Local_training_must_be_deterministic_for_a_fixed_seed()
    {
        var data = TestData.Blobs(128, Shape, 10, seed: 3);
        var options = new LocalTrainingOptions { Epochs = 1, BatchSize = 32, LearningRate = 0.05, Momentum = 0.5 };
        using var replica = ModelReplica.For("simple-cnn", data);
        var start = replica.ReadWeights();
        var indices = Enumerable.Range(0, data.Count).ToArray();
        var d1 = new float[start.Length];
        var d2 = new float[start.Length];
        var d3 = new float[start.Length];
        LocalTrainer.Train(replica, start, data, indices, options, DeterministicRandom.For(1, 5, 0), d1);
        LocalTrainer.Train(replica, start, data, indices, options, DeterministicRandom.For(1, 5, 0), d2);
        LocalTrainer.Train(replica, start, data, indices, options, DeterministicRandom.For(1, 6, 0), d3);
        Assert.Equal(d1, d2);
        Assert.NotEqual(d1, d3);
    }

    [Fact]
    public void Proximal_term_must_keep_the_update_closer_to_the_global_model()
    {
        var data = TestData.Blobs(256, new[] { 30 }, 3, seed: 4);
        using var replica = ModelReplica.For("mlp", data);
        var start = replica.ReadWeights();
        var indices = Enumerable.Range(0, data.Count).ToArray();
        double Norm(double mu)
        {
            var d = new float[start.Length];
            var o = new LocalTrainingOptions { Epochs = 5, BatchSize = 16, LearningRate = 0.05, ProximalMu = mu };
            return LocalTrainer.Train(replica, start, data, indices, o, DeterministicRandom.For(2, 0, 0), d).UpdateNorm;
        }
        double plain = Norm(0), prox = Norm(1.0);
        Assert.True(prox < plain * 0.9, $"‖Δ‖ without prox {plain}, with μ=1 {prox}");
    }

    [Fact]
    public void Update_norm_and_mean_loss_must_describe_the_returned_update()
    {
        var data = TestData.Blobs(64, new[] { 12 }, 4, seed: 5);
        using var replica = ModelReplica.For("logreg", data);
        var start = replica.ReadWeights();
        var delta = new float[start.Length];
        var stats = LocalTrainer.Train(replica, start, data, Enumerable.Range(0, 64).ToArray(),
            new LocalTrainingOptions { BatchSize = 10 }, DeterministicRandom.For(0, 0, 0), delta);
        Assert.Equal(Math.Sqrt(delta.Sum(v => (double)v * v)), stats.UpdateNorm, 4);
        Assert.Equal(7, stats.Steps); // 64 samples in batches of 10
        Assert.InRange(stats.MeanLoss, 0.01, 10);
        Assert.True(stats.ComputeSeconds > 0);
    }

}
