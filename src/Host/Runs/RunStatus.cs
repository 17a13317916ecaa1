using System.Text.Json.Serialization;

namespace FedActors.Host.Runs;

/// <summary>How a run ended (<c>status</c> in summary.json).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RunStatus>))]
public enum RunStatus
{
    /// <summary>Reached its step/epoch budget or target.</summary>
    [JsonStringEnumMemberName("completed")] Completed,

    /// <summary>Stopped early on request (Ctrl+C); it can be resumed.</summary>
    [JsonStringEnumMemberName("stopped")] Stopped,

    /// <summary>Ended by an error.</summary>
    [JsonStringEnumMemberName("failed")] Failed,

    /// <summary>Stopped before the step that would have spent more than its privacy budget.</summary>
    [JsonStringEnumMemberName("budget_exhausted")] BudgetExhausted,
}
