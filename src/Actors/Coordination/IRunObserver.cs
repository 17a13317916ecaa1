namespace FedActors.Actors.Coordination;

/// <summary>Receives a run's measurements as they happen. Called on the coordinator's thread: return quickly.</summary>
public interface IRunObserver
{
    /// <summary>An evaluation completed; records arrive in server-step order, starting with step 0.</summary>
    void OnEvaluation(EvaluationRecord record);

    /// <summary>A periodic progress tick (about once a second of wall time).</summary>
    void OnProgress(RunProgress progress);
}

/// <summary>A progress tick.</summary>
/// <param name="ServerStep">Server steps taken.</param>
/// <param name="UpdatesApplied">Updates applied so far.</param>
/// <param name="UpdatesPerSecond">Updates applied per wall second since the previous tick.</param>
/// <param name="VirtualSeconds">Simulated seconds so far.</param>
/// <param name="WallSeconds">Wall seconds since the start.</param>
/// <param name="InFlight">Jobs in flight.</param>
public sealed record RunProgress(long ServerStep, long UpdatesApplied, double UpdatesPerSecond, double VirtualSeconds, double WallSeconds, int InFlight);

/// <summary>An observer that ignores everything.</summary>
public sealed class NullRunObserver : IRunObserver
{
    /// <summary>The single instance.</summary>
    public static NullRunObserver Instance { get; } = new();

    /// <inheritdoc />
    public void OnEvaluation(EvaluationRecord record) { }

    /// <inheritdoc />
    public void OnProgress(RunProgress progress) { }
}
