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
        CheckpointCodec.Write(w, step.Checkpoint);
        w.WriteFloats(step.Weights);
        w.WriteDouble(step.WallSeconds);
    }

    public static StepPersisted ReadStepPersisted(ref StateReader r) =>
        new(CheckpointCodec.ReadCheckpoint(ref r), r.ReadFloats("StepPersisted.Weights"), r.ReadDouble("StepPersisted.WallSeconds"));

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
        if (snapshot.Latest is not null) CheckpointCodec.Write(w, snapshot.Latest);
        w.WriteList(snapshot.Versions, static (w, v) =>
        {
            ArgumentNullException.ThrowIfNull(v);
            w.WriteInt64(v.Number);
            w.WriteFloats(v.Weights);
        });
        w.WriteList(snapshot.Participation, CheckpointCodec.WriteParticipation);
        w.WriteList(snapshot.Records, EvaluationRecordCodec.Write);
        w.WriteList(snapshot.Results, Write);
        w.WriteInt32(snapshot.Resumed);
        w.WriteDouble(snapshot.WallSeconds);
        w.WriteList(snapshot.LastResults, CheckpointCodec.WriteClientJob);
    }

    public static CoordinatorSnapshot ReadCoordinatorSnapshot(ref StateReader r)
    {
        var snapshot = ReadSnapshotBody(ref r);
        // Version 4 added each client's last taken result.
        return r.FormatVersion < 4 ? snapshot
            : snapshot with { LastResults = r.ReadList("CoordinatorSnapshot.LastResults", CheckpointCodec.ClientJobBytes, CheckpointCodec.ReadClientJob) };
    }

    private static CoordinatorSnapshot ReadSnapshotBody(ref StateReader r) => new(
        ReadRunStarted(ref r),
        r.ReadBool("CoordinatorSnapshot.Latest") ? CheckpointCodec.ReadCheckpoint(ref r) : null,
        r.ReadList("CoordinatorSnapshot.Versions", 8 + 4,
            static (ref StateReader r) => new ModelVersion(r.ReadInt64("ModelVersion.Number"), r.ReadFloats("ModelVersion.Weights"))),
        r.ReadList("CoordinatorSnapshot.Participation", CheckpointCodec.ParticipationBytes, CheckpointCodec.ReadParticipation),
        r.ReadList("CoordinatorSnapshot.Records", 1, EvaluationRecordCodec.ReadEvaluationRecord),
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

}
