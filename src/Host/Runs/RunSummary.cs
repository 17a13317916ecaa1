using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using FedActors.Actors.Aggregation;
using FedActors.Actors.Attacks;
using FedActors.Actors.Coordination;
using FedActors.Actors.Privacy;
using FedActors.Actors.Runs;
using FedActors.Host.Settings;

namespace FedActors.Host.Runs;

/// <summary>
/// <c>summary.json</c> of a run directory: exactly the keys of DESIGN.md §4, snake_case, numbers as numbers,
/// <c>null</c> where a key does not apply (e.g. <c>buffer_size</c> of a centralized run) and for non-finite values.
/// </summary>
public sealed record RunSummary
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Converters = { new FiniteDoubleConverter() },
    };

    /// <summary>How the run ended.</summary>
    [JsonPropertyName("status")] public required RunStatus Status { get; init; }

    /// <summary>fedbuff | fedavg | fedasync | centralized.</summary>
    [JsonPropertyName("algorithm")] public required string Algorithm { get; init; }

    /// <summary>The data set name (<c>fedactors.data.dataset</c>).</summary>
    [JsonPropertyName("dataset")] public required string Dataset { get; init; }

    /// <summary>The model name (<c>fedactors.model.name</c>).</summary>
    [JsonPropertyName("model")] public required string Model { get; init; }

    /// <summary>The partition kind; null for a centralized run.</summary>
    [JsonPropertyName("partition")] public string? Partition { get; init; }

    /// <summary>The master seed.</summary>
    [JsonPropertyName("seed")] public required long Seed { get; init; }

    /// <summary>Clients in the population; null for a centralized run.</summary>
    [JsonPropertyName("num_clients")] public int? NumClients { get; init; }

    /// <summary>Jobs in flight at once; null where not applicable.</summary>
    [JsonPropertyName("concurrency")] public int? Concurrency { get; init; }

    /// <summary>FedBuff buffer size K; null where not applicable.</summary>
    [JsonPropertyName("buffer_size")] public int? BufferSize { get; init; }

    /// <summary>Server steps (centralized: optimizer steps).</summary>
    [JsonPropertyName("server_steps")] public long ServerSteps { get; init; }

    /// <summary>Client updates applied to the global model; null for a centralized run.</summary>
    [JsonPropertyName("updates_applied")] public long? UpdatesApplied { get; init; }

    /// <summary>Rejected updates by reason.</summary>
    [JsonPropertyName("updates_rejected")] public IReadOnlyDictionary<string, long> UpdatesRejected { get; init; } = new Dictionary<string, long>();

    /// <summary>Updates dropped for exceeding the staleness bound; null where not applicable.</summary>
    [JsonPropertyName("updates_dropped_stale")] public long? UpdatesDroppedStale { get; init; }

    /// <summary>Test accuracy of the final model.</summary>
    [JsonPropertyName("final_accuracy")] public double? FinalAccuracy { get; init; }

    /// <summary>Test loss of the final model.</summary>
    [JsonPropertyName("final_loss")] public double? FinalLoss { get; init; }

    /// <summary>Best test accuracy seen at any evaluation.</summary>
    [JsonPropertyName("best_accuracy")] public double? BestAccuracy { get; init; }

    /// <summary><c>fedactors.run.target-accuracy</c>; null when disabled.</summary>
    [JsonPropertyName("target_accuracy")] public double? TargetAccuracy { get; init; }

    /// <summary>Virtual seconds until the target was first reached; null if never.</summary>
    [JsonPropertyName("virtual_seconds_to_target")] public double? VirtualSecondsToTarget { get; init; }

    /// <summary>Updates applied until the target was first reached; null if never.</summary>
    [JsonPropertyName("updates_to_target")] public long? UpdatesToTarget { get; init; }

    /// <summary>Upload bytes until the target was first reached; null if never.</summary>
    [JsonPropertyName("bytes_up_to_target")] public long? BytesUpToTarget { get; init; }

    /// <summary>Virtual (simulated) seconds at the end; equals wall seconds on the wall clock.</summary>
    [JsonPropertyName("virtual_seconds")] public double? VirtualSeconds { get; init; }

    /// <summary>Real seconds the run took.</summary>
    [JsonPropertyName("wall_seconds")] public double WallSeconds { get; init; }

    /// <summary>Samples processed by local (or centralized) training.</summary>
    [JsonPropertyName("samples_trained")] public long SamplesTrained { get; init; }

    /// <summary>Real compute seconds spent in local training.</summary>
    [JsonPropertyName("train_seconds")] public double TrainSeconds { get; init; }

    /// <summary>Serialized bytes of updates sent to the server; null for a centralized run.</summary>
    [JsonPropertyName("bytes_up")] public long? BytesUp { get; init; }

    /// <summary>Serialized bytes of models sent to clients; null for a centralized run.</summary>
    [JsonPropertyName("bytes_down")] public long? BytesDown { get; init; }

    /// <summary>
    /// The uplink codec chain (<c>fedactors.compression.uplink</c>, e.g. <c>topk-0.01+ef</c>), followed by
    /// <c>; downlink q8</c> when models go out compressed; null when neither is.
    /// </summary>
    [JsonPropertyName("compression")] public string? Compression { get; init; }

    /// <summary>The simulated attack (<c>fedactors.attack.kind</c>: <c>sign-flip</c>, <c>scaling</c>, …); null when nobody attacks.</summary>
    [JsonPropertyName("attack")] public string? Attack { get; init; }

    /// <summary>The server's defense: its robust aggregator and norm bound (<c>median+norm-bound</c>); null when it takes the plain mean.</summary>
    [JsonPropertyName("defense")] public string? Defense { get; init; }

    /// <summary>The fraction of the clients that were malicious; null when nobody attacks.</summary>
    [JsonPropertyName("malicious_fraction")] public double? MaliciousFraction { get; init; }

    /// <summary>Updates a robust aggregator that selects whole updates left out of its steps; null for a centralized run.</summary>
    [JsonPropertyName("updates_filtered")] public long? UpdatesFiltered { get; init; }

    /// <summary>Updates of malicious clients that went into an aggregate; null when nobody attacks.</summary>
    [JsonPropertyName("malicious_updates_accepted")] public long? MaliciousUpdatesAccepted { get; init; }

    /// <summary>Updates of malicious clients the robust aggregator left out; null when nobody attacks.</summary>
    [JsonPropertyName("malicious_updates_filtered")] public long? MaliciousUpdatesFiltered { get; init; }

    /// <summary>
    /// The final model's backdoor accuracy: the share of triggered test images (those not of the target label) it
    /// classifies as the target; null when no backdoor is simulated.
    /// </summary>
    [JsonPropertyName("backdoor_accuracy")] public double? BackdoorAccuracy { get; init; }

    /// <summary>The differential-privacy mechanism (<c>fedactors.privacy.mode</c>: <c>central</c> or <c>local</c>); null when DP is off.</summary>
    [JsonPropertyName("privacy")] public string? Privacy { get; init; }

    /// <summary>
    /// Client-level ε spent by the run at <see cref="Delta"/>: over its steps with amplification under Poisson rounds,
    /// otherwise without amplification over the most frequent client's contributions (docs/privacy.md); null when DP is off.
    /// </summary>
    [JsonPropertyName("epsilon")] public double? Epsilon { get; init; }

    /// <summary>δ of <see cref="Epsilon"/>; null when DP is off.</summary>
    [JsonPropertyName("delta")] public double? Delta { get; init; }

    /// <summary>
    /// <see cref="BytesUp"/> per update that arrived (applied, rejected or dropped as stale), header included; null
    /// without updates or for a centralized run.
    /// </summary>
    [JsonPropertyName("bytes_up_per_update")] public double? BytesUpPerUpdate { get; init; }

    /// <summary>See <see cref="FedActors.Training.Models.ModelHash.Sha256"/>; null when no final model exists.</summary>
    [JsonPropertyName("model_sha256")] public string? ModelSha256 { get; init; }

    /// <summary>How many times this run was resumed.</summary>
    [JsonPropertyName("resumed")] public int Resumed { get; init; }

    /// <summary>The summary of the federated run <paramref name="r"/> of <paramref name="settings"/> over <paramref name="numClients"/> clients.</summary>
    public static RunSummary Of(FedActorsSettings settings, int numClients, RunResult r)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(r);
        var c = r.Counters;
        var partition = settings.Data.Partition;
        var privacy = ClientLevelAccounting.For(settings.Run.Privacy, numClients);
        return new RunSummary
        {
            Status = r.Status switch
            {
                Actors.Coordination.RunStatus.Completed => RunStatus.Completed,
                Actors.Coordination.RunStatus.Stopped => RunStatus.Stopped,
                Actors.Coordination.RunStatus.BudgetExhausted => RunStatus.BudgetExhausted,
                _ => RunStatus.Failed,
            },
            Algorithm = r.Algorithm,
            Dataset = settings.Data.Dataset,
            Model = settings.Run.ModelName,
            Partition = settings.Data.Dataset == "synthetic" ? "natural" : partition.Notation,
            Seed = settings.Seed,
            NumClients = numClients,
            Concurrency = settings.Server.Participation is Participation.Continuous continuous ? continuous.Concurrency : null,
            BufferSize = settings.Server.UpdatesPerStep,
            ServerSteps = c.ServerSteps,
            UpdatesApplied = c.UpdatesApplied,
            UpdatesRejected = c.UpdatesRejected,
            UpdatesDroppedStale = c.UpdatesDroppedStale,
            FinalAccuracy = r.FinalAccuracy,
            FinalLoss = r.FinalLoss,
            BestAccuracy = r.BestAccuracy,
            TargetAccuracy = r.TargetAccuracy,
            VirtualSecondsToTarget = r.Target?.VirtualSeconds,
            UpdatesToTarget = r.Target?.Updates,
            BytesUpToTarget = r.Target?.BytesUp,
            VirtualSeconds = c.VirtualSeconds,
            WallSeconds = r.WallSeconds,
            SamplesTrained = c.SamplesTrained,
            TrainSeconds = c.TrainSeconds,
            BytesUp = c.BytesUp,
            BytesDown = c.BytesDown,
            Compression = settings.Run.Compression.Summary,
            Attack = settings.Run.Attack.Kind == AttackKind.None ? null : settings.Run.Attack.KindName,
            Defense = DefenseOf(settings.Server),
            MaliciousFraction = settings.Run.Attack.Kind == AttackKind.None ? null : settings.Run.Attack.Fraction,
            UpdatesFiltered = (c.Defense ?? DefenseCounts.None).Filtered,
            MaliciousUpdatesAccepted = settings.Run.Attack.Kind == AttackKind.None ? null : (c.Defense ?? DefenseCounts.None).MaliciousAccepted,
            MaliciousUpdatesFiltered = settings.Run.Attack.Kind == AttackKind.None ? null : (c.Defense ?? DefenseCounts.None).MaliciousFiltered,
            BackdoorAccuracy = r.Evaluations.Count > 0 ? r.Evaluations[^1].BackdoorAccuracy : null,
            Privacy = privacy is null ? null : settings.Run.Privacy.Mode.ToString().ToLowerInvariant(),
            Epsilon = privacy?.Spent(c.ServerSteps, c.MaxParticipation).Epsilon,
            Delta = privacy?.Delta,
            BytesUpPerUpdate = Arrived(c) is > 0 and var arrived ? (double)c.BytesUp / arrived : null,
            ModelSha256 = r.ModelSha256,
            Resumed = r.Resumed,
        };
    }

    // The robust aggregator (not the plain mean) and the norm bound, joined by '+'; null when neither is on.
    private static string? DefenseOf(IStrategySettings server)
    {
        var parts = new List<string>();
        var inner = server;
        if (server is WrappedStrategySettings wrapped)
        {
            if (wrapped.Wrappers.Any(w => w is NormBoundSettings)) parts.Add(NormBoundSettings.WrapperName);
            inner = wrapped.Inner;
        }
        var aggregator = inner switch { FedBuffSettings b => b.Aggregator, FedAvgSettings a => a.Aggregator, _ => Combiners.Mean };
        if (aggregator.Name != Combiners.Mean.Name) parts.Insert(0, aggregator.Name);
        return parts.Count == 0 ? null : string.Join("+", parts);
    }

    // A failed job sent no update; every other rejection is of an update that arrived and was counted in bytes_up.
    private static long Arrived(Actors.Coordination.RunCounters c) =>
        c.UpdatesApplied + c.UpdatesDroppedStale + c.UpdatesRejected.Where(r => r.Key != "failed").Sum(r => r.Value);

    /// <summary>The summary as indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Writes the summary atomically (temporary file + rename), so readers never see half a file.</summary>
    public Task WriteAsync(string path, CancellationToken ct) =>
        AtomicFile.WriteAllBytesAsync(path, JsonSerializer.SerializeToUtf8Bytes(this, Json), ct);

    /// <summary>Reads a summary written by <see cref="WriteAsync"/>.</summary>
    /// <exception cref="FedActorsException">The file is not a summary.</exception>
    public static async Task<RunSummary> ReadAsync(string path, CancellationToken ct)
    {
        await using var stream = File.OpenRead(path);
        try
        {
            return await JsonSerializer.DeserializeAsync<RunSummary>(stream, Json, ct)
                ?? throw new FedActorsException($"{path}: empty summary");
        }
        catch (JsonException e)
        {
            throw new FedActorsException($"{path}: not a run summary ({e.Message})", e);
        }
    }

    /// <summary>Reads a summary written by <see cref="WriteAsync"/>, synchronously.</summary>
    /// <exception cref="FedActorsException">The file is not a summary.</exception>
    public static RunSummary Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<RunSummary>(File.ReadAllBytes(path), Json) ?? throw new FedActorsException($"{path}: empty summary");
        }
        catch (JsonException e)
        {
            throw new FedActorsException($"{path}: not a run summary ({e.Message})", e);
        }
    }

    /// <summary>Writes NaN and ±∞ (e.g. a diverged loss) as null: JSON has no such numbers.</summary>
    private sealed class FiniteDoubleConverter : JsonConverter<double>
    {
        public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.GetDouble();

        public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
        {
            if (double.IsFinite(value)) writer.WriteNumberValue(value);
            else writer.WriteNullValue();
        }
    }
}
