using FedActors.Actors.Coordination;
using FedActors.Actors.Jobs;

namespace FedActors.Actors.Runs;

/// <summary>
/// Hands every callback to several observers in turn (the run's outputs, a dashboard, a metrics exporter), on the
/// coordinator's thread: each must return quickly.
/// </summary>
public sealed class RunObserverGroup : IRunObserver
{
    private readonly IRunObserver[] _observers;

    /// <summary>Creates the group; callbacks reach <paramref name="observers"/> in this order.</summary>
    public RunObserverGroup(params IRunObserver[] observers)
    {
        ArgumentNullException.ThrowIfNull(observers);
        if (observers.Any(o => o is null)) throw new ArgumentException("an observer must not be null", nameof(observers));
        _observers = observers;
    }

    /// <inheritdoc />
    public void OnEvaluation(EvaluationRecord record)
    {
        foreach (var o in _observers) o.OnEvaluation(record);
    }

    /// <inheritdoc />
    public void OnProgress(RunProgress progress)
    {
        foreach (var o in _observers) o.OnProgress(progress);
    }

    /// <inheritdoc />
    public void OnRestored(RestoredRun restored)
    {
        foreach (var o in _observers) o.OnRestored(restored);
    }

    /// <inheritdoc />
    public void OnUpdateApplied(AppliedUpdate update)
    {
        foreach (var o in _observers) o.OnUpdateApplied(update);
    }

    /// <inheritdoc />
    public void OnAcknowledged(JobId job, int clientId)
    {
        foreach (var o in _observers) o.OnAcknowledged(job, clientId);
    }

    /// <inheritdoc />
    public void OnWarning(string message)
    {
        foreach (var o in _observers) o.OnWarning(message);
    }

    /// <inheritdoc />
    public void OnStepJournaled(long serverStep, double seconds)
    {
        foreach (var o in _observers) o.OnStepJournaled(serverStep, seconds);
    }
}
