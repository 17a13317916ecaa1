namespace FedActors.Host.Progress;

/// <summary>
/// Shows how far a run is. Implementations are safe to call from any one thread at a time; training
/// code reports and the display decides how to draw.
/// </summary>
public interface IRunProgress : IDisposable
{
    /// <summary>Begins a run of <paramref name="total"/> steps (server steps or epochs).</summary>
    void Start(long total, string description);

    /// <summary>Reports the current step and, after an evaluation, its accuracy and loss.</summary>
    /// <param name="step">Steps done so far.</param>
    /// <param name="accuracy">Latest test accuracy, if one was just measured.</param>
    /// <param name="loss">Latest test loss, if one was just measured.</param>
    /// <param name="extra">Short free text, e.g. "staleness 3.2".</param>
    void Report(long step, double? accuracy = null, double? loss = null, string? extra = null);

    /// <summary>The run finished; <paramref name="message"/> is shown last.</summary>
    void Complete(string? message = null);

    /// <summary>The run stopped early (cancelled or failed) for <paramref name="reason"/>.</summary>
    void Stop(string reason);
}
