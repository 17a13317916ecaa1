using System.Globalization;
using System.Text;
using FedActors.Actors.Coordination;
using FedActors.Actors.Jobs;

namespace FedActors.Host.Runs;

/// <summary>
/// The run's line-per-event ledgers: updates.csv (every applied update) and, when asked for, the
/// acknowledgement log. Unlike the metrics, nothing in the journal can rebuild them, so each line reaches
/// the file (flushed to the operating system, which outlives a killed process) on the coordinator's own
/// thread, before the server step it belongs to is journaled and before the acknowledgement is sent.
/// </summary>
public sealed class RunLedgers : IDisposable
{
    /// <summary>Header of updates.csv.</summary>
    public const string UpdatesHeader = "server_step,job,client_id,base_version,staleness";

    /// <summary>Header of the acknowledgement log.</summary>
    public const string AcknowledgedHeader = "job,client_id";

    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
    private readonly object _gate = new();
    private readonly string _updatesPath;
    private readonly StreamWriter? _acknowledged;
    private StreamWriter? _updates;

    private RunLedgers(string updatesPath, StreamWriter? acknowledged)
    {
        _updatesPath = updatesPath;
        _acknowledged = acknowledged;
    }

    /// <summary>
    /// Opens the ledgers of <paramref name="run"/>. A new run starts updates.csv empty; a resuming one cuts
    /// it back in <see cref="Restore"/> (or starts it empty if its journal was). The acknowledgement log is
    /// appended to across sessions.
    /// </summary>
    /// <param name="run">The run directory.</param>
    /// <param name="resuming">The run resumes from its journal.</param>
    /// <param name="acknowledgementLog">File name of the acknowledgement log in the run directory, or null for none.</param>
    public static RunLedgers Open(RunDirectory run, bool resuming, string? acknowledgementLog)
    {
        StreamWriter? acks = null;
        if (acknowledgementLog is not null)
        {
            var path = Path.Combine(run.FullPath, acknowledgementLog);
            DropTornLine(path);
            bool fresh = !File.Exists(path) || new FileInfo(path).Length == 0;
            acks = Append(path);
            if (fresh) { acks.WriteLine(AcknowledgedHeader); acks.Flush(); }
        }
        var ledgers = new RunLedgers(Path.Combine(run.FullPath, "updates.csv"), acks);
        if (!resuming) ledgers.Restart(keepThrough: -1);
        return ledgers;
    }

    /// <summary>A resumed run stands after <paramref name="serverStep"/>: rows of later steps are redone, so they go.</summary>
    public void Restore(long serverStep)
    {
        lock (_gate) Restart(serverStep);
    }

    /// <summary>Appends the row of an applied update.</summary>
    public void Applied(AppliedUpdate u)
    {
        lock (_gate)
        {
            if (_updates is null) Restart(keepThrough: -1); // a resumed run whose journal was empty starts afresh
            _updates!.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{u.ServerStep},{u.Job.Value},{u.ClientId},{u.BaseVersion},{u.Staleness}"));
            _updates.Flush();
        }
    }

    /// <summary>Appends the row of an acknowledged result.</summary>
    public void Acknowledged(JobId job, int clientId)
    {
        if (_acknowledged is null) return;
        lock (_gate)
        {
            _acknowledged.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{job.Value},{clientId}"));
            _acknowledged.Flush();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            _updates?.Dispose();
            _acknowledged?.Dispose();
        }
    }

    private void Restart(long keepThrough)
    {
        _updates?.Dispose();
        var kept = new StringBuilder(UpdatesHeader).Append('\n');
        if (keepThrough >= 0 && File.Exists(_updatesPath))
        {
            foreach (var line in File.ReadLines(_updatesPath).Skip(1))
            {
                // A line torn by the kill has fewer fields.
                var fields = line.Split(',');
                if (fields.Length == 5 && long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var step) && step <= keepThrough)
                    kept.Append(line).Append('\n');
            }
        }
        var temp = _updatesPath + ".tmp";
        File.WriteAllText(temp, kept.ToString(), Utf8);
        File.Move(temp, _updatesPath, overwrite: true);
        _updates = Append(_updatesPath);
    }

    /// <summary>A process killed mid-line leaves a line without its newline: cut it, or the next row would run into it.</summary>
    private static void DropTornLine(string path)
    {
        if (!File.Exists(path)) return;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        MetricsCsv.DropPartialLastLine(stream);
    }

    private static StreamWriter Append(string path) =>
        new(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read), Utf8) { NewLine = "\n" };
}
