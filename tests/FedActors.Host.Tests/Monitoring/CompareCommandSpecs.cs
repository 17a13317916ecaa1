using System.Text.Json.Nodes;
using FedActors.Host.Runs;

namespace FedActors.Host.Tests.Monitoring;

/// <summary><c>fedactors compare</c> on run directories written by hand, so every figure of the table is known.</summary>
public sealed class CompareCommandSpecs
{
    private static async Task<string> WriteRunAsync(string parent, string name, string algorithm, double toTarget, long updatesToTarget, long bytesToTarget,
        IEnumerable<MetricsRow> rows, Action<JsonObject>? extra = null)
    {
        var dir = Directory.CreateDirectory(Path.Combine(parent, name)).FullName;
        var summary = new RunSummary
        {
            Status = RunStatus.Completed, Algorithm = algorithm, Dataset = "fashion-mnist", Model = "simple-cnn", Seed = 42, NumClients = 1000,
            ServerSteps = 100, UpdatesApplied = 1000, FinalAccuracy = 0.861, BestAccuracy = 0.87, TargetAccuracy = 0.8,
            VirtualSecondsToTarget = toTarget, UpdatesToTarget = updatesToTarget, BytesUpToTarget = bytesToTarget, VirtualSeconds = 2 * toTarget,
            WallSeconds = 60, BytesUp = 2 * bytesToTarget, BytesDown = 3 * bytesToTarget, ModelSha256 = new string('a', 64),
        };
        var json = JsonNode.Parse(summary.ToJson())!.AsObject();
        extra?.Invoke(json);
        await File.WriteAllTextAsync(Path.Combine(dir, "summary.json"), json.ToJsonString());
        await using (var metrics = MetricsCsv.Open(Path.Combine(dir, "metrics.csv")))
            foreach (var row in rows) await metrics.AppendAsync(row, CancellationToken.None);
        return dir;
    }

    private static IEnumerable<MetricsRow> Curve(double secondsPerStep) =>
        Enumerable.Range(0, 6).Select(i => new MetricsRow(i * 20, i * 20 * secondsPerStep, i * 10, i * 200, 0.1 + 0.15 * i, 2.0 - 0.3 * i, 1.5, 4, i * 1000L, i * 3000L));

    [Fact]
    public async Task The_table_must_give_speed_ups_against_the_first_run_and_the_plot_must_be_written()
    {
        using var dir = new TempDir();
        var fedavg = await WriteRunAsync(dir.Path, "fedavg", "fedavg", toTarget: 4000, updatesToTarget: 3000, bytesToTarget: 3_000_000, Curve(40));
        var fedbuff = await WriteRunAsync(dir.Path, "fedbuff", "fedbuff", toTarget: 1000, updatesToTarget: 6000, bytesToTarget: 6_000_000, Curve(10),
            j => j["epsilon"] = 2.5);
        var plot = Path.Combine(dir.Path, "plots", "both.png");

        var (code, output, err) = await CommandRunner.RunAsync(dir.Path, "compare", fedavg, fedbuff, "--out", plot);

        Assert.True(code == 0, err);
        var lines = output.Split('\n');
        // Labels are padded, then two spaces separate the cells: "label  " finds exactly one row.
        string Line(string label) => lines.Single(l => l.StartsWith(label + "  ", StringComparison.Ordinal));
        // 4,000 s against 1,000 s of virtual time to the target: FedBuff gets there 4× sooner, with 2× the updates and bytes.
        Assert.Matches(@"\s1\.00×\s+4\.00×$", Line("speed-up to target vs fedavg (virtual time)").TrimEnd());
        Assert.Matches(@"\s1\.00×\s+2\.00×$", Line("updates to target vs fedavg").TrimEnd());
        Assert.Matches(@"\s1\.00×\s+2\.00×$", Line("bytes up to target vs fedavg").TrimEnd());
        Assert.Matches(@"^virtual time to target\s+4,000 s\s+1,000 s$", Line("virtual time to target").TrimEnd());
        Assert.Matches(@"^bytes up to target\s+3\.00 MB\s+6\.00 MB$", Line("bytes up to target").TrimEnd());
        Assert.Matches(@"^final accuracy\s+86\.10 %\s+86\.10 %$", Line("final accuracy").TrimEnd());
        // A privacy figure one run has shows as a row, "–" for the run without it.
        Assert.Matches(@"^epsilon\s+–\s+2\.5$", Line("epsilon").TrimEnd());
        Assert.Contains($"plot: {plot}", output);
        var png = await File.ReadAllBytesAsync(plot);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
    }

    [Fact]
    public async Task A_directory_without_a_summary_must_be_an_error_naming_it()
    {
        using var dir = new TempDir();
        var empty = Directory.CreateDirectory(Path.Combine(dir.Path, "empty")).FullName;

        var (code, _, err) = await CommandRunner.RunAsync(dir.Path, "compare", empty);

        Assert.Equal(1, code);
        Assert.Contains($"{empty}: no summary.json", err);
    }
}
