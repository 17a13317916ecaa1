using FedActors.Training.Data;
using FedActors.Training.LocalTraining;
using FedActors.Training.Models;

namespace FedActors.Training.Tests.LocalTraining;

public class SoftmaxRegressionTrainerTests
{
    private static LabeledDataset Device(int clientId) => SyntheticFedProx.GenerateTrain(new SyntheticSettings(1, 1, false), 42, clientId);

    [Fact]
    public void One_step_must_give_the_hand_computed_gradient_step()
    {
        // Two features, two classes, zero weights, one sample x = (1, 2) of class 0:
        // logits (0, 0), softmax (½, ½), ∂loss/∂z = (−½, ½), ∂/∂W = ∂z ⊗ x, ∂/∂b = ∂z; loss = ln 2.
        var data = new LabeledDataset("tiny", [1f, 2f], [0], [2], 2);
        using var trainer = new SoftmaxRegressionTrainer(2, 2);
        var delta = new float[trainer.Dimension];
        var stats = trainer.Train(new float[6], data, [0], new LocalTrainingOptions { BatchSize = 1, LearningRate = 0.1 },
            DeterministicRandom.For(1, 0, 0), delta);

        // Δ = −η·∇: W rows (class 0, class 1), then b.
        Assert.Equal(new[] { 0.05f, 0.1f, -0.05f, -0.1f, 0.05f, -0.05f }, delta, new FloatComparer(1e-7f));
        Assert.Equal(1, stats.Samples);
        Assert.Equal(1, stats.Steps);
        Assert.Equal(Math.Log(2), stats.MeanLoss, 6);
        Assert.Equal(Math.Sqrt(4 * 0.0025 + 2 * 0.01), stats.UpdateNorm, 6);
    }

    [Fact]
    public void A_batch_must_average_the_gradient_and_weight_decay_proximal_term_and_momentum_must_follow_torch_SGD()
    {
        // Batch of two: x = (1, 0) class 0, x = (0, 1) class 1, zero weights. Mean gradient: W = [[−¼, ¼], [¼, −¼]], b = 0.
        // Step 1 from w = 0: weight decay and the proximal term add nothing; v = ∇; w = −η·∇.
        // Step 2 (same batch, second epoch): ∇₂ from w₁, plus λ·w₁ + μ·(w₁ − 0); v = m·v + d; w₂ = w₁ − η·v.
        var data = new LabeledDataset("pair", [1f, 0f, 0f, 1f], [0, 1], [2], 2);
        var o = new LocalTrainingOptions { Epochs = 2, BatchSize = 2, LearningRate = 0.5, Momentum = 0.9, WeightDecay = 0.1, ProximalMu = 0.2 };
        using var trainer = new SoftmaxRegressionTrainer(2, 2);
        var delta = new float[trainer.Dimension];
        trainer.Train(new float[6], data, [0, 1], o, DeterministicRandom.For(1, 0, 0), delta);

        // w₁: W = [[⅛, −⅛], [−⅛, ⅛]], b = 0. Logits of x₀ = (⅛, −⅛): softmax (σ(¼), 1 − σ(¼)).
        double p = 1 / (1 + Math.Exp(-0.25));
        double gw = (p - 1) / 2; // ∂/∂W[0,0] = (p₀(x₀) − 1)·1/2; by symmetry W[1,1] alike, W[0,1] = W[1,0] = −gw
        double w1 = 0.125;
        double d = gw + 0.1 * w1 + 0.2 * w1;
        double v = 0.9 * -0.25 + d;
        double w2 = w1 - 0.5 * v;
        var expected = new[] { w2, -w2, -w2, w2, 0, 0 }.Select(x => (float)x).ToArray();
        Assert.Equal(expected, delta, new FloatComparer(1e-6f));
    }

    [Fact]
    public void A_confidently_wrong_model_must_report_a_large_finite_loss()
    {
        // Logits (0, 200) for a sample of class 0: loss = log(1 + e^200) ≈ 200, where exp(−200) underflows in float.
        var data = new LabeledDataset("far", [1f], [0], [1], 2);
        using var trainer = new SoftmaxRegressionTrainer(1, 2);
        var stats = trainer.Train([0f, 200f, 0f, 0f], data, [0], new LocalTrainingOptions { BatchSize = 1, LearningRate = 0.1 },
            DeterministicRandom.For(1, 0, 0), new float[4]);
        Assert.Equal(200, stats.MeanLoss, 3);
    }

    [Fact]
    public void Its_layout_must_be_torch_logreg_layout()
    {
        var data = Device(0);
        using var replica = ModelReplica.For("logreg", data);
        using var trainer = new SoftmaxRegressionTrainer(data.FeatureSize, data.NumClasses);
        Assert.Equal(replica.Layout.TotalCount, trainer.Dimension);
        Assert.Equal(new long[] { 10, 60 }, replica.Layout.Slices[0].Shape);
        Assert.Equal(new long[] { 10 }, replica.Layout.Slices[1].Shape);
    }

    [Theory]
    [InlineData(0.0, 0.0, 0.0, null)]
    [InlineData(0.9, 1e-3, 0.1, null)]
    [InlineData(0.5, 0.0, 0.01, 7)]
    public void Trainings_must_equal_TorchSharp_trainings_on_synthetic_devices(double momentum, double weightDecay, double mu, int? maxSteps)
    {
        var options = new LocalTrainingOptions
        {
            Epochs = 2, BatchSize = 10, LearningRate = 0.05, Momentum = momentum, WeightDecay = weightDecay, ProximalMu = mu, MaxSteps = maxSteps,
        };
        using var torch = new TorchModelTrainer(ModelReplica.For("logreg", Device(0)), ownsReplica: true);
        using var managed = new SoftmaxRegressionTrainer(60, 10);
        var start = WeightInitializer.Initialize(torch.Replica.Layout, 3);
        for (int client = 0; client < 4; client++)
        {
            var data = Device(client);
            var indices = Enumerable.Range(0, data.Count).ToArray();
            var expected = new float[start.Length];
            var actual = new float[start.Length];
            var t = torch.Train(start, data, indices, options, DeterministicRandom.For(5, (ulong)client, 9), expected);
            var m = managed.Train(start, data, indices, options, DeterministicRandom.For(5, (ulong)client, 9), actual);

            Assert.Equal(t.Samples, m.Samples);
            Assert.Equal(t.Steps, m.Steps);
            Assert.Equal(t.MeanLoss, m.MeanLoss, 1e-4);
            Assert.Equal(t.UpdateNorm, m.UpdateNorm, 1e-4 * t.UpdateNorm);
            float scale = expected.Max(MathF.Abs);
            Assert.True(scale > 0);
            Assert.Equal(expected, actual, new FloatComparer(1e-4f * scale));
        }
    }

    [Fact]
    public void Local_steps_must_stop_the_training_and_count_only_the_samples_trained()
    {
        var data = Device(1);
        var indices = Enumerable.Range(0, data.Count).ToArray();
        using var trainer = new SoftmaxRegressionTrainer(60, 10);
        var delta = new float[trainer.Dimension];
        // Every device trains on at least int(0.9 · 50) = 45 samples: three batches of 10 fit in its first epoch.
        var o = new LocalTrainingOptions { Epochs = 3, BatchSize = 10, LearningRate = 0.01, MaxSteps = 3 };
        var stats = trainer.Train(new float[trainer.Dimension], data, indices, o, DeterministicRandom.For(1, 1, 1), delta);
        Assert.Equal(3, stats.Steps);
        Assert.Equal(30, stats.Samples);
        Assert.Equal(3, o.StepsFor(data.Count));
        Assert.Equal(3 * ((data.Count + 9) / 10), (o with { MaxSteps = null }).StepsFor(data.Count));
    }

    [Fact]
    public void A_reused_trainer_must_give_the_bits_of_a_fresh_one()
    {
        var options = new LocalTrainingOptions { Epochs = 1, BatchSize = 10, LearningRate = 0.05, Momentum = 0.9, ProximalMu = 0.01 };
        using var module = new LogisticRegression(60, 10);
        var start = WeightInitializer.Initialize(ParameterLayout.Of(module), 1);
        using var reused = new SoftmaxRegressionTrainer(60, 10);
        var scratch = new float[start.Length];
        reused.Train(start, Device(3), Enumerable.Range(0, Device(3).Count).ToArray(), options, DeterministicRandom.For(1, 3, 0), scratch);

        var data = Device(2);
        var indices = Enumerable.Range(0, data.Count).ToArray();
        var a = new float[start.Length];
        var b = new float[start.Length];
        reused.Train(start, data, indices, options, DeterministicRandom.For(1, 2, 0), a);
        using var fresh = new SoftmaxRegressionTrainer(60, 10);
        fresh.Train(start, data, indices, options, DeterministicRandom.For(1, 2, 0), b);
        Assert.Equal(b, a);
    }

    [Fact]
    public void Data_of_another_shape_must_be_refused_with_both_shapes_named()
    {
        using var trainer = new SoftmaxRegressionTrainer(60, 10);
        var data = new LabeledDataset("other", new float[4], [0, 1], [2], 2);
        var e = Assert.Throws<ArgumentException>(() =>
            trainer.Train(new float[trainer.Dimension], data, [0], new LocalTrainingOptions(), DeterministicRandom.For(1, 0, 0), new float[trainer.Dimension]));
        Assert.Contains("2 features and 2 classes", e.Message);
        Assert.Contains("60 and 10", e.Message);
    }

    [Fact]
    public void Auto_must_pick_the_managed_engine_for_logreg_only_and_managed_must_refuse_other_models()
    {
        Assert.Equal(TrainingEngine.Managed, TrainingEngines.Resolve(TrainingEngine.Auto, "logreg"));
        Assert.Equal(TrainingEngine.Torch, TrainingEngines.Resolve(TrainingEngine.Auto, "simple-cnn"));
        Assert.Equal(TrainingEngine.Torch, TrainingEngines.Resolve(TrainingEngine.Torch, "logreg"));
        var e = Assert.Throws<ArgumentException>(() => TrainingEngines.Resolve(TrainingEngine.Managed, "cnn"));
        Assert.Contains("'cnn'", e.Message);
        var p = Assert.Throws<FormatException>(() => TrainingEngines.Parse("gpu"));
        Assert.Contains("auto, torch, managed", p.Message);
        using var trainer = TrainingEngines.Create(TrainingEngine.Auto, "logreg", Device(0), 64);
        Assert.IsType<SoftmaxRegressionTrainer>(trainer);
    }

    private sealed class FloatComparer(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => MathF.Abs(x - y) <= tolerance;

        public int GetHashCode(float obj) => 0;
    }
}
