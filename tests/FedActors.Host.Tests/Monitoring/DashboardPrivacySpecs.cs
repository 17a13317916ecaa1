using System.Globalization;
using FedActors.Host.Runs;
using OpenQA.Selenium;

namespace FedActors.Host.Tests.Monitoring;

/// <summary>The dashboard of a run with differential privacy shows the ε it spent; a run without DP shows no ε.</summary>
public sealed class DashboardPrivacySpecs
{
    private static async Task RunAsync(TempDir dir, string outDir, params string[] extra)
    {
        var (code, _, err) = await CommandRunner.RunAsync(dir.Path, [
            "run", "--plain", "--out", outDir,
            "--set", "fedactors.data.dataset=synthetic", "--set", "fedactors.model.name=logreg", "--set", "fedactors.population.clients=20",
            "--set", "fedactors.run.max-server-steps=12", "--set", "fedactors.run.eval-every-steps=4", "--set", "fedactors.server.concurrency=4",
            "--set", "fedactors.server.buffer-size=3", "--set", "fedactors.persistence.provider=memory", "--set", "fedactors.client.local-steps=2",
            "--set", "fedactors.server.weighting=uniform", .. extra]);
        Assert.True(code == 0, err);
    }

    [Fact]
    public async Task A_dp_run_page_must_show_the_epsilon_of_its_last_evaluation_and_a_run_without_dp_none()
    {
        using var dir = new TempDir();
        await RunAsync(dir, "dp", "--set", "fedactors.privacy.mode=central", "--set", "fedactors.privacy.noise-multiplier=1.5");
        await RunAsync(dir, "plain");
        var last = MetricsCsv.Read(Path.Combine(dir.Path, "dp", "metrics.csv"))[^1];

        foreach (var (run, epsilon) in new[] { ("dp", last.Epsilon), ("plain", null) })
        {
            using var served = Persistence.FedActorsProcess.Start(dir.Path, ["dashboard", Path.Combine(dir.Path, run)]);
            var url = await MonitoredRun.WaitForLineAsync(served, MonitoredRun.DashboardLine(), TimeSpan.FromMinutes(1));
            using (var browser = Browser.Start(Path.Combine(dir.Path, "profile-" + run)))
            {
                browser.Navigate().GoToUrl(url);
                var deadline = DateTime.UtcNow.AddSeconds(30);
                while (browser.FindElement(By.Id("eval-step")).Text != "12" && DateTime.UtcNow < deadline) await Task.Delay(200);
                Assert.Equal("12", browser.FindElement(By.Id("eval-step")).Text);
                var tiles = browser.FindElement(By.Id("privacy-tiles"));
                if (epsilon is double e)
                {
                    Assert.True(tiles.Displayed, "the ε tile must show for a DP run");
                    Assert.Equal(e.ToString("N2", CultureInfo.InvariantCulture), browser.FindElement(By.Id("epsilon")).Text);
                }
                else Assert.False(tiles.Displayed, "a run without DP must show no ε");
            }
            await served.Signal("INT");
            Assert.Equal(0, await served.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        }
    }
}
