using System.Globalization;
using System.Threading.Channels;
using FedActors.Actors.Coordination;
using FedActors.Actors.Jobs;
using FedActors.Actors.Runs;
using FedActors.Host.Progress;

namespace FedActors.Host.Runs;

/// <summary>
/// Hands evaluations from the coordinator's thread to a command's writer loop, in order; the ledgers are written on
/// the coordinator's thread itself, so a line is out before what follows it is journaled.
/// </summary>
/// <param name="progress">Where progress lines go.</param>
/// <param name="ledgers">The run's update and acknowledgement ledgers.</param>
/// <param name="warn">Where warnings the run survives go.</param>
public sealed class ChannelRunObserver(IRunProgress progress, RunLedgers ledgers, Action<string> warn) : IRunObserver
{
    private readonly Channel<object> _items = Channel.CreateUnbounded<object>(new() { SingleReader = true });

    /// <summary>Evaluation records and restorations, for <see cref="RunOutputs.WriteAsync"/>.</summary>
    public ChannelReader<object> Items => _items.Reader;

    /// <summary>No more items follow.</summary>
    public void Complete() => _items.Writer.TryComplete();

    /// <inheritdoc />
    public void OnEvaluation(EvaluationRecord record)
    {
        _items.Writer.TryWrite(record);
        progress.Report(record.ServerStep, record.Accuracy, record.Loss,
            string.Create(CultureInfo.InvariantCulture, $"virtual {record.VirtualSeconds:F0} s, staleness {record.MeanStaleness:F1}"));
    }

    /// <inheritdoc />
    public void OnProgress(Actors.Runs.RunProgress p) =>
        progress.Report(p.ServerStep, extra: string.Create(CultureInfo.InvariantCulture,
            $"virtual {p.VirtualSeconds:F0} s, {p.UpdatesPerSecond:F0} updates/s, {p.InFlight} in flight"));

    /// <inheritdoc />
    public void OnRestored(RestoredRun restored)
    {
        ledgers.Restore(restored.ServerStep);
        _items.Writer.TryWrite(restored);
        progress.Report(restored.ServerStep, extra: $"resumed after step {restored.ServerStep} (resume {restored.Resumed})");
    }

    /// <inheritdoc />
    public void OnUpdateApplied(AppliedUpdate update) => ledgers.Applied(update);

    /// <inheritdoc />
    public void OnAcknowledged(JobId job, int clientId) => ledgers.Acknowledged(job, clientId);

    /// <inheritdoc />
    public void OnWarning(string message) => warn(message);
}
