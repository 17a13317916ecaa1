using FedActors.Actors.Privacy;
using FedActors.Host.Runs;

namespace FedActors.Host.Tests.Privacy;

/// <summary>The small synthetic run the DP specs vary: 20 clients, logreg, 12 FedBuff steps of 3, in memory.</summary>
internal static class DpRun
{
    /// <summary>Runs it into <paramref name="outDir"/> under <paramref name="dir"/> with <paramref name="extra"/> arguments; fails the test if it fails.</summary>
    public static async Task<string> RunAsync(TempDir dir, string outDir, string[] extra)
    {
        var (code, _, err) = await CommandRunner.RunAsync(dir.Path, [
            "run", "--plain", "--out", outDir,
            "--set", "fedactors.data.dataset=synthetic", "--set", "fedactors.model.name=logreg", "--set", "fedactors.population.clients=20",
            "--set", "fedactors.run.max-server-steps=12", "--set", "fedactors.run.eval-every-steps=4", "--set", "fedactors.server.concurrency=4",
            "--set", "fedactors.server.buffer-size=3", "--set", "fedactors.persistence.provider=memory", "--set", "fedactors.client.local-steps=2", .. extra]);
        Assert.True(code == 0, err);
        return Path.Combine(dir.Path, outDir);
    }

    /// <summary>
    /// Runs <paramref name="run"/> for up to 200 steps with a target ε between that of two and of three contributions
    /// under <paramref name="accounting"/>, and checks that it stopped with budget_exhausted at the ε of two.
    /// </summary>
    public static async Task<RunSummary> StopsAfterTwoContributionsAsync(TempDir dir, ClientLevelAccounting accounting,
        Func<TempDir, string, string[], Task<string>> run)
    {
        double target = (accounting.After(2).Epsilon + accounting.After(3).Epsilon) / 2;
        var outDir = await run(dir, "b", ["--set", "fedactors.run.max-server-steps=200",
            "--set", FormattableString.Invariant($"fedactors.privacy.target-epsilon={target:R}")]);
        var summary = await RunSummary.ReadAsync(Path.Combine(outDir, "summary.json"), CancellationToken.None);
        Assert.Equal(RunStatus.BudgetExhausted, summary.Status);
        Assert.InRange(summary.ServerSteps, 1, 199);
        Assert.Equal(accounting.After(2).Epsilon, summary.Epsilon!.Value, 1e-12);
        Assert.True(summary.Epsilon <= target);
        return summary;
    }
}
