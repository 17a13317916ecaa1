using System.Globalization;
using System.Text;
using System.Text.Json;

namespace FedActors.Host.Runs;

/// <summary>One finished run as <c>fedactors compare</c> reads it: its summary, its metrics and any second-wave figures.</summary>
/// <param name="Name">The directory's name.</param>
/// <param name="Directory">The run directory.</param>
/// <param name="Summary">summary.json.</param>
/// <param name="Rows">metrics.csv.</param>
/// <param name="Figures">Privacy, attack, compression and fairness keys of summary.json that the run has (non-null), by key.</param>
public sealed record ComparedRun(string Name, string Directory, RunSummary Summary, IReadOnlyList<MetricsRow> Rows, IReadOnlyDictionary<string, string> Figures)
{
    /// <summary>summary.json keys that only some runs have (DESIGN.md §5): shown when a run has them.</summary>
    public static IReadOnlyList<string> FigureKeys { get; } =
    [
        "compression", "bytes_up_per_update", "privacy", "epsilon", "delta", "secure_aggregation", "attack", "defense", "malicious_fraction",
        "backdoor_accuracy", "client_accuracy_mean", "client_accuracy_p10",
    ];

    /// <summary>Reads the run in <paramref name="dir"/>.</summary>
    /// <exception cref="FedActorsException">The directory holds no finished run, or its files are malformed.</exception>
    public static ComparedRun Read(string dir)
    {
        var summaryPath = Path.Combine(dir, "summary.json");
        var metricsPath = Path.Combine(dir, "metrics.csv");
        if (!System.IO.Directory.Exists(dir)) throw new FedActorsException($"{dir}: no such run directory");
        if (!File.Exists(summaryPath)) throw new FedActorsException($"{dir}: no summary.json (not a run directory, or the run has not ended)");
        if (!File.Exists(metricsPath)) throw new FedActorsException($"{dir}: no metrics.csv");
        var summary = RunSummary.Read(summaryPath);
        var figures = new Dictionary<string, string>();
        using (var json = JsonDocument.Parse(File.ReadAllBytes(summaryPath)))
        {
            foreach (var key in FigureKeys)
                if (json.RootElement.TryGetProperty(key, out var value) && value.ValueKind != JsonValueKind.Null)
                    figures[key] = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
        }
        return new ComparedRun(Path.GetFileName(Path.TrimEndingDirectorySeparator(dir)), dir, summary, MetricsCsv.Read(metricsPath), figures);
    }
}

/// <summary>The side-by-side table of <c>fedactors compare</c>: one column per run, the first run the reference for speed-ups.</summary>
public static class RunComparison
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The table as text.</summary>
    public static string Table(IReadOnlyList<ComparedRun> runs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(runs.Count, 1, nameof(runs));
        var first = runs[0].Summary;
        var lines = new List<(string Label, string[] Cells)>
        {
            ("run", runs.Select(r => r.Name).ToArray()),
            ("algorithm", Cells(runs, s => s.Algorithm)),
            ("status", Cells(runs, s => RunStatusNames.Of(s.Status))),
            ("model / dataset", Cells(runs, s => $"{s.Model} / {s.Dataset}")),
            ("clients", Cells(runs, s => N(s.NumClients))),
            ("server steps", Cells(runs, s => N(s.ServerSteps))),
            ("updates applied", Cells(runs, s => N(s.UpdatesApplied))),
            ("final accuracy", Cells(runs, s => Pct(s.FinalAccuracy))),
            ("best accuracy", Cells(runs, s => Pct(s.BestAccuracy))),
            ("target accuracy", Cells(runs, s => Pct(s.TargetAccuracy))),
            ("virtual time to target", Cells(runs, s => Secs(s.VirtualSecondsToTarget))),
            ("updates to target", Cells(runs, s => N(s.UpdatesToTarget))),
            ("bytes up to target", Cells(runs, s => Bytes(s.BytesUpToTarget))),
            ($"speed-up to target vs {runs[0].Name} (virtual time)", Cells(runs, s => Ratio(first.VirtualSecondsToTarget, s.VirtualSecondsToTarget))),
            ($"updates to target vs {runs[0].Name}", Cells(runs, s => Ratio(s.UpdatesToTarget, first.UpdatesToTarget))),
            ($"bytes up to target vs {runs[0].Name}", Cells(runs, s => Ratio(s.BytesUpToTarget, first.BytesUpToTarget))),
            ("virtual time", Cells(runs, s => Secs(s.VirtualSeconds))),
            ("wall time", Cells(runs, s => Secs(s.WallSeconds))),
            ("bytes up / down", Cells(runs, s => $"{Bytes(s.BytesUp)} / {Bytes(s.BytesDown)}")),
            ("model sha256", Cells(runs, s => s.ModelSha256 is { } h ? h[..12] : "–")),
        };
        foreach (var key in ComparedRun.FigureKeys.Where(k => runs.Any(r => r.Figures.ContainsKey(k))))
            lines.Add((key, runs.Select(r => r.Figures.GetValueOrDefault(key, "–")).ToArray()));

        int labelWidth = lines.Max(l => l.Label.Length);
        var widths = Enumerable.Range(0, runs.Count).Select(i => lines.Max(l => l.Cells[i].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var (label, cells) in lines)
        {
            text.Append(label.PadRight(labelWidth));
            for (int i = 0; i < cells.Length; i++) text.Append("  ").Append(cells[i].PadLeft(widths[i]));
            text.Append('\n');
        }
        return text.ToString();
    }

    private static string[] Cells(IReadOnlyList<ComparedRun> runs, Func<RunSummary, string> cell) => runs.Select(r => cell(r.Summary)).ToArray();

    private static string N(long? x) => x is long v ? v.ToString("N0", Inv) : "–";

    private static string Pct(double? x) => x is double v ? (100 * v).ToString("F2", Inv) + " %" : "–";

    private static string Secs(double? x) => x is double v ? v.ToString("N0", Inv) + " s" : "–";

    /// <summary>a / b as "4.41×", or – when either is missing.</summary>
    private static string Ratio(double? a, double? b) => a is double x && b is double y && y > 0 ? (x / y).ToString("F2", Inv) + "×" : "–";

    private static string Bytes(long? b)
    {
        if (b is not long v) return "–";
        string[] units = ["B", "KB", "MB", "GB", "TB"];
        double x = v;
        int i = 0;
        while (x >= 1000 && i < units.Length - 1) { x /= 1000; i++; }
        return x.ToString(i == 0 ? "F0" : "F2", Inv) + " " + units[i];
    }
}
