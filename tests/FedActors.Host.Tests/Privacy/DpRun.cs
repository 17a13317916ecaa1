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
}
