using FedActors.Actors.Simulation;
using FedActors.Training;

namespace FedActors.Actors.Coordination;

/// <summary>
/// Uniform selection among clients that are available and not already training. Costs O(1) expected
/// per pick when most clients are free (rejection sampling), whatever the population size; falls back to
/// one scan from a random offset when free clients are rare.
/// </summary>
public sealed class ClientSelector
{
    private const int Attempts = 64;
    private readonly int _population;
    private readonly DeviceProfiles _devices;

    /// <summary>Creates a selector over clients 0 … <paramref name="population"/> − 1.</summary>
    public ClientSelector(int population, DeviceProfiles devices)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(population);
        _population = population;
        _devices = devices ?? throw new ArgumentNullException(nameof(devices));
    }

    /// <summary>Picks a client that is not in <paramref name="busy"/> and is available at <paramref name="now"/>.</summary>
    /// <returns>False when there is none.</returns>
    public bool TrySelect(DeterministicRandom rng, double now, IReadOnlySet<int> busy, out int clientId)
    {
        clientId = -1;
        if (busy.Count >= _population) return false;
        for (int i = 0; i < Attempts; i++)
        {
            int c = rng.NextInt(_population);
            if (!busy.Contains(c) && _devices.IsAvailable(c, now))
            {
                clientId = c;
                return true;
            }
        }
        // Scanning from a random start is not exactly uniform, but only runs when free clients are rare.
        int start = rng.NextInt(_population);
        for (int i = 0; i < _population; i++)
        {
            int c = (start + i) % _population;
            if (!busy.Contains(c) && _devices.IsAvailable(c, now))
            {
                clientId = c;
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Picks uniformly among <paramref name="candidates"/> (ascending ids) that are not in <paramref name="busy"/>:
    /// real clients, whose availability is whether their node is reachable, not a simulated device profile.
    /// </summary>
    /// <returns>False when every candidate is busy or there is none.</returns>
    public static bool TrySelectAmong(DeterministicRandom rng, IReadOnlyList<int> candidates, IReadOnlySet<int> busy, out int clientId)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(busy);
        clientId = -1;
        int free = 0;
        foreach (var c in candidates) if (!busy.Contains(c)) free++;
        if (free == 0) return false;
        int pick = rng.NextInt(free);
        foreach (var c in candidates)
        {
            if (busy.Contains(c)) continue;
            if (pick-- == 0)
            {
                clientId = c;
                return true;
            }
        }
        return false;
    }
}
