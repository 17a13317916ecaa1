using FedActors.Training.Evaluation;
using static FedActors.Actors.Coordination.CoordinatorEffects;

namespace FedActors.Actors.Coordination;

/// <summary>Evaluations and the end of a run: requesting them, taking their results in order, and winding down.</summary>
public sealed partial class CoordinatorCore
{
    /// <summary>An evaluation requested by <see cref="EvaluateModel"/> finished; <paramref name="backdoorAccuracy"/> is set when a backdoor is simulated.</summary>
    public IReadOnlyList<ICoordinatorEffect> OnEvaluated(long serverStep, EvaluationResult result, double? backdoorAccuracy = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        return Handle((serverStep, result, backdoorAccuracy), static (core, e) => core.Evaluated(e.serverStep, e.result, e.backdoorAccuracy));
    }

    /// <summary>True while an evaluation of <paramref name="serverStep"/> is awaited.</summary>
    public bool IsAwaitingEvaluation(long serverStep) => _state.Evaluations.IsAwaiting(serverStep);

    private void Evaluated(long serverStep, EvaluationResult result, double? backdoorAccuracy)
    {
        if (!_state.Evaluations.Complete(serverStep, result, backdoorAccuracy)) return;
        EmitEvaluations();
        Drain(); // results held while this evaluation was pending (stop-at-target) may go on now
    }

    private void RequestEvaluation()
    {
        if (_state.Evaluations.LastRequested == Current.Number) return;
        _state.Evaluations.Requested(_state.EvaluationSnapshot(Current.Number, Now), Current);
        _out.Add(new EvaluateModel(Current, Current.Number));
    }

    private void EmitEvaluations()
    {
        foreach (var record in _state.Evaluations.TakeCompleted(_run.TargetAccuracy)) _out.Add(new EvaluationRecorded(record));
        if (_run.StopAtTarget && _state.Evaluations.Target is not null && !_finishing)
        {
            BeginFinish(RunStatus.Completed); // re-enters here once for the final evaluation
            return;
        }
        if (_finishing && !_state.Evaluations.HasPending && !_finished)
        {
            _finished = true;
            _out.Add(new RunFinished(_status));
        }
    }

    private void BeginFinish(RunStatus status)
    {
        _finishing = true;
        _status = status;
        if (_state.Jobs.Count > 0) _out.Add(StopTraining.Instance);
        RequestEvaluation();
        EmitEvaluations();
    }
}
