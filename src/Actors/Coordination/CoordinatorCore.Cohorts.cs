using FedActors.Actors.Clients;
using FedActors.Actors.Simulation;

namespace FedActors.Actors.Coordination;

/// <summary>
/// Cohorts and Poisson draws: updates parked in their jobs until their cohort closes (<see cref="CohortSchedule"/>), and
/// the coin-flip dispatch of Poisson rounds and cohorts.
/// </summary>
public sealed partial class CoordinatorCore
{
    // Parked in its job, still in flight, until its cohort closes and offers it with the others.
    private void Park(InFlightJob job, object update)
    {
        job.Result = update;
        job.Parked = true;
        _state.Jobs.Touch(job.Id);
        _schedule.Parked(job.Round);
        AfterResolution();
    }

    // A restored parked job's update, replayed or trained again: its cohort may close now.
    private void ArriveParked(InFlightJob job, ClientProtocol.IClientResult result, double now)
    {
        if (_simulation.Clock == ClockMode.Wall) Now = Math.Max(Now, now);
        if (result is ClientProtocol.ClientUpdate) job.Result = result;
        else
        {
            // Its first answer was an update; a failure now cannot stand in for it: the job counts as failed, and its
            // cohort, which no longer counts it as training, closes without it.
            job.Parked = false;
            _state.Jobs.Release(job);
            _unusable.TrainingFailed(((ClientProtocol.JobFailed)result).Reason);
            RejectUnusable("failed");
        }
        _state.Jobs.Touch(job.Id);
        AfterResolution();
        Drain();
    }

    bool IScheduleHost.CloseCohort(long round, out int updates)
    {
        var members = _state.Jobs.InIdOrder.Where(j => j.Round == round && j.Parked).ToList();
        updates = members.Count;
        if (members.Any(j => j.Result is null)) return false;
        foreach (var job in members)
        {
            var update = (ClientProtocol.ClientUpdate)job.Result!;
            job.Parked = false;
            Release(job);
            if (!TakeUpdate(job, update, late: false) || _finishing) return true; // a budget or failure ends the run: nothing more is released
        }
        return true;
    }

    int IScheduleHost.DispatchPoisson(long round, int expected)
    {
        var clients = _dispatcher.Clients;
        int candidates = clients.Reachable?.Length ?? _population;
        if (candidates == 0) return 0;
        int dispatched = 0;
        foreach (int client in clients.PoissonSample(round, Math.Min(1.0, (double)expected / candidates)))
        {
            if (_finishing) break; // a local-DP budget may end the run mid-round
            if (Dispatch(round, client)) dispatched++; // else busy or offline: this round goes on without it
        }
        return dispatched;
    }
}
