using FedActors.Actors.Aggregation;
using FedActors.Actors.Coordination;
using FedActors.Actors.Jobs;
using FedActors.Actors.Updates;
using FedActors.Training.LocalTraining;
using static FedActors.Actors.Clients.ClientProtocol;

namespace FedActors.Actors.Persistence;

/// <summary>
/// The payload layout of each persisted record: its fields in declaration order, nothing else (no
/// names, no type information beyond the frame's type tag and the result kind byte). Changing any of
/// it changes the format: bump <see cref="StateSerializer.FormatVersion"/> and keep reading the old one.
/// </summary>
internal static class StateCodec
{
    /// <summary>The kind byte in front of a journaled result.</summary>
    private const byte ClientUpdateKind = 1, JobFailedKind = 2;

    // Minimum encoded sizes, used to refuse counts the remaining bytes cannot hold before allocating.
    private const int CheckpointJobBytes = 8 + 4 + 8 + 8 + 1 + 1, CheckpointEventBytes = 8 + 4 + 8, ParticipationBytes = 4 + 4, ClientJobBytes = 4 + 8;

    // ---- RunStarted, StepPersisted, ResultPersisted, RunResumed, CoordinatorSnapshot, EvaluationPersisted, ClockAdvanced ----

    public static void Write(StateWriter w, RunStarted started)
    {
        ArgumentNullException.ThrowIfNull(started);
        w.WriteString(started.ConfigFingerprint);
        w.WriteFloats(started.InitialWeights);
    }

    public static RunStarted ReadRunStarted(ref StateReader r) =>
        new(r.ReadString("RunStarted.ConfigFingerprint"), r.ReadFloats("RunStarted.InitialWeights"));

    public static void Write(StateWriter w, StepPersisted step)
    {
        Write(w, step.Checkpoint);
        w.WriteFloats(step.Weights);
        w.WriteDouble(step.WallSeconds);
    }

    public static StepPersisted ReadStepPersisted(ref StateReader r) =>
        new(ReadCheckpoint(ref r), r.ReadFloats("StepPersisted.Weights"), r.ReadDouble("StepPersisted.WallSeconds"));

    public static void Write(StateWriter w, ResultPersisted result)
    {
        ArgumentNullException.ThrowIfNull(result);
        WriteResult(w, result.Result);
        w.WriteDouble(result.ArrivedAt);
    }

    public static ResultPersisted ReadResultPersisted(ref StateReader r) => new(ReadResult(ref r), r.ReadDouble("ResultPersisted.ArrivedAt"));

    public static void Write(StateWriter w, EvaluationPersisted evaluation)
    {
        w.WriteInt64(evaluation.ServerStep);
        w.WriteDouble(evaluation.Accuracy);
        w.WriteDouble(evaluation.Loss);
        w.WriteNullableDouble(evaluation.BackdoorAccuracy);
    }

    // Version 5 added the backdoor accuracy to evaluations, pending ones and records.
    public static EvaluationPersisted ReadEvaluationPersisted(ref StateReader r) =>
        new(r.ReadInt64("EvaluationPersisted.ServerStep"), r.ReadDouble("EvaluationPersisted.Accuracy"), r.ReadDouble("EvaluationPersisted.Loss"),
            r.FormatVersion >= 5 ? r.ReadNullableDouble("EvaluationPersisted.BackdoorAccuracy") : null);

    public static void Write(StateWriter w, ClockAdvanced clock) => w.WriteDouble(clock.Now);

    public static ClockAdvanced ReadClockAdvanced(ref StateReader r) => new(r.ReadDouble("ClockAdvanced.Now"));

    public static void Write(StateWriter w, RunResumed resumed) => w.WriteDouble(resumed.WallSeconds);

    public static RunResumed ReadRunResumed(ref StateReader r) => new(r.ReadDouble("RunResumed.WallSeconds"));

    public static void Write(StateWriter w, CoordinatorSnapshot snapshot)
    {
        Write(w, snapshot.Started);
        w.WriteBool(snapshot.Latest is not null);
        if (snapshot.Latest is not null) Write(w, snapshot.Latest);
        w.WriteList(snapshot.Versions, static (w, v) =>
        {
            ArgumentNullException.ThrowIfNull(v);
            w.WriteInt64(v.Number);
            w.WriteFloats(v.Weights);
        });
        w.WriteList(snapshot.Participation, WriteParticipation);
        w.WriteList(snapshot.Records, Write);
        w.WriteList(snapshot.Results, Write);
        w.WriteInt32(snapshot.Resumed);
        w.WriteDouble(snapshot.WallSeconds);
        w.WriteList(snapshot.LastResults, WriteClientJob);
    }

    public static CoordinatorSnapshot ReadCoordinatorSnapshot(ref StateReader r)
    {
        var snapshot = ReadSnapshotBody(ref r);
        // Version 4 added each client's last taken result.
        return r.FormatVersion < 4 ? snapshot
            : snapshot with { LastResults = r.ReadList("CoordinatorSnapshot.LastResults", ClientJobBytes, ReadClientJob) };
    }

    private static CoordinatorSnapshot ReadSnapshotBody(ref StateReader r) => new(
        ReadRunStarted(ref r),
        r.ReadBool("CoordinatorSnapshot.Latest") ? ReadCheckpoint(ref r) : null,
        r.ReadList("CoordinatorSnapshot.Versions", 8 + 4,
            static (ref StateReader r) => new ModelVersion(r.ReadInt64("ModelVersion.Number"), r.ReadFloats("ModelVersion.Weights"))),
        r.ReadList("CoordinatorSnapshot.Participation", ParticipationBytes, ReadParticipation),
        r.ReadList("CoordinatorSnapshot.Records", 1, ReadEvaluationRecord),
        r.ReadList("CoordinatorSnapshot.Results", 1 + 8, ReadResultPersisted),
        r.ReadInt32("CoordinatorSnapshot.Resumed"),
        r.ReadDouble("CoordinatorSnapshot.WallSeconds"));

    // ---- Journaled results: a kind byte, then the message ----

    private static void WriteResult(StateWriter w, IClientResult result)
    {
        switch (result)
        {
            case ClientUpdate u:
                w.WriteByte(ClientUpdateKind);
                w.WriteInt64(u.Job.Value);
                w.WriteInt32(u.ClientId);
                w.WriteInt64(u.BaseVersion);
                w.WritePayload(u.Payload);
                ArgumentNullException.ThrowIfNull(u.Stats);
                w.WriteInt64(u.Stats.Samples);
                w.WriteInt32(u.Stats.Steps);
                w.WriteDouble(u.Stats.MeanLoss);
                w.WriteDouble(u.Stats.UpdateNorm);
                w.WriteDouble(u.Stats.ComputeSeconds);
                break;
            case JobFailed f:
                w.WriteByte(JobFailedKind);
                w.WriteInt64(f.Job.Value);
                w.WriteInt32(f.ClientId);
                w.WriteString(f.Reason);
                break;
            default:
                throw new ArgumentException(
                    $"a journaled result is a {nameof(ClientUpdate)} or a {nameof(JobFailed)}, not {result?.GetType().Name ?? "null"}", nameof(result));
        }
    }

    private static IClientResult ReadResult(ref StateReader r)
    {
        var kind = r.ReadByte("result kind");
        return kind switch
        {
            ClientUpdateKind => new ClientUpdate(
                new JobId(r.ReadInt64("ClientUpdate.Job")),
                r.ReadInt32("ClientUpdate.ClientId"),
                r.ReadInt64("ClientUpdate.BaseVersion"),
                // Format version 3: the payload's own encoding; before it, always dense float32.
                r.FormatVersion >= 3 ? r.ReadPayload("ClientUpdate.Payload") : new DensePayload(r.ReadFloats("ClientUpdate.Delta")),
                new LocalTrainingStats(
                    r.ReadInt64("LocalTrainingStats.Samples"),
                    r.ReadInt32("LocalTrainingStats.Steps"),
                    r.ReadDouble("LocalTrainingStats.MeanLoss"),
                    r.ReadDouble("LocalTrainingStats.UpdateNorm"),
                    r.ReadDouble("LocalTrainingStats.ComputeSeconds"))),
            JobFailedKind => new JobFailed(
                new JobId(r.ReadInt64("JobFailed.Job")),
                r.ReadInt32("JobFailed.ClientId"),
                r.ReadString("JobFailed.Reason")),
            _ => throw new StateFormatException(StateFormatError.UnknownType,
                $"unknown result kind {kind}; this build reads {ClientUpdateKind} ({nameof(ClientUpdate)}) and {JobFailedKind} ({nameof(JobFailed)})"),
        };
    }

    // ---- CoordinatorCheckpoint and its parts ----

    private static void Write(StateWriter w, CoordinatorCheckpoint c)
    {
        ArgumentNullException.ThrowIfNull(c);
        w.WriteInt64(c.ServerStep);
        w.WriteDouble(c.Now);
        w.WriteInt64(c.NextJob);
        w.WriteList(c.InFlight, static (w, j) =>
        {
            w.WriteInt64(j.Id);
            w.WriteInt32(j.ClientId);
            w.WriteInt64(j.BaseVersion);
            w.WriteInt64(j.Round);
            w.WriteBool(j.Dropped);
            w.WriteBool(j.Arrived);
        });
        w.WriteList(c.Events, WriteEvent);
        w.WriteList(c.Abandoned, static (w, id) => w.WriteInt64(id));

        var round = c.Round ?? throw new ArgumentNullException(nameof(c), "CoordinatorCheckpoint.Round is null");
        w.WriteInt64(round.Number);
        w.WriteBool(round.Open);
        w.WriteInt32(round.Outstanding);
        w.WriteInt32(round.EmptyRounds);

        var counters = c.Counters ?? throw new ArgumentNullException(nameof(c), "CoordinatorCheckpoint.Counters is null");
        w.WriteMap(counters.Rejected, StringComparer.Ordinal, static (w, k) => w.WriteString(k), static (w, v) => w.WriteInt64(v));
        w.WriteInt64(counters.UpdatesApplied);
        w.WriteInt64(counters.DroppedStale);
        w.WriteInt64(counters.JobsDispatched);
        w.WriteInt64(counters.JobsDropped);
        w.WriteInt64(counters.SamplesTrained);
        w.WriteDouble(counters.TrainSeconds);
        w.WriteInt64(counters.BytesUp);
        w.WriteInt64(counters.BytesDown);
        w.WriteInt64(counters.Filtered);
        w.WriteInt64(counters.MaliciousTaken);
        w.WriteInt64(counters.MaliciousFiltered);

        var window = c.Window ?? throw new ArgumentNullException(nameof(c), "CoordinatorCheckpoint.Window is null");
        WriteHistogram(w, window.StalenessHistogram);
        w.WriteInt32(window.Updates);
        w.WriteInt32(window.MaxStaleness);
        w.WriteDouble(window.StalenessSum);
        w.WriteDouble(window.NormMean);
        w.WriteDouble(window.NormM2);
        w.WriteDouble(window.CosineSum);
        w.WriteInt32(window.CosineCount);

        w.WriteList(c.ParticipationChanges, WriteParticipation);
        w.WriteInt32(c.MaxParticipation);
        w.WriteList(c.PendingEvaluations, static (w, p) =>
        {
            ArgumentNullException.ThrowIfNull(p);
            Write(w, p.Snapshot);
            w.WriteNullableDouble(p.Accuracy);
            w.WriteNullableDouble(p.Loss);
            w.WriteNullableDouble(p.BackdoorAccuracy);
        });
        w.WriteList(c.NewRecords, Write);
        w.WriteInt64(c.LastEvaluationRequested);
        w.WriteBool(c.Finishing);
        w.WriteBool(c.Finished);
        w.WriteInt32((int)c.Status);
        w.WriteNullableString(c.FailureReason);

        w.WriteBool(c.Target is not null);
        if (c.Target is { } t)
        {
            w.WriteInt64(t.ServerStep);
            w.WriteDouble(t.VirtualSeconds);
            w.WriteDouble(t.WallSeconds);
            w.WriteInt64(t.Updates);
            w.WriteInt64(t.BytesUp);
        }

        w.WriteBool(c.Optimizer is not null);
        if (c.Optimizer is { } o)
        {
            w.WriteString(o.Optimizer);
            w.WriteInt64(o.Steps);
            w.WriteNullableFloats(o.M);
            w.WriteNullableFloats(o.V);
        }

        w.WriteList(c.RetainedVersions, static (w, v) => w.WriteInt64(v));
        // Format version 2: whether the lists above hold a step's changes only, and what left the state.
        w.WriteBool(c.IsDelta);
        w.WriteList(c.RemovedJobs, static (w, id) => w.WriteInt64(id));
        w.WriteList(c.RemovedEvents, WriteEvent);
        w.WriteList(c.RemovedAbandoned, static (w, id) => w.WriteInt64(id));
        w.WriteList(c.InFlight, static (w, j) => w.WriteInt64(j.PreviousJob));
        w.WriteList(c.LastResultChanges, WriteClientJob);
        // Format version 7: a strategy wrapper's state.
        w.WriteBool(c.Wrapper is not null);
        if (c.Wrapper is { } wrapper)
        {
            w.WriteString(wrapper.Owner);
            w.WriteList(wrapper.Values, static (w, v) => w.WriteDouble(v));
        }
    }

    private static void WriteClientJob(StateWriter w, ClientJob j)
    {
        w.WriteInt32(j.ClientId);
        w.WriteInt64(j.Job);
    }

    private static ClientJob ReadClientJob(ref StateReader r) => new(r.ReadInt32("ClientJob.ClientId"), r.ReadInt64("ClientJob.Job"));

    private static CoordinatorCheckpoint ReadCheckpoint(ref StateReader r)
    {
        var c = ReadCheckpointBody(ref r);
        if (r.FormatVersion < 4) return c;
        // Version 4 added each job's previous job (in the order of InFlight) and the clients' last taken results.
        var previous = r.ReadList("CoordinatorCheckpoint.PreviousJobs", 8, static (ref StateReader r) => r.ReadInt64("CheckpointJob.PreviousJob"));
        if (previous.Length != c.InFlight.Count)
            throw new StateFormatException(StateFormatError.InvalidValue,
                $"CoordinatorCheckpoint lists {previous.Length} previous jobs for {c.InFlight.Count} jobs in flight");
        c = c with
        {
            InFlight = c.InFlight.Select((j, i) => j with { PreviousJob = previous[i] }).ToArray(),
            LastResultChanges = r.ReadList("CoordinatorCheckpoint.LastResultChanges", ClientJobBytes, ReadClientJob),
        };
        // Version 7 added the state a strategy wrapper carries across steps.
        if (r.FormatVersion < 7 || !r.ReadBool("CoordinatorCheckpoint.Wrapper")) return c;
        return c with
        {
            Wrapper = new WrapperState(r.ReadString("WrapperState.Owner"),
                r.ReadList("WrapperState.Values", 8, static (ref StateReader r) => r.ReadDouble("WrapperState.Values"))),
        };
    }

    private static CoordinatorCheckpoint ReadCheckpointBody(ref StateReader r) => new()
    {
        ServerStep = r.ReadInt64("CoordinatorCheckpoint.ServerStep"),
        Now = r.ReadDouble("CoordinatorCheckpoint.Now"),
        NextJob = r.ReadInt64("CoordinatorCheckpoint.NextJob"),
        InFlight = r.ReadList("CoordinatorCheckpoint.InFlight", CheckpointJobBytes, static (ref StateReader r) => new CheckpointJob(
            r.ReadInt64("CheckpointJob.Id"),
            r.ReadInt32("CheckpointJob.ClientId"),
            r.ReadInt64("CheckpointJob.BaseVersion"),
            r.ReadInt64("CheckpointJob.Round"),
            r.ReadBool("CheckpointJob.Dropped"),
            r.ReadBool("CheckpointJob.Arrived"))),
        Events = r.ReadList("CoordinatorCheckpoint.Events", CheckpointEventBytes, ReadEvent),
        Abandoned = r.ReadList("CoordinatorCheckpoint.Abandoned", 8, static (ref StateReader r) => r.ReadInt64("CoordinatorCheckpoint.Abandoned")),
        Round = ReadRound(ref r),
        Counters = new CheckpointCounters(
            r.ReadMap("CheckpointCounters.Rejected", 4 + 8, StringComparer.Ordinal,
                static (ref StateReader r) => r.ReadString("CheckpointCounters.Rejected key"),
                static (ref StateReader r) => r.ReadInt64("CheckpointCounters.Rejected value")),
            r.ReadInt64("CheckpointCounters.UpdatesApplied"),
            r.ReadInt64("CheckpointCounters.DroppedStale"),
            r.ReadInt64("CheckpointCounters.JobsDispatched"),
            r.ReadInt64("CheckpointCounters.JobsDropped"),
            r.ReadInt64("CheckpointCounters.SamplesTrained"),
            r.ReadDouble("CheckpointCounters.TrainSeconds"),
            r.ReadInt64("CheckpointCounters.BytesUp"),
            r.ReadInt64("CheckpointCounters.BytesDown"),
            r.FormatVersion >= 6 ? r.ReadInt64("CheckpointCounters.Filtered") : 0,
            r.FormatVersion >= 6 ? r.ReadInt64("CheckpointCounters.MaliciousTaken") : 0,
            r.FormatVersion >= 6 ? r.ReadInt64("CheckpointCounters.MaliciousFiltered") : 0),
        Window = new CheckpointWindow(
            ReadHistogram(ref r, "CheckpointWindow.StalenessHistogram"),
            r.ReadInt32("CheckpointWindow.Updates"),
            r.ReadInt32("CheckpointWindow.MaxStaleness"),
            r.ReadDouble("CheckpointWindow.StalenessSum"),
            r.ReadDouble("CheckpointWindow.NormMean"),
            r.ReadDouble("CheckpointWindow.NormM2"),
            r.ReadDouble("CheckpointWindow.CosineSum"),
            r.ReadInt32("CheckpointWindow.CosineCount")),
        ParticipationChanges = r.ReadList("CoordinatorCheckpoint.ParticipationChanges", ParticipationBytes, ReadParticipation),
        MaxParticipation = r.ReadInt32("CoordinatorCheckpoint.MaxParticipation"),
        PendingEvaluations = r.ReadList("CoordinatorCheckpoint.PendingEvaluations", 1, static (ref StateReader r) => new CheckpointEvaluation(
            ReadEvaluationRecord(ref r),
            r.ReadNullableDouble("CheckpointEvaluation.Accuracy"),
            r.ReadNullableDouble("CheckpointEvaluation.Loss"))
        {
            BackdoorAccuracy = r.FormatVersion >= 5 ? r.ReadNullableDouble("CheckpointEvaluation.BackdoorAccuracy") : null,
        }),
        NewRecords = r.ReadList("CoordinatorCheckpoint.NewRecords", 1, ReadEvaluationRecord),
        LastEvaluationRequested = r.ReadInt64("CoordinatorCheckpoint.LastEvaluationRequested"),
        Finishing = r.ReadBool("CoordinatorCheckpoint.Finishing"),
        Finished = r.ReadBool("CoordinatorCheckpoint.Finished"),
        Status = r.ReadEnum<RunStatus>("CoordinatorCheckpoint.Status"),
        FailureReason = r.ReadNullableString("CoordinatorCheckpoint.FailureReason"),
        Target = r.ReadBool("CoordinatorCheckpoint.Target")
            ? new TargetReached(
                r.ReadInt64("TargetReached.ServerStep"),
                r.ReadDouble("TargetReached.VirtualSeconds"),
                r.ReadDouble("TargetReached.WallSeconds"),
                r.ReadInt64("TargetReached.Updates"),
                r.ReadInt64("TargetReached.BytesUp"))
            : null,
        Optimizer = r.ReadBool("CoordinatorCheckpoint.Optimizer")
            ? new ServerOptimizerState(
                r.ReadString("ServerOptimizerState.Optimizer"),
                r.ReadInt64("ServerOptimizerState.Steps"),
                r.ReadNullableFloats("ServerOptimizerState.M"),
                r.ReadNullableFloats("ServerOptimizerState.V"))
            : null,
        RetainedVersions = r.ReadList("CoordinatorCheckpoint.RetainedVersions", 8,
            static (ref StateReader r) => r.ReadInt64("CoordinatorCheckpoint.RetainedVersions")),
        // Version 1 checkpoints are always full.
        IsDelta = r.FormatVersion >= 2 && r.ReadBool("CoordinatorCheckpoint.IsDelta"),
        RemovedJobs = r.FormatVersion < 2 ? [] : r.ReadList("CoordinatorCheckpoint.RemovedJobs", 8,
            static (ref StateReader r) => r.ReadInt64("CoordinatorCheckpoint.RemovedJobs")),
        RemovedEvents = r.FormatVersion < 2 ? [] : r.ReadList("CoordinatorCheckpoint.RemovedEvents", CheckpointEventBytes, ReadEvent),
        RemovedAbandoned = r.FormatVersion < 2 ? [] : r.ReadList("CoordinatorCheckpoint.RemovedAbandoned", 8,
            static (ref StateReader r) => r.ReadInt64("CoordinatorCheckpoint.RemovedAbandoned")),
    };

    private static CheckpointRound ReadRound(ref StateReader r)
    {
        long number = r.ReadInt64("CheckpointRound.Number");
        bool open = r.ReadBool("CheckpointRound.Open");
        int outstanding = r.ReadInt32("CheckpointRound.Outstanding");
        if (r.FormatVersion < 3)
        {
            // Versions 1 and 2 also wrote the round's updates and weight, always 0 at a step boundary.
            int received = r.ReadInt32("CheckpointRound.Received");
            double weight = r.ReadDouble("CheckpointRound.Weight");
            if (received != 0 || weight != 0)
                throw new StateFormatException(StateFormatError.InvalidValue,
                    $"CheckpointRound holds {received} updates of weight {weight} at a step boundary, which holds none");
        }
        return new CheckpointRound(number, open, outstanding, r.ReadInt32("CheckpointRound.EmptyRounds"));
    }

    // ---- Evaluation records ----

    private static void Write(StateWriter w, EvaluationRecord e)
    {
        ArgumentNullException.ThrowIfNull(e);
        w.WriteInt64(e.ServerStep);
        w.WriteDouble(e.VirtualSeconds);
        w.WriteDouble(e.WallSeconds);
        w.WriteInt64(e.UpdatesApplied);
        w.WriteDouble(e.Accuracy);
        w.WriteDouble(e.Loss);
        w.WriteDouble(e.MeanStaleness);
        w.WriteInt32(e.MaxStaleness);
        w.WriteInt64(e.BytesUp);
        w.WriteInt64(e.BytesDown);

        var d = e.Diagnostics ?? throw new ArgumentNullException(nameof(e), "EvaluationRecord.Diagnostics is null");
        w.WriteInt32(d.Updates);
        w.WriteDouble(d.MeanUpdateNorm);
        w.WriteDouble(d.UpdateNormVariance);
        w.WriteNullableDouble(d.MeanCosineToAggregate);
        WriteHistogram(w, d.StalenessHistogram);
        w.WriteInt32(d.ParticipatingClients);
        w.WriteInt32(d.MaxParticipation);
        w.WriteInt64(d.UpdatesRejected);
        w.WriteInt64(d.UpdatesDroppedStale);
        w.WriteInt64(d.JobsDropped);
        w.WriteNullableDouble(e.BackdoorAccuracy);
        w.WriteBool(e.Defense is not null);
        if (e.Defense is { } defense)
        {
            w.WriteInt64(defense.Filtered);
            w.WriteInt64(defense.MaliciousTaken);
            w.WriteInt64(defense.MaliciousFiltered);
        }
    }

    private static EvaluationRecord ReadEvaluationRecord(ref StateReader r) => new(
        r.ReadInt64("EvaluationRecord.ServerStep"),
        r.ReadDouble("EvaluationRecord.VirtualSeconds"),
        r.ReadDouble("EvaluationRecord.WallSeconds"),
        r.ReadInt64("EvaluationRecord.UpdatesApplied"),
        r.ReadDouble("EvaluationRecord.Accuracy"),
        r.ReadDouble("EvaluationRecord.Loss"),
        r.ReadDouble("EvaluationRecord.MeanStaleness"),
        r.ReadInt32("EvaluationRecord.MaxStaleness"),
        r.ReadInt64("EvaluationRecord.BytesUp"),
        r.ReadInt64("EvaluationRecord.BytesDown"),
        new DriftDiagnostics(
            r.ReadInt32("DriftDiagnostics.Updates"),
            r.ReadDouble("DriftDiagnostics.MeanUpdateNorm"),
            r.ReadDouble("DriftDiagnostics.UpdateNormVariance"),
            r.ReadNullableDouble("DriftDiagnostics.MeanCosineToAggregate"),
            ReadHistogram(ref r, "DriftDiagnostics.StalenessHistogram"),
            r.ReadInt32("DriftDiagnostics.ParticipatingClients"),
            r.ReadInt32("DriftDiagnostics.MaxParticipation"),
            r.ReadInt64("DriftDiagnostics.UpdatesRejected"),
            r.ReadInt64("DriftDiagnostics.UpdatesDroppedStale"),
            r.ReadInt64("DriftDiagnostics.JobsDropped")),
        r.FormatVersion >= 5 ? r.ReadNullableDouble("EvaluationRecord.BackdoorAccuracy") : null,
        r.FormatVersion >= 6 && r.ReadBool("EvaluationRecord.Defense")
            ? new DefenseCounts(r.ReadInt64("DefenseCounts.Filtered"), r.ReadInt64("DefenseCounts.MaliciousTaken"), r.ReadInt64("DefenseCounts.MaliciousFiltered"))
            : null);

    // ---- Small shared parts ----

    private static void WriteParticipation(StateWriter w, ParticipationCount p)
    {
        w.WriteInt32(p.ClientId);
        w.WriteInt32(p.Count);
    }

    private static void WriteEvent(StateWriter w, CheckpointEvent e)
    {
        w.WriteDouble(e.Time);
        w.WriteInt32(e.Kind);
        w.WriteInt64(e.Id);
    }

    private static CheckpointEvent ReadEvent(ref StateReader r) =>
        new(r.ReadDouble("CheckpointEvent.Time"), r.ReadInt32("CheckpointEvent.Kind"), r.ReadInt64("CheckpointEvent.Id"));

    private static ParticipationCount ReadParticipation(ref StateReader r) =>
        new(r.ReadInt32("ParticipationCount.ClientId"), r.ReadInt32("ParticipationCount.Count"));

    private static void WriteHistogram(StateWriter w, IReadOnlyDictionary<int, long> histogram) =>
        w.WriteMap(histogram, Comparer<int>.Default, static (w, k) => w.WriteInt32(k), static (w, v) => w.WriteInt64(v));

    private static SortedDictionary<int, long> ReadHistogram(ref StateReader r, string field)
    {
        string key = field + " key", value = field + " value";
        return r.ReadMap(field, 4 + 8, Comparer<int>.Default, (ref StateReader r) => r.ReadInt32(key), (ref StateReader r) => r.ReadInt64(value));
    }
}
