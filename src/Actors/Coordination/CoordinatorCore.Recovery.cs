using FedActors.Actors.Aggregation;
using FedActors.Actors.Jobs;
using FedActors.Actors.Population;
using FedActors.Actors.Simulation;
using FedActors.Training.Evaluation;
using static FedActors.Actors.Coordination.CoordinatorEffects;

namespace FedActors.Actors.Coordination;

/// <summary>Recovery: a core rebuilt from a run's latest checkpoint, then brought to where the original stood.</summary>
public sealed partial class CoordinatorCore
{
    /// <summary>
    /// Rebuilds the core from the latest checkpoint of a run. Call <see cref="Resume"/> next: the restored
    /// core sits exactly where the original stood right after the checkpoint's step.
    /// </summary>
    /// <param name="run">The run's settings (must be those the checkpoint was taken under).</param>
    /// <param name="strategy">The aggregation strategy's settings.</param>
    /// <param name="simulation">Clock and devices.</param>
    /// <param name="population">The clients.</param>
    /// <param name="checkpoint">The latest checkpoint.</param>
    /// <param name="versions">Weights of at least every version in <see cref="CoordinatorCheckpoint.RetainedVersions"/>.</param>
    /// <param name="participation">Applied updates per client, folded from all checkpoints.</param>
    /// <param name="records">Evaluation records, folded from all checkpoints.</param>
    /// <param name="lastResults">Each client's last taken result, folded from all checkpoints; null: none was taken.</param>
    /// <exception cref="InvalidOperationException">The checkpoint does not fit these settings or lacks a version.</exception>
    public static CoordinatorCore Restore(RunSettings run, IStrategySettings strategy, SimulationSettings simulation, IClientDataSource population,
        CoordinatorCheckpoint checkpoint, IReadOnlyDictionary<long, float[]> versions, IReadOnlyDictionary<int, int> participation,
        IReadOnlyList<EvaluationRecord> records, IReadOnlyDictionary<int, long>? lastResults = null)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(versions);
        ArgumentNullException.ThrowIfNull(participation);
        ArgumentNullException.ThrowIfNull(records);
        if (checkpoint.IsDelta)
            throw new InvalidOperationException("a checkpoint that holds only a step's changes cannot restore a core: fold it onto the full state first");
        ModelVersion Version(long number) => versions.TryGetValue(number, out var w)
            ? new ModelVersion(number, w)
            : throw new InvalidOperationException($"the persisted state lacks the weights of model version {number}");

        var current = Version(checkpoint.ServerStep);
        var core = new CoordinatorCore(run, strategy, simulation, population, current.Weights) { Current = current, Now = checkpoint.Now };
        try
        {
            core._intake.Strategy.Restore(checkpoint.Optimizer);
            core._intake.Strategy.RestoreWrapper(checkpoint.Wrapper);
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException(e.Message, e);
        }
        core._state.Restore(checkpoint, number => number == current.Number ? current : Version(number), core._dimension, participation, records,
            lastResults ?? new Dictionary<int, long>());
        // A job that had its update and no finish event left was parked for its cohort (its update is replayed or trained again).
        var pendingFinish = checkpoint.Events.Where(e => e.Kind == (int)EventKind.Finish).Select(e => e.Id).ToHashSet();
        foreach (var j in checkpoint.InFlight)
            if (j.Arrived && !pendingFinish.Contains(j.Id) && core._state.Jobs.TryGet(j.Id, out var parked)) parked.Parked = true;
        core._schedule.Restore(checkpoint.Round, core._state.Jobs.InIdOrder.ToList());
        core._finishing = checkpoint.Finishing;
        core._finished = checkpoint.Finished;
        core._status = checkpoint.Status;
        core.FailureReason = checkpoint.FailureReason;
        core._resumeFromStep = true;
        return core;
    }

    /// <summary>
    /// Continues a restored core: first what the original did right after the checkpoint's step, then the
    /// <paramref name="inputs"/> journaled since (durability <c>update</c>: results of jobs in flight,
    /// evaluation results and clock advances, in journal order). Returns the effects to carry out; the work
    /// still outstanding is dispatched and requested once, at the end, so a job whose result was replayed
    /// is never trained again.
    /// </summary>
    /// <param name="inputs">What the core consumed after the checkpoint, in order.</param>
    /// <param name="now">Wall seconds now (ignored under the virtual clock).</param>
    public IReadOnlyList<ICoordinatorEffect> Resume(IEnumerable<CoordinatorInput> inputs, double now = 0)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (!_resumeFromStep) throw new InvalidOperationException("only a restored core resumes");
        _resumeFromStep = false;
        _started = true;
        _out.Clear();
        // The tail of the handler that took the step: a new round opens, or free slots fill.
        Refill();
        Drain();
        foreach (var input in inputs)
        {
            switch (input)
            {
                case CoordinatorInput.Result r: Arrive(r.Message, r.Now); break;
                case CoordinatorInput.Evaluation e: Evaluated(e.ServerStep, new EvaluationResult(0, e.Accuracy, e.Loss, [], []), e.BackdoorAccuracy); break;
                case CoordinatorInput.Clock c: AdvanceClock(c.Now); break;
                default: throw new ArgumentException($"cannot replay a {input?.GetType().Name ?? "null"}", nameof(inputs));
            }
        }
        // Wall clock: the session resumes later than the journal's last input; what fell due meanwhile fires now.
        AdvanceClock(now);
        // Replace the replay's dispatches and evaluation requests by what is still outstanding now.
        var effects = _out.Where(e => e is not DispatchJob and not EvaluateModel).ToList();
        if (!_finished)
        {
            var outstanding = _state.Outstanding(_dispatcher.OptionsFor, _run.Seed, _dispatcher.Sent).ToList();
            // Local DP with secure noise: a job sent again draws new noise, so its client releases a second update, charged too.
            if (_run.Privacy.ChargesReleases && _run.Privacy.SecureNoise)
                foreach (var dispatch in outstanding.OfType<DispatchJob>()) _state.Participation.Applied(dispatch.Job.ClientId);
            effects.AddRange(outstanding);
        }
        _out.Clear();
        return effects;
    }
}
