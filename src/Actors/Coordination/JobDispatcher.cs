using FedActors.Actors.Attacks;
using FedActors.Actors.Clients;
using FedActors.Actors.Compression;
using FedActors.Actors.Jobs;
using FedActors.Actors.Population;
using FedActors.Actors.Simulation;
using FedActors.Training.LocalTraining;

namespace FedActors.Actors.Coordination;

/// <summary>
/// Sends jobs out: picks each job's client, decides when the job is resolved, records it in flight and schedules
/// that event. Under the virtual clock a job finishes after the duration its device profile gives for its local
/// steps, unless the device drops out, in which case it times out; under the wall clock every job times out unless
/// its client reports first. A real client's dropouts are real: they surface as failures or timeouts, not as a
/// simulated draw.
/// </summary>
internal sealed class JobDispatcher
{
    private readonly RunSettings _run;
    private readonly SimulationSettings _simulation;
    private readonly IClientDataSource _population;
    private readonly DeviceProfiles _devices;
    private readonly CoordinatorState _state;
    private readonly ModelBroadcasts? _broadcasts;
    // Malicious clients that send fast (fedactors.attack.duration-factor): their virtual durations are scaled.
    private readonly MaliciousClients? _fast;

    public JobDispatcher(RunSettings run, SimulationSettings simulation, IClientDataSource population, CoordinatorState state)
    {
        (_run, _simulation, _population, _state) = (run, simulation, population, state);
        _devices = new DeviceProfiles(simulation.Device, run.Seed);
        if (run.Compression.Downlink is { } downlink) _broadcasts = new ModelBroadcasts(downlink, run.Seed);
        Clients = new ClientPicker(run.Seed, population.ClientCount, _devices);
        if (run.Attack.Kind != AttackKind.None && run.Attack.DurationFactor != 1) _fast = run.Attack.Malicious();
    }

    /// <summary>What clients receive for <paramref name="exact"/>: the version itself, or its compressed broadcast.</summary>
    public ModelVersion Sent(ModelVersion exact) => _broadcasts?.Of(exact) ?? exact;

    /// <summary>Who trains the next job.</summary>
    public ClientPicker Clients { get; }

    /// <summary>
    /// Local DP under a budget: the most updates one client may send (<see cref="CoordinatorState.ChargesReleases"/>);
    /// null without one.
    /// </summary>
    public int? ReleaseBudget { get; init; }

    /// <summary>Set when a dispatch was refused because its client had sent its <see cref="ReleaseBudget"/>.</summary>
    public bool BudgetExhausted { get; private set; }

    /// <summary>
    /// Dispatches the next job, of round <paramref name="round"/>, training from <paramref name="current"/>; false when no
    /// client is free. <paramref name="job"/> is what to send, or null when the device drops out (the job is never sent
    /// and times out).
    /// </summary>
    /// <param name="round">The round the job belongs to.</param>
    /// <param name="current">The version it trains from.</param>
    /// <param name="now">Current time.</param>
    /// <param name="job">What to send, or null for a device that drops out.</param>
    /// <param name="chosen">The client a Poisson sample chose, dispatched only if free; null picks a free client.</param>
    public bool TryDispatch(long round, ModelVersion current, double now, out ClientProtocol.TrainJob? job, int? chosen = null)
    {
        job = null;
        long id = _state.NextJob;
        int client;
        if (chosen is { } c)
        {
            if (!Clients.IsFree(c, now, _state.Jobs.BusyClients)) return false;
            client = c;
        }
        else if (!Clients.TryPick(id, now, _state.Jobs.BusyClients, out client)) return false;
        bool dropped = Clients.Reachable is null && _devices.DropsOut(id);
        if (_state.ChargesReleases && !dropped)
        {
            // The job would let the client release one more update: refused before it goes out if that exceeds the budget.
            if (ReleaseBudget is { } budget && _state.Participation.Counts.GetValueOrDefault(client) >= budget)
            {
                BudgetExhausted = true;
                return false;
            }
            _state.Participation.Applied(client);
        }
        _state.NextJob++;
        long previous = _state.LastResults.Of(client);
        _state.Jobs.Add(new InFlightJob(id, client, current, round) { Dropped = dropped, PreviousJob = previous });
        _state.Tally.JobsDispatched++;
        var sent = Sent(current);
        _state.Traffic.Dispatched(sent);
        var options = OptionsFor(id);
        double applyAt = 0;
        if (_simulation.Clock == ClockMode.Virtual && !dropped)
        {
            double duration = _devices.Duration(client, id, Math.Max(1, options.StepsFor(_population.SampleCount(client))));
            if (_fast?.Contains(client) == true) duration *= _run.Attack.DurationFactor;
            applyAt = now + duration;
            _state.Events.Add(EventKind.Finish, id, applyAt);
        }
        else _state.Events.Add(EventKind.Timeout, id, now + _simulation.Device.JobTimeout);
        if (!dropped) job = new ClientProtocol.TrainJob(new JobId(id), client, sent, options, _run.Seed) { ApplyAt = applyAt, PreviousJob = previous };
        return true;
    }

    /// <summary>The local training job <paramref name="jobId"/> does: the run's, or less for a straggler doing partial work.</summary>
    public LocalTrainingOptions OptionsFor(long jobId) => _devices.OptionsFor(jobId, _run.Client);

    /// <summary>Tries to dispatch again a little later; one retry at a time, so a lasting shortage costs one event, not one per update.</summary>
    public void ScheduleRetry(double now)
    {
        if (_state.RetryPending) return;
        _state.RetryPending = true;
        double delay = Math.Max(1.0, _simulation.Device.AvailabilityPeriod / 1000);
        _state.Events.Add(EventKind.Retry, _state.NextJob, now + delay); // any id: retries at the same time are equivalent
    }
}
