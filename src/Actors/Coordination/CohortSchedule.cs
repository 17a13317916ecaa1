using System.Globalization;
using FedActors.Actors.Aggregation;

namespace FedActors.Actors.Coordination;

/// <summary>
/// Asynchronous cohorts (<see cref="Participation.Cohorts"/>): keeps a number of cohorts in flight, each a group of jobs
/// dispatched together at one model version. A member's update is parked in its job; the cohort closes when every member
/// has reported, failed or timed out, or at its deadline (who has not reported then is late), and its parked updates
/// make one step together. A new cohort opens as soon as one closes. Its members are the first free clients, or, under
/// Poisson sampling, every free client a coin flip at rate size/N drew.
/// </summary>
/// <remarks>
/// Only the last cohort's number is checkpointed: which cohorts are open, and how many of their jobs are still
/// training, is read back from the restored jobs in flight (every open cohort keeps at least one), and their deadlines
/// are events of the checkpoint.
/// </remarks>
internal sealed class CohortSchedule(Participation.Cohorts cohorts) : IJobSchedule
{
    // Open cohort → its jobs neither parked nor released.
    private readonly SortedDictionary<long, int> _training = new();
    // Cohorts due to close, in order: their members have all stopped training (or the deadline passed); one stays here
    // while a restored coordinator waits for its parked updates.
    private readonly SortedSet<long> _waiting = new();
    private int _emptyCohorts;

    public long Round { get; private set; }

    public bool HoldsResults => true;

    public bool Blocked => _waiting.Count > 0;

    public void Refill(IScheduleHost host)
    {
        while (_training.Count + _waiting.Count < cohorts.InFlight && !host.Finishing)
        {
            if (!Open(host))
            {
                host.ScheduleRetry();
                return;
            }
        }
    }

    public void AfterResolution(IScheduleHost host)
    {
        CloseDue(host);
        if (!host.Finishing) Refill(host);
    }

    // A cohort steps when it closes, never at a count of updates.
    public void StepDue(IScheduleHost host) { }

    public void DeadlineDue(long round, IScheduleHost host)
    {
        if (!_training.Remove(round)) return;
        host.ReleaseLate(round);
        Close(round, host);
        if (!host.Finishing) Refill(host);
    }

    public void Parked(long jobRound) => Done(jobRound);

    public void Released(long jobRound) => Done(jobRound);

    public bool IsLate(long jobRound) => !_training.ContainsKey(jobRound);

    public CheckpointRound ToCheckpoint() => new(Round, false, 0, _emptyCohorts);

    public void Restore(CheckpointRound round, IReadOnlyCollection<InFlightJob> jobs)
    {
        if (round.Open) throw new InvalidOperationException($"the persisted state holds open synchronous round {round.Number}, but the run trains in cohorts");
        Round = round.Number;
        _emptyCohorts = round.EmptyRounds;
        _training.Clear();
        _waiting.Clear();
        foreach (var job in jobs)
        {
            if (job.Round <= 0 || job.Round > Round)
                throw new InvalidOperationException($"the persisted job {job.Id} belongs to cohort {job.Round}, which the checkpoint (last cohort {Round}) never opened");
            _training[job.Round] = _training.GetValueOrDefault(job.Round) + (job.Parked ? 0 : 1);
        }
        // A cohort whose every job is parked was due when the coordinator stopped.
        foreach (var (cohort, training) in _training.Where(c => c.Value == 0).ToList())
        {
            _training.Remove(cohort);
            _waiting.Add(cohort);
        }
    }

    // A job of the cohort stopped training (parked or released): the last one makes the cohort due.
    private void Done(long jobRound)
    {
        if (!_training.TryGetValue(jobRound, out int training)) return;
        if (training > 1) _training[jobRound] = training - 1;
        else
        {
            _training.Remove(jobRound);
            _waiting.Add(jobRound);
        }
    }

    private bool Open(IScheduleHost host)
    {
        long cohort = Round + 1;
        int dispatched = 0;
        if (cohorts.Poisson) dispatched = host.DispatchPoisson(cohort, cohorts.Size);
        else while (dispatched < cohorts.Size && host.TryDispatch(cohort)) dispatched++;
        if (dispatched == 0)
        {
            if (!cohorts.StepsWhenEmpty || host.Finishing) return false;
            // Under DP a Poisson cohort that drew nobody free still releases its noise, or its emptiness would show.
            Round = cohort;
            Close(cohort, host);
            return true;
        }
        Round = cohort;
        _training[cohort] = dispatched;
        if (cohorts.Deadline is double deadline) host.ScheduleDeadline(cohort, host.Now + deadline);
        return true;
    }

    // Closes, in cohort order, every cohort whose members have all reported, failed or timed out.
    private void CloseDue(IScheduleHost host)
    {
        while (_waiting.Count > 0)
        {
            if (host.Finishing) return;
            long cohort = _waiting.Min;
            if (!host.CloseCohort(cohort, out int updates)) return; // the earliest due cohort goes first, so the rest wait behind it
            _waiting.Remove(cohort);
            if (host.Finishing) return;
            if (updates > 0 || cohorts.StepsWhenEmpty) host.Step();
            _emptyCohorts = updates > 0 ? 0 : _emptyCohorts + 1;
            if (_emptyCohorts >= RoundSchedule.MaxConsecutiveEmptyRounds && !host.Finishing)
            {
                host.Fail(string.Create(CultureInfo.InvariantCulture,
                    $"{_emptyCohorts} cohorts in a row closed without a single update (fedactors.server.cohorts.deadline = {cohorts.Deadline} s); raise the deadline"));
                return;
            }
        }
    }

    private void Close(long cohort, IScheduleHost host)
    {
        _waiting.Add(cohort);
        CloseDue(host);
    }
}
