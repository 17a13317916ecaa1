using FedActors.Actors.Privacy;

namespace FedActors.Actors.Tests.Privacy;

public sealed class RdpAccountantTests
{
    private static double[] FineOrders() => [.. Enumerable.Range(1001, 98_999).Select(i => i / 1000.0)];

    [Fact(DisplayName = "The conversion of a constant RDP curve must give dp-accounting's hand-computed ε and order")]
    public void Pure_dp_conversion()
    {
        // rdp_privacy_accountant_test.py, test_compute_epsilon_delta_pure_dp: orders 2..32, ρ = 1.1, δ = 1e-5 give
        // ε = 1.32783806176 at order 32 (= 1.1 + log(31/32) − log(32·10⁻⁵)/31).
        double[] orders = [.. Enumerable.Range(2, 31).Select(i => (double)i)];
        double[] rdp = [.. orders.Select(_ => 1.1)];
        var g = RdpConversion.Epsilon(orders, rdp, 1e-5);
        Assert.Equal(1.32783806176, g.Epsilon, 1e-10);
        Assert.Equal(32, g.Order);
    }

    [Theory(DisplayName = "The RDP of DP-SGD on MNIST must give TensorFlow Privacy's published ε under the conversion it used")]
    // tensorflow/privacy, tutorials/README.md, "Select Parameters": batch 256 of N = 60,000 (q = 256/60000), δ = 1e-5,
    // ε 1.19 (σ 1.3, 15 epochs), 3.01 (σ 1.1, 60 epochs), 7.10 (σ 0.7, 45 epochs); compute_dp_sgd_privacy took
    // ⌈epochs·N/batch⌉ steps, its orders 1.1 … 10.9 and 12 … 63, and Mironov's (2017) conversion ε = min ρ(α) − log δ/(α − 1).
    [InlineData(1.3, 15, 1.19)]
    [InlineData(1.1, 60, 3.01)]
    [InlineData(0.7, 45, 7.10)]
    public void Tensorflow_privacy_mnist_epsilons(double sigma, int epochs, double published)
    {
        double[] orders = [.. Enumerable.Range(1, 99).Select(x => 1 + x / 10.0), .. Enumerable.Range(12, 52).Select(x => (double)x)];
        long steps = (long)Math.Ceiling(epochs * 60_000 / 256.0);
        var accountant = new RdpAccountant([new PrivacyCharge(256 / 60_000.0, sigma, steps)], orders);
        double classic = Enumerable.Range(0, orders.Length).Min(i => accountant.Rdp[i] - Math.Log(1e-5) / (orders[i] - 1));
        Assert.Equal(published, Math.Round(classic, 2));
        // Balle et al.'s conversion, the accountant's, is tighter.
        Assert.True(accountant.Epsilon(1e-5).Epsilon < classic);
    }

    [Fact(DisplayName = "The Gaussian mechanism with σ = 4.530877117 must be (1, 10⁻⁶)-DP, as published for the exact Gaussian")]
    public void Calibrated_gaussian_must_give_epsilon_one()
    {
        // test_compute_epsilon_delta_gaussian: σ = 4.530877117 is exactly (1, 1e-6)-DP (Balle and Wang 2018), and the
        // RDP conversion over orders 1.001 … 99.999 reaches ε = 1 to 7 places.
        var accountant = new RdpAccountant([new PrivacyCharge(1, 4.530877117, 1)], FineOrders());
        Assert.Equal(1, accountant.Epsilon(1e-6).Epsilon, 1e-7);
    }

    [Fact(DisplayName = "Calibration must find σ = 4.530877 for (1, 10⁻⁶) without subsampling, and the smallest σ that meets a target")]
    public void Noise_calibration()
    {
        var (sigma, g) = NoiseCalibration.NoiseMultiplier(1, 1, 1e-6, 1.0, FineOrders());
        Assert.Equal(4.530877117, sigma, 1e-4);
        Assert.True(g.Epsilon <= 1.0);

        var (s2, g2) = NoiseCalibration.NoiseMultiplier(0.01, 1000, 1e-5, 2.0);
        Assert.True(g2.Epsilon <= 2.0);
        var below = new RdpAccountant([new PrivacyCharge(0.01, s2 * (1 - 1e-5), 1000)]).Epsilon(1e-5);
        Assert.True(below.Epsilon > 2.0 - 1e-4, $"σ = {s2} is not the smallest: {s2 * (1 - 1e-5)} gives ε = {below.Epsilon}");
        Assert.Equal(0, NoiseCalibration.NoiseMultiplier(0, 1000, 1e-5, 2.0).NoiseMultiplier);
    }

    [Fact(DisplayName = "Composition must add RDP: T single steps equal one charge of T steps, and two mechanisms add")]
    public void Composition_must_add()
    {
        var oneByOne = new RdpAccountant();
        for (int i = 0; i < 1000; i++) oneByOne.Compose(new PrivacyCharge(0.02, 1.3, 1));
        var atOnce = new RdpAccountant([new PrivacyCharge(0.02, 1.3, 1000)]);
        Assert.Equal(atOnce.Rdp.ToArray(), oneByOne.Rdp.ToArray());
        Assert.Equal(atOnce.Epsilon(1e-5), oneByOne.Epsilon(1e-5));

        var single = new RdpAccountant([new PrivacyCharge(0.02, 1.3, 1)]);
        var other = new RdpAccountant([new PrivacyCharge(1, 7.0, 3)]);
        var both = new RdpAccountant([new PrivacyCharge(0.02, 1.3, 1000), new PrivacyCharge(1, 7.0, 3)]);
        for (int i = 0; i < both.Orders.Count; i++)
        {
            Assert.Equal(1000 * single.Rdp[i], atOnce.Rdp[i], 1e-12 * atOnce.Rdp[i]);
            Assert.Equal(3 * both.Orders[i] / (2 * 49.0), other.Rdp[i], 1e-15);
            Assert.Equal(atOnce.Rdp[i] + other.Rdp[i], both.Rdp[i], 1e-15);
        }
    }

    [Fact(DisplayName = "An accountant rebuilt from its ledger must report bit for bit the same ε, and a what-if must not charge")]
    public void Ledger_round_trip()
    {
        var live = new RdpAccountant();
        for (int i = 0; i < 300; i++)
            live.Compose(new PrivacyCharge(i % 3 == 0 ? 0.01 : 0.02, i < 150 ? 1.1 : 0.9, 1));
        Assert.Equal(4, live.Ledger.Count);
        var rebuilt = new RdpAccountant(live.Ledger.ToArray());
        Assert.Equal(live.Epsilon(1e-6), rebuilt.Epsilon(1e-6));

        var next = new PrivacyCharge(0.02, 0.9, 1);
        var whatIf = live.EpsilonAfter(next, 1e-6);
        Assert.Equal(rebuilt.Epsilon(1e-6), live.Epsilon(1e-6));
        live.Compose(next);
        Assert.Equal(whatIf, live.Epsilon(1e-6));
        Assert.True(whatIf.Epsilon > rebuilt.Epsilon(1e-6).Epsilon);
    }

    [Fact(DisplayName = "No sampling must cost ε = 0 and no noise ε = ∞")]
    public void Degenerate_charges()
    {
        Assert.Equal(0, new RdpAccountant([new PrivacyCharge(0, 1.0, 100)]).Epsilon(1e-10).Epsilon);
        Assert.Equal(0, new RdpAccountant().Epsilon(1e-10).Epsilon);
        Assert.True(double.IsPositiveInfinity(new RdpAccountant([new PrivacyCharge(0.5, 0, 1)]).Epsilon(0.1).Epsilon));
    }

    [Theory(DisplayName = "The accountant must refuse a δ outside (0, 1) and charges it cannot compose, naming them")]
    [InlineData(0.1, 1.0, 1, 0.0, "δ")]
    [InlineData(0.1, 1.0, 1, 1.0, "δ")]
    [InlineData(1.2, 1.0, 1, 1e-5, "sampling rate")]
    [InlineData(0.1, double.PositiveInfinity, 1, 1e-5, "noise multiplier")]
    [InlineData(0.1, 1.0, -1, 1e-5, "steps")]
    public void Bad_input_must_be_refused(double q, double sigma, long steps, double delta, string named)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => new RdpAccountant([new PrivacyCharge(q, sigma, steps)]).Epsilon(delta));
        Assert.Contains(named, e.Message);
    }
}
