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
    private const ulong SelectionPurpose = 0xC0DE_0001;

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

    /// <summary>Picks the client of job <paramref name="jobId"/>; false when every eligible client is busy or offline.</summary>
    public bool TryPick(long jobId, double now, IReadOnlySet<int> busy, out int client)
    {
        var rng = DeterministicRandom.For(seed, (ulong)jobId, SelectionPurpose);
        return Reachable is null
            ? _selector.TrySelect(rng, now, busy, out client)
            : ClientSelector.TrySelectAmong(rng, Reachable, busy, out client);
    }
}
