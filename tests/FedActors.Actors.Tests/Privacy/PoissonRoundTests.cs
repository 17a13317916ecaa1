using FedActors.Actors.Aggregation;
using FedActors.Actors.Coordination;
using FedActors.Actors.Privacy;
using FedActors.Actors.Simulation;
using FedActors.Actors.Tests.Coordination;

namespace FedActors.Actors.Tests.Privacy;

/// <summary>FedAvg rounds by Poisson sampling: the one selection whose central DP is accounted with amplification.</summary>
public sealed class PoissonRoundTests
{
    private static ClientPicker Picker(int population = 1000, ulong seed = 3) =>
        new(seed, population, new DeviceProfiles(DeviceSettings.Default, seed));

    [Fact(DisplayName = "A Poisson sample must draw each client independently at rate q, in ascending order, from (seed, round) alone")]
    public void Sample_is_a_coin_per_client()
    {
        const int population = 1000, rounds = 2000;
        const double q = 0.05;
        var picker = Picker(population);
        var hits = new int[population];
        var sizes = new List<int>();
        for (long round = 1; round <= rounds; round++)
        {
            var sample = picker.PoissonSample(round, q);
            Assert.Equal(sample.Order(), sample);
            Assert.Equal(sample.Count, sample.Distinct().Count());
            foreach (var c in sample) hits[c]++;
            sizes.Add(sample.Count);
        }
        // Size: Binomial(1000, 0.05), mean 50, variance 47.5; the mean of 2,000 rounds is within 0.7 of 50 (4.5 σ).
        Assert.Equal(50, sizes.Average(), 0.7);
        double variance = sizes.Select(s => (s - sizes.Average()) * (s - sizes.Average())).Sum() / (rounds - 1);
        Assert.InRange(variance, 47.5 * 0.85, 47.5 * 1.15);
        // Each client: Binomial(2000, 0.05), mean 100, σ 9.7; over 1,000 clients none strays beyond 6 σ.
        Assert.All(hits, h => Assert.InRange(h, 100 - 59, 100 + 59));
        Assert.Equal(picker.PoissonSample(17, q), Picker(population).PoissonSample(17, q));
        Assert.NotEqual(picker.PoissonSample(17, q), picker.PoissonSample(18, q));
        Assert.Equal(Enumerable.Range(0, population), picker.PoissonSample(5, 1.0));
    }

    [Fact(DisplayName = "A Poisson round with uniform weights must divide its sum by the expected size n, and flush zero when empty")]
    public void Round_divides_by_the_expected_size()
    {
        var fedavg = FedAvgSettings.Default with { ClientsPerRound = 4, Poisson = true, Weighting = UpdateWeighting.Uniform };
        var strategy = fedavg.Create(2);
        Assert.False(strategy.IsStepDue);
        for (int c = 0; c < 6; c++) Assert.Equal(AdmissionKind.Accepted, strategy.Offer(new ClientContribution([2f, 4f], new float[2], 10, 0, c)).Kind);
        Assert.False(strategy.IsStepDue); // a Poisson round closes on its jobs, never at a count
        var aggregate = new float[2];
        Assert.Equal(AggregateKind.PseudoGradient, strategy.Aggregate(new float[2], aggregate));
        // Six updates of (2, 4) divided by n = 4, not by 6.
        Assert.Equal([3f, 6f], aggregate);
        Assert.Equal(AggregateKind.PseudoGradient, strategy.Aggregate(new float[2], aggregate));
        Assert.Equal([0f, 0f], aggregate);
    }

    [Fact(DisplayName = "Central DP over a Poisson round must add noise z·C/n on the mean even when nobody reported")]
    public void Empty_round_releases_its_noise()
    {
        const int dimension = 40_000, n = 8;
        var fedavg = FedAvgSettings.Default with { ClientsPerRound = n, Poisson = true, Weighting = UpdateWeighting.Uniform };
        var dp = new CentralDp(fedavg.Create(dimension), new CentralDpSettings(0.5, 4, new ConstantStaleness(), 7) { FixedDivisor = n });
        Assert.True(((Participation.Rounds)dp.Participation).StepsWhenEmpty);
        var aggregate = new float[dimension];
        dp.PrepareStep(1);
        Assert.Equal(AggregateKind.PseudoGradient, dp.Aggregate(new float[dimension], aggregate));
        double std = Math.Sqrt(aggregate.Sum(v => (double)v * v) / dimension);
        // z·C/n = 4 · 0.5 / 8 = 0.25; 40,000 draws put the sample deviation within 1.5 %.
        Assert.Equal(0.25, std, 0.25 * 0.015);
    }

    [Fact(DisplayName = "Poisson rounds must be accounted over all steps at q = n/N, and a budget must stop before the step past it")]
    public void Accounting_over_steps_with_amplification()
    {
        var privacy = PrivacySettings.Default with { Mode = PrivacyMode.Central, NoiseMultiplier = 1.1, Delta = 1e-5, PoissonSampleSize = 60 };
        var accounting = ClientLevelAccounting.For(privacy, 60_000)!;
        Assert.Equal(0.001, accounting.SamplingRate);
        // Whatever one client's participation, ε is the subsampled Gaussian's over the steps.
        var expected = new RdpAccountant([new PrivacyCharge(0.001, 1.1, 500)]).Epsilon(1e-5).Epsilon;
        Assert.Equal(expected, accounting.Spent(500, participations: 3).Epsilon);
        // 500 subsampled steps cost less than three unamplified contributions of one client.
        Assert.True(expected < new RdpAccountant([new PrivacyCharge(1, 1.1, 3)]).Epsilon(1e-5).Epsilon);

        var budgeted = accounting with { TargetEpsilon = accounting.Spent(700, 0).Epsilon + 1e-9 };
        Assert.Equal(700, budgeted.StepBudget());
        Assert.Null(budgeted.ParticipationBudget());
        Assert.Null(ClientLevelAccounting.For(privacy with { PoissonSampleSize = null, TargetEpsilon = 1 }, 60_000)!.StepBudget());
    }

    [Fact(DisplayName = "A core with Poisson rounds must dispatch only drawn clients, close each round when its jobs are resolved, and stop at the step budget")]
    public void Core_runs_poisson_rounds_to_the_step_budget()
    {
        var privacy = PrivacySettings.Default with { Mode = PrivacyMode.Central, NoiseMultiplier = 2, Delta = 1e-5, PoissonSampleSize = 5 };
        var accounting = ClientLevelAccounting.For(privacy, 50)!;
        privacy = privacy with { TargetEpsilon = (accounting.Spent(6, 0).Epsilon + accounting.Spent(7, 0).Epsilon) / 2 };
        var run = RunSettings.Default with { MaxServerSteps = 1000, EvalEverySteps = 1000, TargetAccuracy = null, Privacy = privacy };
        var fedavg = FedAvgSettings.Default with { ClientsPerRound = 5, Poisson = true, Weighting = UpdateWeighting.Uniform };
        var d = new CoreDriver(WrappedStrategySettings.Around(fedavg, new CentralDpSettings(1, 2, new ConstantStaleness(), 11) { FixedDivisor = 5 }),
            run: run, population: 50);
        var picker = new ClientPicker(run.Seed, 50, new DeviceProfiles(CoreDriver.Sim().Device, run.Seed));
        for (long round = 1; d.Finished.Count == 0; round++)
        {
            Assert.True(round < 20, "the run must stop at its step budget");
            var drawn = picker.PoissonSample(round, 0.1);
            Assert.Equal(drawn, d.Outstanding.Select(j => j.ClientId).Order());
            // Answering the round's last job closes it and opens the next round, whose jobs join the list.
            for (int answered = 0; answered < drawn.Count; answered++) d.Answer(0);
            Assert.Equal(round, d.Core.Current.Number);
            foreach (var e in d.EvaluationRequests.Where(e => d.Core.IsAwaitingEvaluation(e.ServerStep)).ToList()) d.Evaluate(e.ServerStep, 0.5);
        }
        Assert.Equal(RunStatus.BudgetExhausted, d.Finished[0].Status);
        Assert.Equal(6, d.Core.Current.Number);
    }

    [Fact(DisplayName = "Poisson cohorts must dispatch each cohort's drawn clients at one version, skip busy ones, and step once per cohort")]
    public void Core_runs_poisson_cohorts()
    {
        var privacy = PrivacySettings.Default with { Mode = PrivacyMode.Central, NoiseMultiplier = 0, Delta = 1e-5, PoissonSampleSize = 10 };
        var run = RunSettings.Default with { MaxServerSteps = 1000, EvalEverySteps = 1000, TargetAccuracy = null, Privacy = privacy };
        var fedbuff = FedBuffSettings.Default with { CohortSize = 10, CohortsInFlight = 2, PoissonCohorts = true, Weighting = UpdateWeighting.Uniform };
        var d = new CoreDriver(WrappedStrategySettings.Around(fedbuff, new CentralDpSettings(100, 0, new ConstantStaleness(), 11) { FixedDivisor = 10 }),
            run: run, population: 40);
        var picker = new ClientPicker(run.Seed, 40, new DeviceProfiles(CoreDriver.Sim().Device, run.Seed));
        var first = picker.PoissonSample(1, 0.25);
        // Cohort 2 is drawn with cohort 1's members still training: they sit it out.
        var second = picker.PoissonSample(2, 0.25).Except(first).ToList();
        Assert.Equal(first.Concat(second), d.Outstanding.Select(j => j.ClientId));
        Assert.All(d.Outstanding, j => Assert.Equal(0, j.Base.Number));
        for (int i = 0; i < first.Count; i++) d.Answer(0, value: 2f);
        Assert.Equal(1, d.Core.Current.Number);
        // The cohort's updates of 2 summed and divided by the expected size 10, not by the count that came.
        Assert.Equal(2f * first.Count / 10, d.Core.Current.Weights[0], 5);
    }
}
