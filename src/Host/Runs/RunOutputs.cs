using System.Globalization;
using System.Text;
using FedActors.Actors.Coordination;

namespace FedActors.Host.Runs;

/// <summary>A result the coordinator acknowledged (a row of the acknowledgement log).</summary>
/// <param name="Job">The job.</param>
/// <param name="ClientId">The client.</param>
public sealed record Acknowledged(JobId Job, int ClientId);

/// <summary>
/// The files a run appends to while it goes: metrics.csv, diagnostics.csv, updates.csv (the ledger of
/// applied updates) and, when asked for, the acknowledgement log. A resumed run first cuts them back to
/// the state it restored (<see cref="RestoredRun"/>): rows the interrupted session wrote past its last
/// journaled step are written again as the run redoes that work.
/// </summary>
public sealed class RunOutputs : IAsyncDisposable
{
    /// <summary>Header of diagnostics.csv.</summary>
    public const string DiagnosticsHeader =
        "server_step,updates,mean_update_norm,update_norm_variance,mean_cosine_to_aggregate,participating_clients,max_participation,updates_rejected,updates_dropped_stale,jobs_dropped,staleness_histogram";

    /// <summary>Header of updates.csv.</summary>
    public const string UpdatesHeader = "server_step,job,client_id,base_version,staleness";

    /// <summary>Header of the acknowledgement log.</summary>
    public const string AcknowledgedHeader = "job,client_id";

    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
    private readonly RunDirectory _run;
    private readonly StreamWriter? _acknowledged;
    private MetricsCsv? _metrics;
    private StreamWriter? _diagnostics;
    private StreamWriter? _updates;

    private RunOutputs(RunDirectory run, StreamWriter? acknowledged)
    {
        _run = run;
        _acknowledged = acknowledged;
    }

    /// <summary>diagnostics.csv.</summary>
    public string DiagnosticsPath => Path.Combine(_run.FullPath, "diagnostics.csv");

    /// <summary>updates.csv.</summary>
    public string UpdatesPath => Path.Combine(_run.FullPath, "updates.csv");

    /// <summary>True once a resumed run's state was restored and the files cut back to it.</summary>
    public bool Restored { get; private set; }

    /// <summary>
    /// Opens the outputs of <paramref name="run"/>. A new run starts them empty; a resuming one leaves them
    /// alone until <see cref="RestoredRun"/> arrives (or, if its journal was empty, the first record).
    /// </summary>
    /// <param name="run">The run directory.</param>
    /// <param name="resuming">The run resumes from its journal.</param>
    /// <param name="acknowledgementLog">File name of the acknowledgement log in the run directory, or null for none.</param>
    public static async Task<RunOutputs> OpenAsync(RunDirectory run, bool resuming, string? acknowledgementLog)
    {
        StreamWriter? acks = null;
        if (acknowledgementLog is not null)
        {
            var path = Path.Combine(run.FullPath, acknowledgementLog);
            bool fresh = !File.Exists(path) || new FileInfo(path).Length == 0;
            acks = Append(path);
            if (fresh) await acks.WriteLineAsync(AcknowledgedHeader);
        }
        var outputs = new RunOutputs(run, acks);
        if (!resuming) await outputs.StartFilesAsync([], keepUpdatesThrough: -1);
        return outputs;
    }

    /// <summary>Writes one item the coordinator reported.</summary>
    public async Task WriteAsync(object item)
    {
        // A resumed run whose journal turned out empty starts afresh, without a restore.
        if (_metrics is null && item is not RestoredRun and not Acknowledged) await StartFilesAsync([], keepUpdatesThrough: -1);
        switch (item)
        {
            case RestoredRun restored:
                await StartFilesAsync(restored.Records, restored.ServerStep);
                Restored = true;
                break;
            case EvaluationRecord record:
                await _metrics!.AppendAsync(Row(record), CancellationToken.None);
                await _diagnostics!.WriteLineAsync(DiagnosticsRow(record));
                await _diagnostics.FlushAsync();
                await _updates!.FlushAsync();
                break;
            case AppliedUpdate u:
                // Flushed with each evaluation: the ledger is cut back to the restored step on resume anyway.
                await _updates!.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{u.ServerStep},{u.Job.Value},{u.ClientId},{u.BaseVersion},{u.Staleness}"));
                break;
            case Acknowledged a when _acknowledged is not null:
                await _acknowledged.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{a.Job.Value},{a.ClientId}"));
                await _acknowledged.FlushAsync();
                break;
        }
    }

    /// <summary>A metrics.csv row of <paramref name="r"/>.</summary>
    public static MetricsRow Row(EvaluationRecord r) =>
        new(r.ServerStep, r.VirtualSeconds, r.WallSeconds, r.UpdatesApplied, r.Accuracy, r.Loss, r.MeanStaleness, r.MaxStaleness, r.BytesUp, r.BytesDown);

    /// <summary>A diagnostics.csv row of <paramref name="r"/>.</summary>
    public static string DiagnosticsRow(EvaluationRecord r)
    {
        var d = r.Diagnostics;
        var inv = CultureInfo.InvariantCulture;
        // The histogram is one field: "staleness:count" pairs separated by spaces.
        var histogram = string.Join(' ', d.StalenessHistogram.Select(kv => $"{kv.Key}:{kv.Value}"));
        return string.Join(',', r.ServerStep.ToString(inv), d.Updates.ToString(inv), d.MeanUpdateNorm.ToString("G6", inv),
            d.UpdateNormVariance.ToString("G6", inv), d.MeanCosineToAggregate?.ToString("G6", inv) ?? "",
            d.ParticipatingClients.ToString(inv), d.MaxParticipation.ToString(inv), d.UpdatesRejected.ToString(inv),
            d.UpdatesDroppedStale.ToString(inv), d.JobsDropped.ToString(inv), histogram);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_metrics is not null) await _metrics.DisposeAsync();
        if (_diagnostics is not null) await _diagnostics.DisposeAsync();
        if (_updates is not null) await _updates.DisposeAsync();
        if (_acknowledged is not null) await _acknowledged.DisposeAsync();
    }

    private async Task StartFilesAsync(IReadOnlyList<EvaluationRecord> records, long keepUpdatesThrough)
    {
        var metrics = new StringBuilder(MetricsCsv.Header).Append('\n');
        var diagnostics = new StringBuilder(DiagnosticsHeader).Append('\n');
        foreach (var r in records)
        {
            metrics.Append(MetricsCsv.Format(Row(r))).Append('\n');
            diagnostics.Append(DiagnosticsRow(r)).Append('\n');
        }
        var updates = new StringBuilder(UpdatesHeader).Append('\n');
        if (keepUpdatesThrough >= 0 && File.Exists(UpdatesPath))
        {
            foreach (var line in File.ReadLines(UpdatesPath).Skip(1))
            {
                // A line torn by a crash has fewer fields; rows of steps past the restored one are redone.
                var fields = line.Split(',');
                if (fields.Length == 5 && long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var step) && step <= keepUpdatesThrough)
                    updates.Append(line).Append('\n');
            }
        }
        await AtomicFile.WriteAllTextAsync(_run.MetricsPath, metrics.ToString(), CancellationToken.None);
        await AtomicFile.WriteAllTextAsync(DiagnosticsPath, diagnostics.ToString(), CancellationToken.None);
        await AtomicFile.WriteAllTextAsync(UpdatesPath, updates.ToString(), CancellationToken.None);
        _metrics = MetricsCsv.Open(_run.MetricsPath);
        _diagnostics = Append(DiagnosticsPath);
        _updates = Append(UpdatesPath);
    }

    private static StreamWriter Append(string path) =>
        new(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read), Utf8) { NewLine = "\n" };
}
