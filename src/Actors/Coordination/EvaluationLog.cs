using FedActors.Actors.Jobs;
using FedActors.Training.Evaluation;

namespace FedActors.Actors.Coordination;

/// <summary>
/// The run's evaluations: those requested and not yet recorded (results may come back out of order, records go out
/// in step order), the records so far, and the first one at or above the target accuracy.
/// </summary>
internal sealed class EvaluationLog
{
    private readonly SortedDictionary<long, Pending> _pending = new();
    private readonly List<EvaluationRecord> _records = new();
    private int _checkpointed;

    /// <summary>Completed records in step order.</summary>
    public IReadOnlyList<EvaluationRecord> Records => _records;

    /// <summary>The step of the newest request; −1 before the first.</summary>
    public long LastRequested { get; private set; } = -1;

    /// <summary>The first evaluation at or above the target accuracy, if any.</summary>
    public TargetReached? Target { get; private set; }

    /// <summary>True while some requested evaluation is not recorded yet.</summary>
    public bool HasPending => _pending.Count > 0;

    /// <summary>True while the result of <paramref name="serverStep"/>'s evaluation is awaited.</summary>
    public bool IsAwaiting(long serverStep) => _pending.TryGetValue(serverStep, out var p) && p.Result is null;

    /// <summary>Evaluations requested whose results have not come back, in step order.</summary>
    public IEnumerable<(long Step, ModelVersion Version)> Outstanding =>
        _pending.Where(p => p.Value.Result is null).Select(p => (p.Key, p.Value.Version));

    /// <summary>Versions that pending evaluations evaluate.</summary>
    public IEnumerable<long> VersionsInUse => _pending.Values.Select(p => p.Version.Number);

    /// <summary>Records a request for <paramref name="version"/>, with what the run had reached then.</summary>
    public void Requested(EvaluationRecord snapshot, ModelVersion version)
    {
        LastRequested = snapshot.ServerStep;
        _pending.Add(snapshot.ServerStep, new Pending(snapshot, version));
    }

    /// <summary>Takes the result of <paramref name="serverStep"/>'s evaluation; false when it was not awaited.</summary>
    public bool Complete(long serverStep, EvaluationResult result, double? backdoorAccuracy = null)
    {
        if (!_pending.TryGetValue(serverStep, out var pending) || pending.Result is not null) return false;
        pending.Result = result;
        pending.BackdoorAccuracy = backdoorAccuracy;
        return true;
    }

    /// <summary>The records whose turn has come (every earlier evaluation is recorded), in step order.</summary>
    /// <param name="targetAccuracy">The accuracy that counts as reached; null disables target tracking.</param>
    public List<EvaluationRecord> TakeCompleted(double? targetAccuracy)
    {
        var completed = new List<EvaluationRecord>();
        while (_pending.Count > 0)
        {
            var (step, pending) = _pending.First();
            if (pending.Result is null) break;
            _pending.Remove(step);
            var record = pending.Snapshot with { Accuracy = pending.Result.Accuracy, Loss = pending.Result.Loss, BackdoorAccuracy = pending.BackdoorAccuracy };
            _records.Add(record);
            if (Target is null && targetAccuracy is double target && record.Accuracy >= target)
                Target = new TargetReached(record.ServerStep, record.VirtualSeconds, record.WallSeconds, record.UpdatesApplied, record.BytesUp);
            completed.Add(record);
        }
        return completed;
    }

    /// <summary>Pending evaluations as a checkpoint lists them.</summary>
    public CheckpointEvaluation[] PendingToCheckpoint() =>
        _pending.Values.Select(p => new CheckpointEvaluation(p.Snapshot, p.Result?.Accuracy, p.Result?.Loss) { BackdoorAccuracy = p.BackdoorAccuracy }).ToArray();

    /// <summary>Records completed since the last call.</summary>
    public EvaluationRecord[] TakeNewRecords()
    {
        var added = _records.Skip(_checkpointed).ToArray();
        _checkpointed = _records.Count;
        return added;
    }

    /// <summary>Puts back the records folded from a run's checkpoints and the latest one's pending evaluations.</summary>
    public void Restore(IReadOnlyList<EvaluationRecord> records, CoordinatorCheckpoint checkpoint, Func<long, ModelVersion> version)
    {
        _records.AddRange(records);
        _checkpointed = records.Count;
        foreach (var p in checkpoint.PendingEvaluations)
        {
            var pending = new Pending(p.Snapshot, version(p.Snapshot.ServerStep));
            if (p.Accuracy is double acc)
            {
                pending.Result = new EvaluationResult(0, acc, p.Loss ?? double.NaN, [], []);
                pending.BackdoorAccuracy = p.BackdoorAccuracy;
            }
            _pending.Add(p.Snapshot.ServerStep, pending);
        }
        LastRequested = checkpoint.LastEvaluationRequested;
        Target = checkpoint.Target;
    }

    private sealed class Pending(EvaluationRecord snapshot, ModelVersion version)
    {
        public EvaluationRecord Snapshot { get; } = snapshot;

        public ModelVersion Version { get; } = version;

        public EvaluationResult? Result { get; set; }

        public double? BackdoorAccuracy { get; set; }
    }
}
