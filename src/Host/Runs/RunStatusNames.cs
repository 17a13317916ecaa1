namespace FedActors.Host.Runs;

/// <summary>The words a run's status is written as (summary.json, tables, the console, the dashboard).</summary>
public static class RunStatusNames
{
    /// <summary>"completed", "stopped", "failed" or "budget_exhausted", as in summary.json.</summary>
    public static string Of(RunStatus status) => status switch
    {
        RunStatus.Completed => "completed",
        RunStatus.Stopped => "stopped",
        RunStatus.Failed => "failed",
        RunStatus.BudgetExhausted => "budget_exhausted",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "not a run status"),
    };

    /// <summary>The word of the runtime's <paramref name="status"/>.</summary>
    public static string Of(Actors.Coordination.RunStatus status) => status switch
    {
        Actors.Coordination.RunStatus.Completed => "completed",
        Actors.Coordination.RunStatus.Stopped => "stopped",
        Actors.Coordination.RunStatus.Failed => "failed",
        Actors.Coordination.RunStatus.BudgetExhausted => "budget_exhausted",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "not a run status"),
    };
}
