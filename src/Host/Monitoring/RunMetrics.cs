using System.Diagnostics.Metrics;
using FedActors.Actors.Coordination;
using FedActors.Actors.Privacy;
using FedActors.Actors.Runs;

namespace FedActors.Host.Monitoring;

/// <summary>
/// A run's OpenTelemetry metrics (meter <see cref="MeterName"/>), fed from the coordinator's callbacks: updates applied
/// and their staleness as they happen, journal write latency per step, and from each progress tick (about once a second)
/// the server step, rejections by reason, bytes, trainer busy time and jobs in flight; accuracy and loss from each
/// evaluation; with differential privacy, the client-level ε spent so far. Observable instruments read the latest tick,
/// so a scrape never waits for the coordinator.
/// </summary>
public sealed class RunMetrics : IRunObserver, IDisposable
{
    /// <summary>The meter's name, for exporters that select meters by name.</summary>
    public const string MeterName = "FedActors";

    private readonly Meter _meter;
    private readonly Counter<long> _applied;
    private readonly Histogram<int> _staleness;
    private readonly Histogram<double> _journalWrite;
    private readonly ClientLevelAccounting? _privacy;
    private RunProgress? _progress;
    private EvaluationRecord? _evaluation;

    /// <summary>Creates the meter and its instruments; with <paramref name="privacy"/> (the run's DP accounting) also ε's.</summary>
    public RunMetrics(ClientLevelAccounting? privacy = null)
    {
        _privacy = privacy;
        _meter = new Meter(MeterName);
        _applied = _meter.CreateCounter<long>("fedactors.updates_applied", "{update}", "Client updates that went into a server step.");
        _staleness = _meter.CreateHistogram<int>("fedactors.update_staleness", "{step}", "Server steps between an applied update's base version and its step.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [0, 1, 2, 4, 8, 16, 32, 64, 128] });
        _journalWrite = _meter.CreateHistogram<double>("fedactors.journal_write_duration", "s", "Wall time from handing a server step to the journal to its write.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2] });
        _meter.CreateObservableCounter("fedactors.server_steps", () => _progress?.ServerStep ?? 0L, "{step}", "Server steps taken.");
        _meter.CreateObservableCounter("fedactors.updates_rejected", Rejected, "{update}", "Client updates the coordinator did not apply, by reason.");
        _meter.CreateObservableCounter("fedactors.updates_dropped_stale", () => _progress?.Counters.UpdatesDroppedStale ?? 0L, "{update}",
            "Client updates dropped for staleness.");
        _meter.CreateObservableCounter("fedactors.bytes_up", () => _progress?.Counters.BytesUp ?? 0L, "By", "Serialized update bytes received.");
        _meter.CreateObservableCounter("fedactors.bytes_down", () => _progress?.Counters.BytesDown ?? 0L, "By", "Serialized model bytes sent.");
        _meter.CreateObservableCounter("fedactors.trainer_busy_time", () => _progress?.Counters.TrainSeconds ?? 0.0, "s",
            "Compute seconds spent in local training, summed over the results received.");
        _meter.CreateObservableCounter("fedactors.samples_trained", () => _progress?.Counters.SamplesTrained ?? 0L, "{sample}", "Samples trained locally.");
        _meter.CreateObservableGauge("fedactors.jobs_in_flight", () => _progress?.InFlight ?? 0, "{job}", "Training jobs handed out and not yet answered.");
        _meter.CreateObservableGauge("fedactors.virtual_time", () => _progress?.VirtualSeconds ?? 0.0, "s", "The run's virtual clock.");
        _meter.CreateObservableGauge("fedactors.updates_rate", () => _progress?.UpdatesPerSecond ?? 0.0, "{update}/s", "Updates applied per wall second at the last tick.");
        _meter.CreateObservableGauge("fedactors.test_accuracy", Accuracy, "1", "Test accuracy of the last evaluated global model.");
        _meter.CreateObservableGauge("fedactors.test_loss", Loss, "1", "Mean test loss of the last evaluated global model.");
        if (privacy is not null)
            _meter.CreateObservableGauge("fedactors.privacy_epsilon", Epsilon, "1",
                "Client-level epsilon spent so far at the run's delta, over the most frequent client's contributions.");
    }

    /// <inheritdoc />
    public void OnUpdateApplied(AppliedUpdate update)
    {
        _applied.Add(1);
        _staleness.Record(update.Staleness);
    }

    /// <inheritdoc />
    public void OnStepJournaled(long serverStep, double seconds) => _journalWrite.Record(seconds);

    /// <inheritdoc />
    public void OnProgress(RunProgress progress) => Volatile.Write(ref _progress, progress);

    /// <inheritdoc />
    public void OnEvaluation(EvaluationRecord record) => Volatile.Write(ref _evaluation, record);

    /// <inheritdoc />
    public void OnRestored(RestoredRun restored)
    {
        if (restored.Records.Count > 0) Volatile.Write(ref _evaluation, restored.Records[^1]);
    }

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();

    private IEnumerable<Measurement<long>> Rejected()
    {
        var counters = Volatile.Read(ref _progress)?.Counters;
        if (counters is null) yield break;
        foreach (var (reason, count) in counters.UpdatesRejected)
            yield return new Measurement<long>(count, new KeyValuePair<string, object?>("reason", reason));
    }

    private IEnumerable<Measurement<double>> Accuracy()
    {
        if (Volatile.Read(ref _evaluation) is { } e) yield return new Measurement<double>(e.Accuracy);
    }

    private IEnumerable<Measurement<double>> Epsilon()
    {
        if (_privacy is { } p && Volatile.Read(ref _progress) is { } progress)
            yield return new Measurement<double>(p.Spent(progress.Counters.ServerSteps, progress.Counters.MaxParticipation).Epsilon);
    }

    private IEnumerable<Measurement<double>> Loss()
    {
        if (Volatile.Read(ref _evaluation) is { } e && double.IsFinite(e.Loss)) yield return new Measurement<double>(e.Loss);
    }
}
