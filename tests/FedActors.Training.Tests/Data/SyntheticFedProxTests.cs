using FedActors.Training.Data;

namespace FedActors.Training.Tests.Data;

public class SyntheticFedProxTests
{
    private static readonly SyntheticSettings OneOne = new(1, 1, false);

    private static double Variance(IEnumerable<double> values)
    {
        var v = values.ToArray();
        double mean = v.Average();
        return v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1);
    }

    private static double Median(IEnumerable<double> values)
    {
        var v = values.Order().ToArray();
        return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }

    [Fact]
    public void Generate_must_be_a_pure_function_of_seed_and_client()
    {
        var a = SyntheticFedProx.Generate(OneOne, 7, 3);
        var b = SyntheticFedProx.Generate(OneOne, 7, 3);
        var otherClient = SyntheticFedProx.Generate(OneOne, 7, 4);
        var otherSeed = SyntheticFedProx.Generate(OneOne, 8, 3);

        Assert.Equal(a.Train.Features, b.Train.Features);
        Assert.Equal(a.Train.Labels, b.Train.Labels);
        Assert.Equal(a.Test.Features, b.Test.Features);
        Assert.NotEqual(a.Train.Features.Take(60), otherClient.Train.Features.Take(60));
        Assert.NotEqual(a.Train.Features.Take(60), otherSeed.Train.Features.Take(60));
    }

    [Fact]
    public void Generate_must_produce_60_feature_samples_of_10_classes_named_by_client()
    {
        var (train, test) = SyntheticFedProx.Generate(OneOne, 1, 12);

        Assert.Equal(new[] { 60 }, train.SampleShape);
        Assert.Equal(10, train.NumClasses);
        Assert.Equal("synthetic(1,1)/client-12/train", train.Name);
        Assert.Equal("synthetic(1,1)/client-12/test", test.Name);
    }

    [Theory]
    [InlineData(50, 45, 5)]
    [InlineData(55, 49, 6)]   // 0.9 · 55 = 49.5 → 49
    [InlineData(104, 93, 11)] // 0.9 · 104 = 93.6 → 93
    [InlineData(1000, 900, 100)]
    public void TrainCount_must_floor_ninety_percent_as_the_reference(int samples, int train, int test)
    {
        Assert.Equal(train, SyntheticFedProx.TrainCount(samples));
        Assert.Equal(test, samples - SyntheticFedProx.TrainCount(samples));
    }

    [Fact]
    public void Generate_must_split_each_device_ninety_ten()
    {
        for (int k = 0; k < 20; k++)
        {
            int n = SyntheticFedProx.Device(OneOne, 5, k).SampleCount;
            var (train, test) = SyntheticFedProx.Generate(OneOne, 5, k);

            Assert.Equal(n, train.Count + test.Count);
            Assert.Equal((int)(0.9 * n), train.Count);
        }
    }

    [Fact]
    public void SampleCount_must_equal_the_generated_devices_size_without_generating_it()
    {
        foreach (var settings in new[] { OneOne, new SyntheticSettings(0, 0, false), new SyntheticSettings(1, 1, true) })
        {
            for (int k = 0; k < 20; k++)
            {
                var (train, test) = SyntheticFedProx.Generate(settings, 5, k);

                Assert.Equal(train.Count + test.Count, SyntheticFedProx.SampleCount(5, k));
            }
        }
    }

    [Fact]
    public void GenerateTrain_must_equal_the_train_split_of_Generate()
    {
        foreach (var settings in new[] { OneOne, new SyntheticSettings(0.5, 0.5, true) })
        {
            for (int k = 0; k < 10; k++)
            {
                var expected = SyntheticFedProx.Generate(settings, 9, k).Train;

                var train = SyntheticFedProx.GenerateTrain(settings, 9, k);

                Assert.Equal(expected.Name, train.Name);
                Assert.Equal(expected.Features, train.Features);
                Assert.Equal(expected.Labels, train.Labels);
            }
        }
    }

    [Fact]
    public void Sample_counts_must_follow_int_lognormal_4_2_plus_50()
    {
        var counts = Enumerable.Range(0, 4001).Select(k => (double)SyntheticFedProx.Device(OneOne, 11, k).SampleCount).ToArray();

        // Median of int(e^N(4, 2)) + 50 is int(e^4) + 50 = 104; the sample median's standard error is ≈ 4% in e^.
        Assert.InRange(Median(counts), 98, 111);
        Assert.Equal(50, counts.Min(), 0);
        Assert.True(counts.Max() > 5000, "the log-normal tail must be kept, not clipped");
    }

    [Fact]
    public void Features_must_have_diagonal_covariance_j_plus_1_to_the_minus_1_2_around_the_device_mean()
    {
        var device = SyntheticFedProx.Device(OneOne, 3, 0) with { SampleCount = 20_000 };
        var (x, _) = SyntheticFedProx.Sample(device, 3, 0, device.SampleCount);
        double[] Column(int j) => Enumerable.Range(0, device.SampleCount).Select(i => (double)x[i * 60 + j]).ToArray();

        // Feature 0: variance 1; feature 59: 60^-1.2 ≈ 0.00735. Standard error of a variance ≈ √(2/n) ≈ 1%.
        Assert.InRange(Variance(Column(0)), 0.95, 1.05);
        Assert.InRange(Variance(Column(59)), 0.00735 * 0.95, 0.00735 * 1.05);
        for (int j = 0; j < 60; j++)
        {
            var col = Column(j);
            Assert.InRange(Variance(col) / Math.Pow(j + 1, -1.2), 0.95, 1.05);
            Assert.InRange(col.Average() - device.MeanX[j], -0.03, 0.03);
        }
        // Off-diagonal: features 0 and 1 uncorrelated.
        var c0 = Column(0);
        var c1 = Column(1);
        double m0 = c0.Average(), m1 = c1.Average();
        double cov = Enumerable.Range(0, c0.Length).Sum(i => (c0[i] - m0) * (c1[i] - m1)) / c0.Length;
        Assert.InRange(cov / Math.Sqrt(Variance(c0) * Variance(c1)), -0.03, 0.03);
    }

    [Fact]
    public void Labels_must_be_the_argmax_of_xW_plus_b_of_the_device_model()
    {
        var device = SyntheticFedProx.Device(OneOne, 9, 2);
        var (train, test) = SyntheticFedProx.Generate(OneOne, 9, 2);

        foreach (var ds in new[] { train, test })
        {
            for (int i = 0; i < ds.Count; i++)
            {
                var x = ds.Sample(i);
                var logits = new double[10];
                for (int c = 0; c < 10; c++)
                {
                    logits[c] = device.B[c];
                    for (int j = 0; j < 60; j++)
                        logits[c] += x[j] * device.W[j * 10 + c];
                }
                Assert.Equal(Array.IndexOf(logits, logits.Max()), ds.Labels[i]);
            }
        }
    }

    [Fact]
    public void Alpha_and_beta_must_be_standard_deviations_of_the_device_means()
    {
        var settings = new SyntheticSettings(0.5, 2.0, false);
        var devices = Enumerable.Range(0, 3000).Select(k => SyntheticFedProx.Device(settings, 1, k)).ToArray();

        // mean(W_k) ≈ u_k ~ N(0, α): variance α² + 1/600; mean(v_k) ≈ B_k ~ N(0, β): variance β² + 1/60.
        Assert.InRange(Variance(devices.Select(d => d.W.Average())), 0.25 * 0.9, 0.25 * 1.1 + 1.0 / 600);
        Assert.InRange(Variance(devices.Select(d => d.MeanX.Average())), 4.0 * 0.9, 4.0 * 1.1 + 1.0 / 60);
        // b_k shares W_k's mean u_k (mean_b = mean_W in the reference).
        var bias = devices.Select(d => d.B.Average()).ToArray();
        var weights = devices.Select(d => d.W.Average()).ToArray();
        Assert.InRange(Enumerable.Range(0, bias.Length).Average(i => bias[i] * weights[i]), 0.25 * 0.85, 0.25 * 1.15);
    }

    [Fact]
    public void Iid_devices_must_share_one_model_and_have_zero_mean_inputs()
    {
        var iid = new SyntheticSettings(5, 5, true); // α, β ignored
        var a = SyntheticFedProx.Device(iid, 4, 0);
        var b = SyntheticFedProx.Device(iid, 4, 1);
        var niid = SyntheticFedProx.Device(OneOne, 4, 0);
        var niid1 = SyntheticFedProx.Device(OneOne, 4, 1);

        Assert.Equal(a.W, b.W);
        Assert.Equal(a.B, b.B);
        Assert.All(a.MeanX, m => Assert.Equal(0.0, m));
        Assert.NotEqual(niid.W, niid1.W);
        Assert.InRange(Variance(a.W), 0.8, 1.2); // N(0, 1) entries
        Assert.InRange(a.W.Average(), -0.15, 0.15);
    }

    [Fact]
    public void PooledTest_must_concatenate_each_clients_test_split_in_client_order()
    {
        var pooled = SyntheticFedProx.PooledTest(OneOne, 2, 3);
        var parts = Enumerable.Range(0, 3).Select(k => SyntheticFedProx.Generate(OneOne, 2, k).Test).ToArray();

        Assert.Equal("synthetic(1,1)/test", pooled.Name);
        Assert.Equal(parts.SelectMany(p => p.Labels), pooled.Labels);
        Assert.Equal(parts.SelectMany(p => p.Features), pooled.Features);
    }

    [Fact]
    public void Negative_alpha_must_be_rejected_naming_the_parameter()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticFedProx.Generate(new SyntheticSettings(-1, 0, false), 1, 0));

        Assert.Contains("synthetic alpha must be a finite number ≥ 0", e.Message);
    }
}
