using System.Globalization;
using System.Text.RegularExpressions;

namespace FedActors.Host.Tests.Monitoring;

/// <summary>The Prometheus endpoint of a real run process, scraped while the run goes.</summary>
public sealed partial class MetricsEndpointSpecs
{
    [Fact]
    public async Task Scrapes_during_a_run_must_find_updates_applied_growing_and_the_other_run_metrics()
    {
        using var dir = new TempDir();
        var runDir = Path.Combine(dir.Path, "run");
        int port = Cluster.ClusterExperiment.FreePort();
        using var process = MonitoredRun.Start(dir.Path, runDir, "--metrics-port", port.ToString(CultureInfo.InvariantCulture));
        var url = await MonitoredRun.WaitForLineAsync(process, MonitoredRun.MetricsLine(), TimeSpan.FromMinutes(2));
        Assert.Equal($"http://127.0.0.1:{port}/metrics", url);

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        var applied = new List<double>();
        string last = "";
        while (!process.HasExited && applied.Count(v => v > 0) < 3)
        {
            try
            {
                last = await http.GetStringAsync(url);
                if (Value(last, "fedactors_updates_applied_total") is double v) applied.Add(v);
            }
            catch (HttpRequestException)
            {
                // Between the run's end and the process's exit the endpoint goes away.
            }
            await Task.Delay(1000);
        }
        Assert.Equal(0, await process.WaitForExitAsync(MonitoredRun.Timeout));

        var seen = applied.Where(v => v > 0).ToList();
        Assert.True(seen.Count >= 2, $"updates_applied was scraped above zero {seen.Count} time(s) during the run; last scrape:\n{last}");
        Assert.True(seen[^1] > seen[0], $"updates_applied did not grow between scrapes: {string.Join(", ", seen)}");
        // The counter counts applied updates one by one: never more than the run applied in the end.
        var summary = await Runs.RunSummary.ReadAsync(Path.Combine(runDir, "summary.json"), CancellationToken.None);
        Assert.True(seen[^1] <= summary.UpdatesApplied, $"scraped {seen[^1]} updates applied, the run applied {summary.UpdatesApplied}");
        foreach (var name in new[] { "fedactors_server_steps", "fedactors_jobs_in_flight", "fedactors_update_staleness", "fedactors_journal_write_duration",
                     "fedactors_bytes_up", "fedactors_trainer_busy_time", "fedactors_test_accuracy" })
            Assert.Contains(name, last);
    }

    /// <summary>The value of the first sample of <paramref name="metric"/> (any labels) in a Prometheus text exposition.</summary>
    private static double? Value(string exposition, string metric)
    {
        foreach (Match m in Sample().Matches(exposition))
            if (m.Groups["name"].Value == metric) return double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture);
        return null;
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{[^}]*\})? (?<value>[-+0-9.eE]+)", RegexOptions.Multiline)]
    private static partial Regex Sample();
}
