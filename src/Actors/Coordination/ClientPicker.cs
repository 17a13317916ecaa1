using FedActors.Actors.Simulation;
using FedActors.Training;

namespace FedActors.Actors.Coordination;

/// <summary>
/// Who trains the next job: a free client of the simulated population that its device profile says is online, or,
/// once real clients are registered (<see cref="LimitTo"/>), a free one among those whose nodes are reachable. The
/// choice for a job derives from (seed, job id) alone.
/// </summary>
internal sealed class ClientPicker(ulong seed, int population, DeviceProfiles devices)
{
    private const ulong SelectionPurpose = 0xC0DE_0001, PoissonPurpose = 0xC0DE_0002;

    private readonly ClientSelector _selector = new(population, devices);

    /// <summary>The real clients selection is limited to, ascending; null selects from the simulated population.</summary>
    public int[]? Reachable { get; private set; }

    /// <summary>From now on select only among <paramref name="clients"/>, real clients on reachable nodes.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A client id outside the population.</exception>
    public void LimitTo(IReadOnlyCollection<int> clients)
    {
        foreach (var c in clients)
            if ((uint)c >= (uint)population)
                throw new ArgumentOutOfRangeException(nameof(clients), $"client id {c} is outside the population [0, {population})");
        Reachable = clients.Distinct().Order().ToArray();
    }

    /// <summary>
    /// Poisson sampling for round <paramref name="round"/>: every client of the population (or of <see cref="Reachable"/>)
    /// is in the sample independently with probability <paramref name="rate"/>, by coin flips drawn from (seed, round)
    /// alone, in ascending order. The gaps between members are geometric, so a draw costs O(rate · population).
    /// Whether a member is free to train is the caller's question.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The rate is outside (0, 1].</exception>
    public List<int> PoissonSample(long round, double rate)
    {
        if (!(rate > 0 && rate <= 1)) throw new ArgumentOutOfRangeException(nameof(rate), rate, "a sampling rate must be in (0, 1]");
        var rng = DeterministicRandom.For(seed, (ulong)round, PoissonPurpose);
        int candidates = Reachable?.Length ?? population;
        var sample = new List<int>((int)Math.Min(candidates, Math.Ceiling(rate * candidates * 1.5) + 16));
        double logMiss = Math.Log(1 - rate);
        // Position of the next member: each gap G ≥ 0 has P(G = g) = (1 − q)^g · q, which is a coin per client.
        for (long next = -1; ;)
        {
            long gap = rate == 1 ? 0 : (long)Math.Floor(Math.Log(1 - rng.NextDouble()) / logMiss);
            next += gap + 1;
            if (gap < 0 || next >= candidates) return sample;
            sample.Add(Reachable is { } reachable ? reachable[next] : (int)next);
        }
    }

    /// <summary>True when <paramref name="client"/> may train now: not in <paramref name="busy"/>, and online (simulated) or reachable (real).</summary>
    public bool IsFree(int client, double now, IReadOnlySet<int> busy) =>
        !busy.Contains(client) && (Reachable is null ? devices.IsAvailable(client, now) : Array.BinarySearch(Reachable, client) >= 0);

    /// <summary>Picks the client of job <paramref name="jobId"/>; false when every eligible client is busy or offline.</summary>
    public bool TryPick(long jobId, double now, IReadOnlySet<int> busy, out int client)
    {
        var rng = DeterministicRandom.For(seed, (ulong)jobId, SelectionPurpose);
        return Reachable is null
            ? _selector.TrySelect(rng, now, busy, out client)
            : ClientSelector.TrySelectAmong(rng, Reachable, busy, out client);
    }
}
