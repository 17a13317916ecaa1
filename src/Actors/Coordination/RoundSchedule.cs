using System.Globalization;
using FedActors.Actors.Aggregation;

namespace FedActors.Actors.Coordination;

/// <summary>
/// Synchronous participation (FedAvg): a round dispatches ceil(n·(1 + over-selection)) jobs, or one per free member of
/// a Poisson sample of expected size n, and closes when the strategy has its n updates, when every job of the round is
/// resolved, or at the deadline; whoever has not reported then is late. The round's updates take one step, and the
/// next round opens.
/// </summary>
internal sealed class RoundSchedule(Participation.Rounds rounds) : IJobSchedule
{
    /// <summary>Rounds that may close in a row without a single update before the run fails: a deadline shorter than every job would otherwise open empty rounds forever.</summary>
    public const int MaxConsecutiveEmptyRounds = 100;

    private bool _open;
    private int _outstanding;
    private int _emptyRounds;

    public long Round { get; private set; }

    public void Refill(IScheduleHost host)
    {
        if (!_open) Open(host);
    }

    public void AfterResolution(IScheduleHost host)
    {
        if (_open && _outstanding == 0) Close(host);
    }

    public void StepDue(IScheduleHost host) => Close(host);

    public void DeadlineDue(long round, IScheduleHost host)
    {
        if (_open && round == Round) Close(host);
    }

    public void Released(long jobRound)
    {
        if (jobRound != 0 && jobRound == Round) _outstanding--;
    }

    public bool IsLate(long jobRound) => jobRound != Round;

    public CheckpointRound ToCheckpoint() => new(Round, _open, _outstanding, _emptyRounds);

    public void Restore(CheckpointRound round, IReadOnlyCollection<InFlightJob> jobs) => (Round, _open, _outstanding, _emptyRounds) = (round.Number, round.Open, round.Outstanding, round.EmptyRounds);

    private void Open(IScheduleHost host)
    {
        Round++;
        _open = true;
        if (rounds.Poisson) _outstanding = host.DispatchPoisson(Round, rounds.ClientsPerRound);
        else for (int i = 0; i < rounds.SelectedPerRound && host.TryDispatch(Round); i++) _outstanding++;
        if (_outstanding == 0 && rounds.StepsWhenEmpty)
        {
            // Nobody drawn, or none free: under DP the round's noise still goes out, and the next round opens.
            Close(host);
            return;
        }
        if (_outstanding == 0)
        {
            // Nobody available: try again a little later.
            _open = false;
            host.ScheduleRetry();
            return;
        }
        if (rounds.Deadline is double deadline) host.ScheduleDeadline(Round, host.Now + deadline);
    }

    private void Close(IScheduleHost host)
    {
        _open = false;
        host.ReleaseLate(Round);
        int received = host.PendingUpdates;
        _emptyRounds = received > 0 ? 0 : _emptyRounds + 1;
        if (_emptyRounds >= MaxConsecutiveEmptyRounds && !host.Finishing)
        {
            host.Fail(string.Create(CultureInfo.InvariantCulture,
                $"{_emptyRounds} rounds in a row closed at fedactors.server.round-deadline = {rounds.Deadline} s without a single update; raise the deadline"));
            return;
        }
        if (received > 0 || rounds.StepsWhenEmpty) host.Step();
        if (!host.Finishing) Open(host);
    }
}
