namespace FedActors.Actors.Aggregation;

/// <summary>How the coordinator hands out jobs for a strategy: continuously, in asynchronous cohorts, or in synchronous rounds.</summary>
public abstract record Participation
{
    private Participation() { }

    /// <summary>
    /// Keep <paramref name="Concurrency"/> jobs in flight and refill a slot as soon as its job is resolved; the strategy
    /// says when a step is due (FedBuff after K updates, FedAsync after each).
    /// </summary>
    /// <param name="Concurrency">Clients training at once; ≥ 1.</param>
    public sealed record Continuous(int Concurrency) : Participation
    {
        /// <summary>Checks the count.</summary>
        public int Concurrency { get; } = Concurrency >= 1 ? Concurrency
            : throw new ArgumentOutOfRangeException(nameof(Concurrency), Concurrency, "concurrency must be ≥ 1");
    }

    /// <summary>
    /// Asynchronous cohorts: the coordinator dispatches <paramref name="Size"/> clients at once, all training from the
    /// same model version, and keeps <paramref name="InFlight"/> such cohorts training; a cohort's updates make one step
    /// together, once each member has reported or failed, or at the deadline (whoever has not reported then is late).
    /// Cohorts overlap, so training stays asynchronous across them; within one, every update shares one staleness and
    /// the set of participants is known in advance, which secure aggregation's pairwise masks need.
    /// </summary>
    /// <param name="Size">Clients per cohort; ≥ 1.</param>
    /// <param name="InFlight">Cohorts training at once; ≥ 1.</param>
    /// <param name="Deadline">Seconds (virtual or wall) after its dispatch at which a cohort closes; null for none.</param>
    public sealed record Cohorts(int Size, int InFlight, double? Deadline) : Participation
    {
        /// <summary>Checks the size.</summary>
        public int Size { get; } = Size >= 1 ? Size
            : throw new ArgumentOutOfRangeException(nameof(Size), Size, "a cohort must hold at least one client");

        /// <summary>Checks the count.</summary>
        public int InFlight { get; } = InFlight >= 1 ? InFlight
            : throw new ArgumentOutOfRangeException(nameof(InFlight), InFlight, "at least one cohort must be in flight");

        /// <summary>Checks the deadline.</summary>
        public double? Deadline { get; } = Deadline is null || (Deadline > 0 && double.IsFinite(Deadline.Value)) ? Deadline
            : throw new ArgumentOutOfRangeException(nameof(Deadline), Deadline, "a cohort deadline must be finite and > 0, or null");

        /// <summary>
        /// Poisson sampling: each client is in a cohort independently with probability <see cref="Size"/>/N, so that a
        /// cohort's step is a subsampled mechanism that DP accounting may amplify; a drawn client that is busy sits it out.
        /// </summary>
        public bool Poisson { get; init; }

        /// <summary>A cohort that drew nobody free, or got no update, still takes a step (central DP releases its noise).</summary>
        public bool StepsWhenEmpty { get; init; }
    }

    /// <summary>
    /// Synchronous rounds (McMahan et al. 2017) with over-selection (Bonawitz et al. 2019): a round selects
    /// ceil(n·(1 + over-selection)) clients and closes when the strategy has its n updates, when every job of the round
    /// is resolved, or at the deadline; whoever has not reported by then is late.
    /// </summary>
    /// <param name="ClientsPerRound">n; ≥ 1.</param>
    /// <param name="OverSelection">Extra fraction of clients selected; ≥ 0.</param>
    /// <param name="Deadline">Seconds (virtual or wall) after which an open round closes; null for none.</param>
    public sealed record Rounds(int ClientsPerRound, double OverSelection, double? Deadline) : Participation
    {
        /// <summary>Checks n.</summary>
        public int ClientsPerRound { get; } = ClientsPerRound >= 1 ? ClientsPerRound
            : throw new ArgumentOutOfRangeException(nameof(ClientsPerRound), ClientsPerRound, "clients per round must be ≥ 1");

        /// <summary>Checks the fraction.</summary>
        public double OverSelection { get; } = OverSelection >= 0 && double.IsFinite(OverSelection) ? OverSelection
            : throw new ArgumentOutOfRangeException(nameof(OverSelection), OverSelection, "over-selection must be finite and ≥ 0");

        /// <summary>Checks the deadline.</summary>
        public double? Deadline { get; } = Deadline is null || (Deadline > 0 && double.IsFinite(Deadline.Value)) ? Deadline
            : throw new ArgumentOutOfRangeException(nameof(Deadline), Deadline, "a round deadline must be finite and > 0, or null");

        /// <summary>Jobs a round dispatches: ceil(n·(1 + over-selection)); under <see cref="Poisson"/>, n on average.</summary>
        public int SelectedPerRound => (int)Math.Ceiling(ClientsPerRound * (1 + OverSelection) - 1e-9);

        /// <summary>
        /// Poisson sampling: each client is selected independently with probability n/N (N the population), so that a
        /// round is a subsampled mechanism that DP accounting may amplify; the round closes when every job is resolved or
        /// at the deadline, never at a count. False selects exactly <see cref="SelectedPerRound"/> clients.
        /// </summary>
        public bool Poisson { get; init; }

        /// <summary>
        /// A round that received no update still takes a step (central DP: the noise is released whoever took part, so
        /// that an empty round does not reveal itself); false skips it.
        /// </summary>
        public bool StepsWhenEmpty { get; init; }
    }
}
