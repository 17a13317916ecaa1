using FedActors.Actors.Aggregation;

namespace FedActors.Actors.Tests.Aggregation;

public sealed class ServerOptimizerTests
{
    // Shared example: x_0 = [1, −1], Δ_1 = [0.5, −0.25], Δ_2 = [0.25, 0.5].
    private static readonly float[] X0 = [1f, -1f];
    private static readonly float[] Delta1 = [0.5f, -0.25f];
    private static readonly float[] Delta2 = [0.25f, 0.5f];
    private const int Precision = 5;

    private static (float[] X1, float[] X2) TwoSteps(IServerOptimizer optimizer)
    {
        var x1 = new float[2];
        var x2 = new float[2];
        optimizer.Step(X0, Delta1, x1);
        optimizer.Step(x1, Delta2, x2);
        return (x1, x2);
    }

    private static void AssertClose(double[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], Precision);
    }

    [Fact]
    public void ServerSgd_with_eta_one_must_be_FedAvg()
    {
        var (x1, x2) = TwoSteps(new ServerSgd(2, eta: 1.0));

        AssertClose([1.5, -1.25], x1);  // x0 + Δ1
        AssertClose([1.75, -0.75], x2); // x1 + Δ2
    }

    [Fact]
    public void ServerSgd_must_scale_the_pseudo_gradient_by_eta()
    {
        var (x1, x2) = TwoSteps(new ServerSgd(2, eta: 0.5));

        AssertClose([1.25, -1.125], x1);  // x0 + ½Δ1
        AssertClose([1.375, -0.875], x2); // x1 + ½Δ2
    }

    [Fact]
    public void ServerMomentum_must_accumulate_momentum_as_FedAvgM()
    {
        var optimizer = new ServerMomentum(2, eta: 1.0, beta: 0.9);

        var (x1, x2) = TwoSteps(optimizer);

        // m1 = Δ1 = [0.5, −0.25];              x1 = [1.5, −1.25]
        // m2 = 0.9·m1 + Δ2 = [0.7, 0.275];     x2 = [2.2, −0.975]
        AssertClose([1.5, -1.25], x1);
        AssertClose([2.2, -0.975], x2);
        AssertClose([0.7, 0.275], optimizer.State.M!);
        Assert.Equal(2, optimizer.State.Steps);
    }

    [Fact]
    public void FedAdam_with_Flower_initial_v_must_match_hand_computed_steps()
    {
        var optimizer = new FedAdam(2, eta: 0.1, beta1: 0.9, beta2: 0.99, tau: 0.1, initialV: 0);

        var (x1, x2) = TwoSteps(optimizer);

        // Step 1: m = 0.1·Δ1 = [0.05, −0.025]; v = 0.01·Δ1² = [0.0025, 0.000625]; √v = [0.05, 0.025]
        //         x1 = x0 + 0.1·m/(√v + 0.1) = [1 + 0.1·0.05/0.15, −1 − 0.1·0.025/0.125] = [1.033333, −1.02]
        // Step 2: m = 0.9·m + 0.1·Δ2 = [0.07, 0.0275]; v = 0.99·v + 0.01·Δ2² = [0.0031, 0.00311875]
        //         x2 = x1 + 0.1·m/(√v + 0.1) = [1.033333 + 0.1·0.07/0.155678, −1.02 + 0.1·0.0275/0.155846]
        AssertClose([1.0333333, -1.02], x1);
        AssertClose([1.0782980, -1.0023543], x2);
    }

    [Fact]
    public void FedAdam_must_start_v_at_tau_squared_as_the_paper_does()
    {
        var optimizer = new FedAdam(2, eta: 0.1, beta1: 0.9, beta2: 0.99, tau: 0.1);

        var (x1, x2) = TwoSteps(optimizer);

        // Step 1: v = 0.99·0.01 + 0.01·Δ1² = [0.0124, 0.010525]; m = [0.05, −0.025]
        //         x1 = [1 + 0.1·0.05/(0.111355 + 0.1), −1 − 0.1·0.025/(0.102591 + 0.1)] = [1.023657, −1.012340]
        // Step 2: v = 0.99·v + 0.01·Δ2² = [0.012901, 0.01291975]; m = [0.07, 0.0275]
        //         x2 = [1.023657 + 0.1·0.07/0.213582, −1.012340 + 0.1·0.0275/0.213665] = [1.056431, −0.999469]
        Assert.Equal(0.01f, optimizer.InitialV, 6);
        AssertClose([1.0236568, -1.0123401], x1);
        AssertClose([1.0564311, -0.9994695], x2);
    }

    [Fact]
    public void FedYogi_must_match_hand_computed_steps()
    {
        var optimizer = new FedYogi(2, eta: 0.1, beta1: 0.9, beta2: 0.99, tau: 0.1);

        var (x1, x2) = TwoSteps(optimizer);

        // Step 1: v0 = τ² = 0.01 < Δ1² = [0.25, 0.0625], so sign = −1 and v grows by 0.01·Δ1²:
        //         v = [0.0125, 0.010625]; m = [0.05, −0.025]
        //         x1 = [1 + 0.1·0.05/(0.111803 + 0.1), −1 − 0.1·0.025/(0.103078 + 0.1)] = [1.023607, −1.012311]
        // Step 2: v < Δ2² = [0.0625, 0.25] again: v = [0.0125 + 0.000625, 0.010625 + 0.0025] = [0.013125, 0.013125]
        //         m = [0.07, 0.0275]; x2 = [1.023607 + 0.1·0.07/0.214564, −1.012311 + 0.1·0.0275/0.214564]
        AssertClose([1.0236068, -1.0123106], x1);
        AssertClose([1.0562310, -0.9994939], x2);
        AssertClose([0.013125, 0.013125], optimizer.State.V!);
    }

    [Fact]
    public void FedYogi_must_shrink_v_when_it_exceeds_delta_squared()
    {
        var optimizer = new FedYogi(1, eta: 0.1, beta1: 0.0, beta2: 0.5, tau: 0.1, initialV: 1.0);

        optimizer.Step([0f], [0.5f], new float[1]);

        // v = 1 − 0.5·0.25·sign(1 − 0.25) = 0.875
        Assert.Equal(0.875f, optimizer.State.V![0], 6);
    }

    [Fact]
    public void FedAdagrad_must_match_hand_computed_steps()
    {
        var optimizer = new FedAdagrad(2, eta: 0.1, beta1: 0.9, tau: 0.1);

        var (x1, x2) = TwoSteps(optimizer);

        // Step 1: v = 0.01 + Δ1² = [0.26, 0.0725]; m = [0.05, −0.025]
        //         x1 = [1 + 0.1·0.05/(0.509902 + 0.1), −1 − 0.1·0.025/(0.269258 + 0.1)] = [1.008198, −1.006770]
        // Step 2: v = v + Δ2² = [0.3225, 0.3225]; m = [0.07, 0.0275]
        //         x2 = [1.008198 + 0.1·0.07/0.667891, −1.006770 + 0.1·0.0275/0.667891] = [1.018679, −1.002653]
        AssertClose([1.0081980, -1.0067703], x1);
        AssertClose([1.0186788, -1.0026529], x2);
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("fedavgm")]
    [InlineData("fedadam")]
    [InlineData("fedyogi")]
    [InlineData("fedadagrad")]
    public void Server_optimizer_state_round_trip_must_continue_bit_identically(string name)
    {
        const int dimension = 37; // not a multiple of any vector width: exercises the scalar tails
        var random = new Random(7);
        float[][] deltas = [.. Enumerable.Range(0, 4).Select(_ => Enumerable.Range(0, dimension).Select(_ => (float)random.NextDouble() - 0.5f).ToArray())];
        var parameters = new ServerOptimizerParameters(Eta: 0.3, Tau: 0.01);
        var uninterrupted = ServerOptimizers.Create(name, dimension, parameters);
        var interrupted = ServerOptimizers.Create(name, dimension, parameters);
        float[] a = new float[dimension], b = new float[dimension];

        for (int t = 0; t < 2; t++) { interrupted.Step(b, deltas[t], a); (a, b) = (b, a); }
        var snapshot = interrupted.State;
        var restored = ServerOptimizers.Create(name, dimension, parameters);
        restored.Restore(snapshot);
        for (int t = 2; t < 4; t++) { restored.Step(b, deltas[t], a); (a, b) = (b, a); }
        float[] c = new float[dimension], d = new float[dimension];
        for (int t = 0; t < 4; t++) { uninterrupted.Step(d, deltas[t], c); (c, d) = (d, c); }

        Assert.Equal(d, b);
        Assert.Equal(uninterrupted.State.Steps, restored.State.Steps);
        Assert.Equal(uninterrupted.State.M, restored.State.M);
        Assert.Equal(uninterrupted.State.V, restored.State.V);
    }

    [Fact]
    public void Server_optimizer_must_refuse_another_optimizers_state()
    {
        var adam = new FedAdam(2, eta: 0.1);
        var yogi = new FedYogi(2, eta: 0.1);

        var error = Assert.Throws<ArgumentException>(() => adam.Restore(yogi.State));

        Assert.Contains("fedyogi", error.Message);
        Assert.Throws<ArgumentException>(() => new FedAdam(3, eta: 0.1).Restore(adam.State));
    }

    [Fact]
    public void Server_optimizer_must_refuse_a_next_buffer_that_overlaps_its_inputs()
    {
        var optimizer = new FedAdam(2, eta: 0.1);
        float[] x = [1, 2];

        Assert.Throws<ArgumentException>(() => optimizer.Step(x, [0.1f, 0.1f], x));
    }

    [Fact]
    public void Server_optimizers_must_validate_hyperparameters()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ServerSgd(2, eta: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ServerMomentum(2, eta: 1, beta: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FedAdam(2, eta: 0.1, tau: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FedYogi(2, eta: 0.1, beta2: -0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FedAdagrad(2, eta: 0.1, initialV: -1));
    }

    [Fact]
    public void ServerOptimizers_must_build_each_by_name_and_list_valid_names()
    {
        foreach (var name in ServerOptimizers.Names)
            Assert.Equal(name, ServerOptimizers.Create(name, 4).Name);
        var error = Assert.Throws<ArgumentException>(() => ServerOptimizers.Create("fedlamb", 4));
        Assert.Contains("'sgd', 'fedavgm', 'fedadam', 'fedyogi', 'fedadagrad'", error.Message);
    }
}
