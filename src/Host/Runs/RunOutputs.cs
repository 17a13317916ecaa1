using System.Globalization;
using System.Text;
using FedActors.Actors.Attacks;
using FedActors.Actors.Coordination;
using FedActors.Actors.Privacy;
using FedActors.Actors.Runs;

namespace FedActors.Host.Runs;

/// <summary>
/// The evaluation files a run appends to while it goes: metrics.csv and diagnostics.csv. A resumed run
/// first rewrites them from the records it restored (<see cref="RestoredRun"/>): rows the interrupted
/// session wrote past its last journaled step are written again as the run redoes that work.
/// </summary>
public sealed class RunOutputs : IAsyncDisposable
{
    /// <summary>Header of diagnostics.csv.</summary>
    public const string DiagnosticsHeader =
        "server_step,updates,mean_update_norm,update_norm_variance,mean_cosine_to_aggregate,participating_clients,max_participation,updates_rejected,updates_dropped_stale,jobs_dropped,staleness_histogram";

    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
    private readonly RunDirectory _run;
    private readonly MetricsColumns _columns;
    private readonly ClientLevelAccounting? _privacy;
    private MetricsCsv? _metrics;
    private StreamWriter? _diagnostics;

    private RunOutputs(RunDirectory run, MetricsColumns columns, ClientLevelAccounting? privacy) =>
        (_run, _columns, _privacy) = (run, columns, privacy);

    /// <summary>diagnostics.csv.</summary>
    public string DiagnosticsPath => Path.Combine(_run.FullPath, "diagnostics.csv");

    /// <summary>True once a resumed run's state was restored and the files cut back to it.</summary>
    public bool Restored { get; private set; }

    /// <summary>
    /// Opens the outputs of <paramref name="run"/>. A new run starts them empty; a resuming one leaves them
    /// alone until <see cref="RestoredRun"/> arrives (or, if its journal was empty, the first record).
    /// </summary>
    /// <param name="run">The run directory.</param>
    /// <param name="resuming">The run resumes from its journal.</param>
    /// <param name="columns">The optional columns of metrics.csv: those of a simulated attack, of a backdoor and of DP.</param>
    /// <param name="privacy">The run's DP accounting, for the epsilon column; null when DP is off.</param>
    public static async Task<RunOutputs> OpenAsync(RunDirectory run, bool resuming, MetricsColumns columns = MetricsColumns.None,
        ClientLevelAccounting? privacy = null)
    {
        var outputs = new RunOutputs(run, columns, privacy);
        if (!resuming) await outputs.StartFilesAsync([]);
        return outputs;
    }

    /// <summary>The optional metrics.csv columns of a run under <paramref name="attack"/>, with DP accounted by <paramref name="privacy"/> or not.</summary>
    public static MetricsColumns ColumnsFor(AttackSettings attack, ClientLevelAccounting? privacy = null) =>
        (attack.Kind == AttackKind.None ? MetricsColumns.None : MetricsColumns.Attack)
        | (attack.EvaluatesBackdoor ? MetricsColumns.Backdoor : MetricsColumns.None)
        | (privacy is null ? MetricsColumns.None : MetricsColumns.Privacy);

    /// <summary>Writes one item the coordinator reported.</summary>
    public async Task WriteAsync(object item)
    {
        // A resumed run whose journal turned out empty starts afresh, without a restore.
        if (_metrics is null && item is not RestoredRun) await StartFilesAsync([]);
        switch (item)
        {
            case RestoredRun restored:
                await StartFilesAsync(restored.Records);
                Restored = true;
                break;
            case EvaluationRecord record:
                await _metrics!.AppendAsync(Row(record, _privacy), CancellationToken.None);
                await _diagnostics!.WriteLineAsync(DiagnosticsRow(record));
                await _diagnostics.FlushAsync();
                break;
        }
    }

    /// <summary>A metrics.csv row of <paramref name="r"/>, with the ε <paramref name="privacy"/> accounts at it.</summary>
    public static MetricsRow Row(EvaluationRecord r, ClientLevelAccounting? privacy = null) =>
        new(r.ServerStep, r.VirtualSeconds, r.WallSeconds, r.UpdatesApplied, r.Accuracy, r.Loss, r.MeanStaleness, r.MaxStaleness, r.BytesUp, r.BytesDown)
        {
            BackdoorAccuracy = r.BackdoorAccuracy,
            Defense = r.Defense,
            Epsilon = privacy?.Spent(r.ServerStep, r.Diagnostics.MaxParticipation).Epsilon,
        };

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
    }

    private async Task StartFilesAsync(IReadOnlyList<EvaluationRecord> records)
    {
        var metrics = new StringBuilder(MetricsCsv.HeaderFor(_columns)).Append('\n');
        var diagnostics = new StringBuilder(DiagnosticsHeader).Append('\n');
        foreach (var r in records)
        {
            metrics.Append(MetricsCsv.Format(Row(r, _privacy), _columns)).Append('\n');
            diagnostics.Append(DiagnosticsRow(r)).Append('\n');
        }
        await AtomicFile.WriteAllTextAsync(_run.MetricsPath, metrics.ToString(), CancellationToken.None);
        await AtomicFile.WriteAllTextAsync(DiagnosticsPath, diagnostics.ToString(), CancellationToken.None);
        _metrics = MetricsCsv.Open(_run.MetricsPath, _columns);
        _diagnostics = Append(DiagnosticsPath);
    }

    private static StreamWriter Append(string path) =>
        new(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read), Utf8) { NewLine = "\n" };
}
