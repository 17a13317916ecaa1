using FedActors.Actors.Privacy;
using FedActors.Host.Runs;

namespace FedActors.Host.Tests.Privacy;

/// <summary>A run with local DP: clients noise their own updates, every update sent is charged, any aggregator works.</summary>
[Collection(BitwiseTrainingCollection.Name)]
public class LocalDpRunSpecs
{
    private const double Z = 3.0;

    private static Task<string> RunAsync(TempDir dir, string outDir, params string[] extra) =>
        DpRun.RunAsync(dir, outDir, [
            "--set", "fedactors.privacy.mode=local", "--set", "fedactors.privacy.clip-norm=0.1",
            "--set", FormattableString.Invariant($"fedactors.privacy.noise-multiplier={Z}"), .. extra]);

    [Fact(DisplayName = "A local-DP run must take sample weights and a robust aggregator, and report the ε of z/2 over every update its busiest client sent")]
    public async Task Run_reports_local_epsilon()
    {
        using var dir = new TempDir();
        // The default weighting is sample-weighted, which central DP refuses; post-processing a noised update costs nothing.
        var run = await RunAsync(dir, "a", "--set", "fedactors.server.aggregator=median");
        var summary = await RunSummary.ReadAsync(Path.Combine(run, "summary.json"), CancellationToken.None);
        Assert.Equal("local", summary.Privacy);
        Assert.Equal(RunStatus.Completed, summary.Status);
        double delta = Math.Pow(20, -1.1);
        int sent = int.Parse(File.ReadAllLines(Path.Combine(run, "diagnostics.csv"))[^1].Split(',')[6], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(new RdpAccountant([new PrivacyCharge(1, Z / 2, sent)]).Epsilon(delta).Epsilon, summary.Epsilon!.Value, 1e-12);
        // Updates sent include those still in flight when the run ended: at least the 12 × 3 applied, spread over 20 clients.
        Assert.True(sent >= 2, $"the busiest client sent {sent} updates");

        var again = await RunSummary.ReadAsync(Path.Combine(await RunAsync(dir, "b", "--set", "fedactors.server.aggregator=median"), "summary.json"),
            CancellationToken.None);
        Assert.Equal(summary.ModelSha256, again.ModelSha256);
        var plain = await RunSummary.ReadAsync(Path.Combine(await RunAsync(dir, "c", "--set", "fedactors.server.aggregator=median",
            "--set", "fedactors.privacy.noise-multiplier=0"), "summary.json"), CancellationToken.None);
        Assert.NotEqual(summary.ModelSha256, plain.ModelSha256);
    }

    [Fact(DisplayName = "A local-DP run with a target ε must stop with budget_exhausted before any client sends past it")]
    public async Task Run_stops_at_its_budget()
    {
        using var dir = new TempDir();
        await DpRun.StopsAfterTwoContributionsAsync(dir, new ClientLevelAccounting(Z / 2, Math.Pow(20, -1.1)), RunAsync);
    }
}
