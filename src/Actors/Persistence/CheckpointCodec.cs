using FedActors.Actors.Aggregation;
using FedActors.Actors.Coordination;

namespace FedActors.Actors.Persistence;

/// <summary>
/// The payload layout of a <see cref="CoordinatorCheckpoint"/> (a server step's state and its deltas) and of the small
/// parts the other records share with it, as <see cref="StateCodec"/> describes formats: fields in declaration order.
/// </summary>
internal static class CheckpointCodec
{
    // Minimum encoded sizes, used to refuse counts the remaining bytes cannot hold before allocating.
    internal const int CheckpointJobBytes = 8 + 4 + 8 + 8 + 1 + 1, CheckpointEventBytes = 8 + 4 + 8, ParticipationBytes = 4 + 4, ClientJobBytes = 4 + 8;

    internal static void Write(StateWriter w, CoordinatorCheckpoint c)
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
            EvaluationRecordCodec.Write(w, p.Snapshot);
            w.WriteNullableDouble(p.Accuracy);
            w.WriteNullableDouble(p.Loss);
            w.WriteNullableDouble(p.BackdoorAccuracy);
        });
        w.WriteList(c.NewRecords, EvaluationRecordCodec.Write);
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

    internal static void WriteClientJob(StateWriter w, ClientJob j)
    {
        w.WriteInt32(j.ClientId);
        w.WriteInt64(j.Job);
    }

    internal static ClientJob ReadClientJob(ref StateReader r) => new(r.ReadInt32("ClientJob.ClientId"), r.ReadInt64("ClientJob.Job"));

    internal static CoordinatorCheckpoint ReadCheckpoint(ref StateReader r)
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

    internal static CoordinatorCheckpoint ReadCheckpointBody(ref StateReader r) => new()
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
            EvaluationRecordCodec.ReadEvaluationRecord(ref r),
            r.ReadNullableDouble("CheckpointEvaluation.Accuracy"),
            r.ReadNullableDouble("CheckpointEvaluation.Loss"))
        {
            BackdoorAccuracy = r.FormatVersion >= 5 ? r.ReadNullableDouble("CheckpointEvaluation.BackdoorAccuracy") : null,
        }),
        NewRecords = r.ReadList("CoordinatorCheckpoint.NewRecords", 1, EvaluationRecordCodec.ReadEvaluationRecord),
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

    internal static CheckpointRound ReadRound(ref StateReader r)
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


    // ---- Small shared parts ----

    internal static void WriteParticipation(StateWriter w, ParticipationCount p)
    {
        w.WriteInt32(p.ClientId);
        w.WriteInt32(p.Count);
    }

    internal static void WriteEvent(StateWriter w, CheckpointEvent e)
    {
        w.WriteDouble(e.Time);
        w.WriteInt32(e.Kind);
        w.WriteInt64(e.Id);
    }

    internal static CheckpointEvent ReadEvent(ref StateReader r) =>
        new(r.ReadDouble("CheckpointEvent.Time"), r.ReadInt32("CheckpointEvent.Kind"), r.ReadInt64("CheckpointEvent.Id"));

    internal static ParticipationCount ReadParticipation(ref StateReader r) =>
        new(r.ReadInt32("ParticipationCount.ClientId"), r.ReadInt32("ParticipationCount.Count"));

    internal static void WriteHistogram(StateWriter w, IReadOnlyDictionary<int, long> histogram) =>
        w.WriteMap(histogram, Comparer<int>.Default, static (w, k) => w.WriteInt32(k), static (w, v) => w.WriteInt64(v));

    internal static SortedDictionary<int, long> ReadHistogram(ref StateReader r, string field)
    {
        string key = field + " key", value = field + " value";
        return r.ReadMap(field, 4 + 8, Comparer<int>.Default, (ref StateReader r) => r.ReadInt32(key), (ref StateReader r) => r.ReadInt64(value));
    }
}
