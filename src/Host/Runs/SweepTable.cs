using System.Globalization;
using System.Text;

namespace FedActors.Host.Runs;

/// <summary>
/// The result table of <c>fedactors sweep</c>: one row per variant with what the trade-off is read from (bytes per
/// update, bytes and virtual time to the target, final and best accuracy, the backdoor accuracy of a backdoor
/// attack, and what the defense let in: malicious updates accepted and filtered, honest ones filtered; and the ε a DP run spent), as aligned text
/// and as CSV.
/// </summary>
public static class SweepTable
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The CSV header.</summary>
    public const string CsvHeader =
        "variant,status,bytes_up_per_update,bytes_up_to_target,bytes_up_to_target_vs_first,virtual_seconds_to_target,updates_to_target,final_accuracy,best_accuracy,backdoor_accuracy,bytes_up,wall_seconds,model_sha256,malicious_accepted,malicious_filtered,honest_filtered,epsilon";

    /// <summary>The rows' cells, the header first; <paramref name="runs"/> pairs each variant's label with its run (null: no finished run).</summary>
    private static List<string[]> Cells(IReadOnlyList<(string Label, ComparedRun? Run)> runs, Func<double?, string> number, Func<double?, string> percent)
    {
        long? firstBytes = runs.FirstOrDefault().Run?.Summary.BytesUpToTarget;
        var rows = new List<string[]>();
        foreach (var (label, run) in runs)
        {
            var s = run?.Summary;
            rows.Add(
            [
                label,
                s is null ? "missing" : RunStatusNames.Of(s.Status),
                number(s?.BytesUpPerUpdate),
                number(s?.BytesUpToTarget),
                s?.BytesUpToTarget is long b && firstBytes is long f && b > 0 ? ((double)f / b).ToString("F2", Inv) + "× fewer" : "",
                number(s?.VirtualSecondsToTarget),
                number(s?.UpdatesToTarget),
                percent(s?.FinalAccuracy),
                percent(s?.BestAccuracy),
                percent(s?.BackdoorAccuracy),
                number(s?.BytesUp),
                number(s?.WallSeconds),
                s?.ModelSha256 ?? "",
                number(s?.MaliciousUpdatesAccepted),
                number(s?.MaliciousUpdatesFiltered),
                number(s?.UpdatesFiltered - s?.MaliciousUpdatesFiltered ?? s?.UpdatesFiltered),
                s?.Epsilon is double e ? e.ToString("R", Inv) : "",
            ]);
        }
        return rows;
    }

    /// <summary>The table as aligned text, numbers rounded for reading.</summary>
    public static string Text(IReadOnlyList<(string Label, ComparedRun? Run)> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        string[] header = ["variant", "status", "bytes/update", "bytes up to target", "vs first", "virtual s to target", "updates to target", "final acc", "best acc", "backdoor acc", "bytes up", "wall s", "model",
            "malicious in", "malicious out", "honest out", "ε"];
        const int model = 12;
        var rows = Cells(runs, x => x is double v ? v.ToString("N0", Inv) : "–", x => x is double v ? (100 * v).ToString("F2", Inv) + " %" : "–");
        const int epsilon = 16;
        foreach (var row in rows)
        {
            row[model] = row[model].Length >= 12 ? row[model][..12] : "–";
            row[epsilon] = row[epsilon].Length > 0 ? double.Parse(row[epsilon], Inv).ToString("F2", Inv) : "–";
        }
        rows.Insert(0, header);
        var widths = Enumerable.Range(0, header.Length).Select(i => rows.Max(r => r[i].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows)
            text.AppendJoin("  ", row.Select((cell, i) => i < 2 ? cell.PadRight(widths[i]) : cell.PadLeft(widths[i]))).Append('\n');
        return text.ToString();
    }

    /// <summary>The table as CSV, numbers unrounded.</summary>
    public static string Csv(IReadOnlyList<(string Label, ComparedRun? Run)> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var text = new StringBuilder(CsvHeader).Append('\n');
        foreach (var row in Cells(runs, x => x is double v ? v.ToString("R", Inv) : "", x => x is double v ? v.ToString("R", Inv) : ""))
            text.AppendJoin(",", row.Select(Quote)).Append('\n');
        return text.ToString();
    }

    private static string Quote(string cell) => cell.IndexOfAny([',', '"', '\n']) >= 0 ? "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : cell;
}
