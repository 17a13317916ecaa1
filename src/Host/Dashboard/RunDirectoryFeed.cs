using System.Globalization;
using FedActors.Host.Runs;

namespace FedActors.Host.Dashboard;

/// <summary>
/// The dashboard source of a run directory (<c>fedactors dashboard DIR</c>): metrics.csv, diagnostics.csv, summary.json
/// and run.conf, read again whenever one of them changed, so a run another process is writing shows as it goes.
/// </summary>
public sealed class RunDirectoryFeed : IDashboardSource
{
    private readonly string _dir;
    private readonly object _gate = new();
    private DateTime _stamp = DateTime.MinValue;
    private DashboardSnapshot? _snapshot;
    private long _version;

    /// <summary>Reads <paramref name="dir"/>, which must hold a run's metrics.csv.</summary>
    /// <exception cref="FedActorsException">The directory holds no run, or its files are malformed.</exception>
    public RunDirectoryFeed(string dir)
    {
        _dir = dir;
        if (!Directory.Exists(dir)) throw new FedActorsException($"{dir}: no such run directory");
        if (!File.Exists(MetricsPath)) throw new FedActorsException($"{dir}: not a run directory (no metrics.csv)");
        Current();
    }

    private string MetricsPath => Path.Combine(_dir, "metrics.csv");
    private string DiagnosticsPath => Path.Combine(_dir, "diagnostics.csv");
    private string SummaryPath => Path.Combine(_dir, "summary.json");

    /// <inheritdoc />
    public DashboardSnapshot Current()
    {
        lock (_gate)
        {
            var stamp = new[] { MetricsPath, DiagnosticsPath, SummaryPath }.Select(File.GetLastWriteTimeUtc).Max();
            if (_snapshot is not null && stamp == _stamp) return _snapshot;
            _stamp = stamp;
            _snapshot = Read(++_version);
            return _snapshot;
        }
    }

    private DashboardSnapshot Read(long version)
    {
        var rows = MetricsCsv.Read(MetricsPath);
        RunSummary? summary = File.Exists(SummaryPath) ? RunSummary.Read(SummaryPath) : null;
        string title = summary is null
            ? Path.GetFileName(Path.TrimEndingDirectorySeparator(_dir))
            : $"{summary.Algorithm} {summary.Model} on {summary.Dataset}, {summary.NumClients:N0} clients";
        DashboardProgress? progress = null;
        if (summary is not null)
            progress = new DashboardProgress(summary.ServerSteps, summary.UpdatesApplied ?? 0, summary.WallSeconds > 0 ? (summary.UpdatesApplied ?? 0) / summary.WallSeconds : 0,
                summary.VirtualSeconds ?? 0, summary.WallSeconds, 0, summary.BytesUp ?? 0, summary.BytesDown ?? 0, summary.UpdatesRejected,
                summary.UpdatesDroppedStale ?? 0, summary.TrainSeconds);
        else if (rows.Count > 0)
        {
            var last = rows[^1];
            progress = new DashboardProgress(last.ServerStep, last.UpdatesApplied, 0, last.VirtualSeconds, last.WallSeconds, 0, last.BytesUp, last.BytesDown,
                new Dictionary<string, long>(), 0, 0);
        }
        string status = summary is null ? "running" : RunStatusNames.Of(summary.Status);
        return new DashboardSnapshot($"{title} ({_dir})", status, _dir, summary?.ServerSteps, progress, rows, LastDrift(), [], null, version);
    }

    /// <summary>The last complete row of diagnostics.csv, or null.</summary>
    private DashboardDrift? LastDrift()
    {
        if (!File.Exists(DiagnosticsPath)) return null;
        var lines = File.ReadAllText(DiagnosticsPath).Split('\n');
        // The last element is "" after a final newline, or a row cut short: skipped either way.
        for (int i = lines.Length - 2; i >= 1; i--)
        {
            var f = lines[i].TrimEnd('\r').Split(',');
            if (f.Length != 11) continue;
            var inv = CultureInfo.InvariantCulture;
            try
            {
                var histogram = f[10].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split(':'))
                    .ToDictionary(p => p[0], p => long.Parse(p[1], inv));
                return new DashboardDrift(long.Parse(f[0], inv), int.Parse(f[1], inv), double.Parse(f[2], inv), double.Parse(f[3], inv),
                    f[4].Length == 0 ? null : double.Parse(f[4], inv), int.Parse(f[5], inv), int.Parse(f[6], inv), long.Parse(f[7], inv),
                    long.Parse(f[8], inv), long.Parse(f[9], inv), histogram);
            }
            catch (Exception e) when (e is FormatException or OverflowException or IndexOutOfRangeException or ArgumentException)
            {
                throw new FedActorsException($"{DiagnosticsPath}:{i + 1}: malformed row ({e.Message})", e);
            }
        }
        return null;
    }
}
