using System.Text.Json;
using FedActors.Host.Runs;

namespace FedActors.Host.Tests;

public class CentralizedCommandSpecs
{
    [Fact(DisplayName = "centralized must train on real Fashion-MNIST and write every run output")]
    public async Task Centralized_must_write_the_standard_run_outputs()
    {
        using var dir = new TempDir();
        var (code, output, err) = await CommandRunner.RunAsync(dir.Path, "centralized", "--plain", "--out", "run",
            "--set", "fedactors.model.name=logreg", "--set", "fedactors.centralized.epochs=2",
            "--set", "fedactors.run.target-accuracy=0.7");
        Assert.True(code == 0, err);
        Assert.Contains("completed", output);

        var run = Path.Combine(dir.Path, "run");
        var summary = await RunSummary.ReadAsync(Path.Combine(run, "summary.json"), CancellationToken.None);
        Assert.Equal(RunStatus.Completed, summary.Status);
        Assert.Equal("centralized", summary.Algorithm);
        Assert.Equal("logreg", summary.Model);
        Assert.Equal(120_000, summary.SamplesTrained);
        // Logistic regression reaches about 83% after two epochs; far above chance proves it learned.
        Assert.InRange(summary.FinalAccuracy!.Value, 0.78, 0.9);
        Assert.NotNull(summary.VirtualSecondsToTarget);
        Assert.Matches("^[0-9a-f]{64}$", summary.ModelSha256!);

        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(run, "summary.json")));
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("num_clients").ValueKind);

        var rows = MetricsCsv.Read(Path.Combine(run, "metrics.csv"));
        Assert.Equal(3, rows.Count); // the initial model, then every epoch
        Assert.Equal(0, rows[0].ServerStep);
        Assert.InRange(rows[0].Accuracy, 0.0, 0.3);
        Assert.Equal(summary.FinalAccuracy, rows[^1].Accuracy);
        Assert.Contains("name = \"logreg\"", await File.ReadAllTextAsync(Path.Combine(run, "run.conf")));
        var png = await File.ReadAllBytesAsync(Path.Combine(run, "accuracy.png"));
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
    }

    [Fact(DisplayName = "centralized must name a missing data directory and exit 1")]
    public async Task Centralized_must_report_unavailable_data()
    {
        using var dir = new TempDir();
        var (code, _, err) = await CommandRunner.RunAsync(dir.Path, "centralized", "--plain",
            "--data-dir", Path.Combine(dir.Path, "nowhere"), "--set", "fedactors.data.dataset=mnist",
            "--set", "fedactors.data.allow-download=false");
        Assert.Equal(1, code);
        Assert.Contains("nowhere", err);
        Assert.DoesNotContain("   at ", err);
    }
}
