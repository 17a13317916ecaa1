using System.Globalization;
using FedActors.Host.Runs;
using OpenQA.Selenium;

namespace FedActors.Host.Tests.Monitoring;

/// <summary>The dashboard in a real browser: a live run's page shows its numbers as they change, and a finished run's directory serves the same page.</summary>
public sealed class DashboardBrowserSpecs
{
    [Fact]
    public async Task A_live_run_page_must_show_step_and_accuracy_as_they_change_matching_metrics_csv_and_a_finished_run_must_show_its_last_row()
    {
        using var dir = new TempDir();
        var runDir = Path.Combine(dir.Path, "run");
        using var process = MonitoredRun.Start(dir.Path, runDir, "--dashboard");
        var url = await MonitoredRun.WaitForLineAsync(process, MonitoredRun.DashboardLine(), TimeSpan.FromMinutes(2));
        Assert.StartsWith("http://127.0.0.1:", url);

        // What the page showed, read from its DOM while the run went on: (evaluated step, accuracy text), step counter.
        var evaluations = new List<(long Step, string Accuracy)>();
        var counters = new List<long>();
        using (var browser = Browser.Start(Path.Combine(dir.Path, "profile-live")))
        {
            browser.Navigate().GoToUrl(url);
            while (!process.HasExited)
            {
                try
                {
                    // One script reads the three texts at once: between two separate reads the page may render a newer evaluation.
                    var texts = (IReadOnlyCollection<object>)((IJavaScriptExecutor)browser).ExecuteScript(
                        "return ['eval-step', 'accuracy', 'step'].map(id => document.getElementById(id).textContent);")!;
                    var (evalStep, accuracy, step) = (Convert.ToString(texts.ElementAt(0), CultureInfo.InvariantCulture) ?? "",
                        Convert.ToString(texts.ElementAt(1), CultureInfo.InvariantCulture) ?? "", Convert.ToString(texts.ElementAt(2), CultureInfo.InvariantCulture) ?? "");
                    if (long.TryParse(evalStep, NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var e) && (evaluations.Count == 0 || evaluations[^1].Step != e))
                        evaluations.Add((e, accuracy));
                    if (long.TryParse(step, NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var s) && (counters.Count == 0 || counters[^1] != s))
                        counters.Add(s);
                }
                catch (WebDriverException)
                {
                    // The page is between two renders, or the run's server just stopped: read again.
                }
                await Task.Delay(250);
            }
        }
        Assert.Equal(0, await process.WaitForExitAsync(MonitoredRun.Timeout));

        var rows = MetricsCsv.Read(Path.Combine(runDir, "metrics.csv"));
        Assert.True(evaluations.Count >= 3, $"the page showed {evaluations.Count} distinct evaluations without a reload: {string.Join("; ", evaluations)}");
        foreach (var (step, accuracy) in evaluations)
        {
            var row = rows.SingleOrDefault(r => r.ServerStep == step);
            Assert.True(row is not null, $"the page showed an evaluation at step {step} that metrics.csv does not have");
            Assert.Equal(Percent(row!.Accuracy), accuracy);
        }
        Assert.True(counters.Count >= 3, $"the step counter took {counters.Count} distinct values: {string.Join(", ", counters)}");
        Assert.Equal(counters.Order(), counters);
        Assert.InRange(counters[^1], 1, MonitoredRun.Steps);

        // The finished run's directory, served by `fedactors dashboard DIR`, shows its last row and its status.
        using var served = Persistence.FedActorsProcess.Start(dir.Path, ["dashboard", runDir]);
        var finishedUrl = await MonitoredRun.WaitForLineAsync(served, MonitoredRun.DashboardLine(), TimeSpan.FromMinutes(1));
        using (var browser = Browser.Start(Path.Combine(dir.Path, "profile-finished")))
        {
            browser.Navigate().GoToUrl(finishedUrl);
            var last = rows[^1];
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (browser.FindElement(By.Id("eval-step")).Text != last.ServerStep.ToString("N0", CultureInfo.InvariantCulture) && DateTime.UtcNow < deadline)
                await Task.Delay(200);
            Assert.Equal(last.ServerStep.ToString("N0", CultureInfo.InvariantCulture), browser.FindElement(By.Id("eval-step")).Text);
            Assert.Equal(Percent(last.Accuracy), browser.FindElement(By.Id("accuracy")).Text);
            Assert.Equal("completed", browser.FindElement(By.Id("status")).Text);
            // Every evaluation is drawn: one polyline vertex per metrics.csv row.
            var points = browser.FindElement(By.CssSelector("#chart-acc-virtual polyline")).GetAttribute("points")!;
            Assert.Equal(rows.Count, points.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
        }
        await served.Signal("INT");
        Assert.Equal(0, await served.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    /// <summary>The page's accuracy text: percent with two decimals.</summary>
    private static string Percent(double accuracy) => (100 * accuracy).ToString("F2", CultureInfo.InvariantCulture) + " %";
}
