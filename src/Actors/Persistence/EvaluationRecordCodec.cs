using FedActors.Actors.Coordination;

namespace FedActors.Actors.Persistence;

/// <summary>The payload layout of an <see cref="EvaluationRecord"/>, as <see cref="StateCodec"/> describes formats.</summary>
internal static class EvaluationRecordCodec
{
    internal static void Write(StateWriter w, EvaluationRecord e)
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
        CheckpointCodec.WriteHistogram(w, d.StalenessHistogram);
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

    internal static EvaluationRecord ReadEvaluationRecord(ref StateReader r) => new(
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
            CheckpointCodec.ReadHistogram(ref r, "DriftDiagnostics.StalenessHistogram"),
            r.ReadInt32("DriftDiagnostics.ParticipatingClients"),
            r.ReadInt32("DriftDiagnostics.MaxParticipation"),
            r.ReadInt64("DriftDiagnostics.UpdatesRejected"),
            r.ReadInt64("DriftDiagnostics.UpdatesDroppedStale"),
            r.ReadInt64("DriftDiagnostics.JobsDropped")),
        r.FormatVersion >= 5 ? r.ReadNullableDouble("EvaluationRecord.BackdoorAccuracy") : null,
        r.FormatVersion >= 6 && r.ReadBool("EvaluationRecord.Defense")
            ? new DefenseCounts(r.ReadInt64("DefenseCounts.Filtered"), r.ReadInt64("DefenseCounts.MaliciousTaken"), r.ReadInt64("DefenseCounts.MaliciousFiltered"))
            : null);

}
