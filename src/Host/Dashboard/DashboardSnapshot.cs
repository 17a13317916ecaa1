using System.Text.Json;
using FedActors.Actors.Coordination;
using FedActors.Host.Runs;

namespace FedActors.Host.Dashboard;

/// <summary>Everything the dashboard page draws, as one JSON document (camelCase).</summary>
/// <param name="Title">What runs: algorithm, model, data set, clients.</param>
/// <param name="Status">running, completed, stopped or failed.</param>
/// <param name="Source">Where the numbers come from: <c>live</c> (this process's run) or the run directory's files.</param>
/// <param name="MaxServerSteps">The run's length in server steps, when known.</param>
/// <param name="Progress">The latest progress tick; null before the first.</param>
/// <param name="Evaluations">Every evaluation so far, in step order (the rows of metrics.csv).</param>
/// <param name="Drift">The client-drift diagnostics of the latest evaluation; null before the first.</param>
/// <param name="Rates">Updates applied per wall second at each progress tick (the most recent <see cref="DashboardFeed.MaxRates"/>).</param>
/// <param name="Cluster">The cluster's members, on a coordinator node; null in one process.</param>
/// <param name="Version">Grows with every change, so the page and its tests can tell a new snapshot from an old one.</param>
public sealed record DashboardSnapshot(
    string Title,
    string Status,
    string Source,
    long? MaxServerSteps,
    DashboardProgress? Progress,
    IReadOnlyList<MetricsRow> Evaluations,
    DashboardDrift? Drift,
    IReadOnlyList<DashboardRate> Rates,
    IReadOnlyList<DashboardMember>? Cluster,
    long Version)
{
    /// <summary>camelCase names, numbers as numbers.</summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web) { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>This snapshot as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);
}

/// <summary>A progress tick as the dashboard shows it.</summary>
public sealed record DashboardProgress(
    long ServerStep,
    long UpdatesApplied,
    double UpdatesPerSecond,
    double VirtualSeconds,
    double WallSeconds,
    int InFlight,
    long BytesUp,
    long BytesDown,
    IReadOnlyDictionary<string, long> UpdatesRejected,
    long UpdatesDroppedStale,
    double TrainSeconds);

/// <summary>Client-drift diagnostics of one evaluation (diagnostics.csv).</summary>
public sealed record DashboardDrift(
    long ServerStep,
    int Updates,
    double MeanUpdateNorm,
    double UpdateNormVariance,
    double? MeanCosineToAggregate,
    int ParticipatingClients,
    int MaxParticipation,
    long UpdatesRejected,
    long UpdatesDroppedStale,
    long JobsDropped,
    IReadOnlyDictionary<string, long> StalenessHistogram)
{
    /// <summary>The drift of <paramref name="record"/>.</summary>
    public static DashboardDrift Of(EvaluationRecord record)
    {
        var d = record.Diagnostics;
        return new DashboardDrift(record.ServerStep, d.Updates, d.MeanUpdateNorm, d.UpdateNormVariance, d.MeanCosineToAggregate,
            d.ParticipatingClients, d.MaxParticipation, d.UpdatesRejected, d.UpdatesDroppedStale, d.JobsDropped,
            d.StalenessHistogram.OrderBy(kv => kv.Key).ToDictionary(kv => kv.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), kv => kv.Value));
    }
}

/// <summary>Updates applied per wall second at one progress tick.</summary>
public sealed record DashboardRate(double WallSeconds, double UpdatesPerSecond);

/// <summary>A cluster member as the dashboard lists it.</summary>
/// <param name="Address">Its address.</param>
/// <param name="Status">Up, Joining, Leaving, unreachable, ...</param>
/// <param name="Roles">Its roles.</param>
/// <param name="Shards">Client shards it hosts.</param>
/// <param name="UpdatesPerSecond">Updates from its clients applied per wall second, when known.</param>
public sealed record DashboardMember(string Address, string Status, IReadOnlyList<string> Roles, int Shards, double? UpdatesPerSecond);
