using System.Text.Json;
using FedActors.Actors.Privacy;
using FedActors.Host.Runs;

namespace FedActors.Host.Tests.Privacy;

/// <summary>A run with central DP: its noise is seeded, and its ε is that of its most frequent contributor.</summary>
[Collection(BitwiseTrainingCollection.Name)]
public class CentralDpRunSpecs
{
    private static Task<string> RunAsync(TempDir dir, string outDir, params string[] extra) =>
        DpRun.RunAsync(dir, outDir, [
            "--set", "fedactors.server.weighting=uniform", "--set", "fedactors.privacy.mode=central",
            "--set", "fedactors.privacy.clip-norm=0.1", "--set", "fedactors.privacy.noise-multiplier=1.5", .. extra]);

    [Fact(DisplayName = "A central-DP run must report the ε of its most frequent client, in summary.json and in metrics.csv, with seeded noise")]
    public async Task Run_must_report_its_epsilon()
    {
        using var dir = new TempDir();
        var run = await RunAsync(dir, "a");
        var summary = await RunSummary.ReadAsync(Path.Combine(run, "summary.json"), CancellationToken.None);
        Assert.Equal("central", summary.Privacy);
        // δ = 1/N^1.1 for N = 20 clients.
        Assert.Equal(Math.Pow(20, -1.1), summary.Delta!.Value, 1e-15);

        // diagnostics.csv's max_participation at the last step is what the accounting composes over.
        var last = File.ReadAllLines(Path.Combine(run, "diagnostics.csv"))[^1].Split(',');
        int participations = int.Parse(last[6], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(participations, 1, 12);
        var expected = new RdpAccountant([new PrivacyCharge(1, 1.5, participations)]).Epsilon(Math.Pow(20, -1.1)).Epsilon;
        Assert.Equal(expected, summary.Epsilon!.Value, 1e-12);

        var rows = MetricsCsv.Read(Path.Combine(run, "metrics.csv"));
        Assert.Equal(expected, rows[^1].Epsilon!.Value, 1e-12);
        Assert.Equal(0, rows[0].Epsilon);
        for (int i = 1; i < rows.Count; i++) Assert.True(rows[i].Epsilon >= rows[i - 1].Epsilon);

        var again = await RunSummary.ReadAsync(Path.Combine(await RunAsync(dir, "b"), "summary.json"), CancellationToken.None);
        Assert.Equal(summary.ModelSha256, again.ModelSha256);
        var moreNoise = await RunSummary.ReadAsync(Path.Combine(await RunAsync(dir, "c", "--set", "fedactors.privacy.noise-multiplier=1.6"), "summary.json"),
            CancellationToken.None);
        Assert.NotEqual(summary.ModelSha256, moreNoise.ModelSha256);

        // compare shows the privacy figures and adds a panel of accuracy against ε to its plot.
        var (code, output, err) = await CommandRunner.RunAsync(dir.Path, "compare", run, Path.Combine(dir.Path, "c"), "--out", "both.png");
        Assert.True(code == 0, err);
        Assert.Matches(@"(?m)^epsilon\s+\d", output);
        Assert.Matches(@"(?m)^privacy\s+central\s+central", output);
        var png = await File.ReadAllBytesAsync(Path.Combine(dir.Path, "both.png"));
        int width = (png[16] << 24) | (png[17] << 16) | (png[18] << 8) | png[19];
        Assert.Equal(4 * ComparisonPlot.PanelWidth, width);
    }

    [Fact(DisplayName = "A central-DP run with a target ε must stop with budget_exhausted before any client contributes past it")]
    public async Task Run_must_stop_at_its_budget()
    {
        using var dir = new TempDir();
        // Between the ε of two and of three contributions: each client may contribute to two steps.
        await DpRun.StopsAfterTwoContributionsAsync(dir, new ClientLevelAccounting(1.5, Math.Pow(20, -1.1)), RunAsync);
        Assert.Contains("\"status\": \"budget_exhausted\"", File.ReadAllText(Path.Combine(dir.Path, "b", "summary.json")));
    }

    [Fact(DisplayName = "A FedAvg round that selects 5 of 20 clients must be accounted without amplification, never as a subsampled step")]
    public async Task Rounds_of_a_fixed_size_earn_no_amplification()
    {
        using var dir = new TempDir();
        var run = await RunAsync(dir, "avg", "--set", "fedactors.server.algorithm=fedavg", "--set", "fedactors.server.clients-per-round=5");
        var summary = await RunSummary.ReadAsync(Path.Combine(run, "summary.json"), CancellationToken.None);
        double delta = Math.Pow(20, -1.1);
        int participations = int.Parse(File.ReadAllLines(Path.Combine(run, "diagnostics.csv"))[^1].Split(',')[6], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(new ClientLevelAccounting(1.5, delta).After(participations).Epsilon, summary.Epsilon!.Value, 1e-12);
        // What a Poisson-subsampled account of the 12 rounds at q = 5/20 would claim: less, and not earned.
        var subsampled = new RdpAccountant([new PrivacyCharge(0.25, 1.5, 12)]).Epsilon(delta).Epsilon;
        Assert.True(summary.Epsilon > subsampled, $"ε {summary.Epsilon} must exceed the unearned subsampled {subsampled}");
    }

    [Theory(DisplayName = "Poisson sampling (FedAvg rounds, FedBuff cohorts) must be accounted over its steps at q = n/N, with amplification, and repeat bit for bit")]
    [InlineData(0.25, new[] { "fedactors.server.algorithm=fedavg", "fedactors.server.clients-per-round=5", "fedactors.server.selection=poisson" })]
    [InlineData(0.2, new[] { "fedactors.server.cohorts.size=4", "fedactors.server.cohorts.in-flight=2", "fedactors.server.cohorts.selection=poisson" })]
    public async Task Poisson_sampling_earns_amplification(double q, string[] server)
    {
        using var dir = new TempDir();
        string[] Sets() => server.SelectMany(s => new[] { "--set", s }).ToArray();
        var run = await RunAsync(dir, "poisson", Sets());
        var summary = await RunSummary.ReadAsync(Path.Combine(run, "summary.json"), CancellationToken.None);
        Assert.Equal(12, summary.ServerSteps);
        double delta = Math.Pow(20, -1.1);
        Assert.Equal(new RdpAccountant([new PrivacyCharge(q, 1.5, 12)]).Epsilon(delta).Epsilon, summary.Epsilon!.Value, 1e-12);
        var rows = MetricsCsv.Read(Path.Combine(run, "metrics.csv"));
        Assert.Equal(new RdpAccountant([new PrivacyCharge(q, 1.5, 4)]).Epsilon(delta).Epsilon, rows.Single(r => r.ServerStep == 4).Epsilon!.Value, 1e-12);
        // The coin flips come from the seed and the round or cohort.
        var again = await RunSummary.ReadAsync(Path.Combine(await RunAsync(dir, "again", Sets()), "summary.json"), CancellationToken.None);
        Assert.Equal(summary.ModelSha256, again.ModelSha256);
    }

    [Fact(DisplayName = "A run without DP must write null privacy keys and no epsilon column")]
    public async Task Run_without_dp_has_null_keys()
    {
        using var dir = new TempDir();
        var (code, _, err) = await CommandRunner.RunAsync(dir.Path, "run", "--plain", "--out", "n",
            "--set", "fedactors.data.dataset=synthetic", "--set", "fedactors.model.name=logreg", "--set", "fedactors.population.clients=20",
            "--set", "fedactors.run.max-server-steps=2", "--set", "fedactors.server.concurrency=4", "--set", "fedactors.server.buffer-size=2",
            "--set", "fedactors.persistence.provider=memory", "--set", "fedactors.client.local-steps=2");
        Assert.True(code == 0, err);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.Path, "n", "summary.json")));
        foreach (var key in new[] { "privacy", "epsilon", "delta" })
            Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty(key).ValueKind);
        Assert.Equal(MetricsCsv.Header, File.ReadAllLines(Path.Combine(dir.Path, "n", "metrics.csv"))[0]);
    }

    [Fact(DisplayName = "A DP run with sample weights must be refused with the key to change")]
    public async Task Sample_weights_must_be_refused()
    {
        using var dir = new TempDir();
        var (code, _, err) = await CommandRunner.RunAsync(dir.Path, "run", "--plain", "--out", "w",
            "--set", "fedactors.data.dataset=synthetic", "--set", "fedactors.privacy.mode=central");
        Assert.NotEqual(0, code);
        Assert.Contains("fedactors.server.weighting = uniform", err);
        Assert.False(File.Exists(Path.Combine(dir.Path, "w", "summary.json")));
    }
}
