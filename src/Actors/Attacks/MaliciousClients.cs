using System.Collections.Frozen;
using FedActors.Training;

namespace FedActors.Actors.Attacks;

/// <summary>
/// Which clients of a population are malicious: exactly round(fraction · N) of them, drawn from the run's seed, so every
/// node, the coordinator and a resumed run agree without being told.
/// </summary>
public sealed class MaliciousClients
{
    private const ulong Purpose = 0x6D61_6C69_6369_6F75; // "maliciou"

    private readonly FrozenSet<int> _ids;

    private MaliciousClients(int[] ids) => (_ids, Ids) = (ids.ToFrozenSet(), ids);

    /// <summary>The malicious clients' ids, ascending.</summary>
    public IReadOnlyList<int> Ids { get; }

    /// <summary>Whether <paramref name="clientId"/> is malicious.</summary>
    public bool Contains(int clientId) => _ids.Contains(clientId);

    /// <summary>round(<paramref name="fraction"/> · <paramref name="clients"/>) clients of <paramref name="clients"/>, drawn from <paramref name="seed"/>.</summary>
    public static MaliciousClients Draw(ulong seed, int clients, double fraction)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(clients);
        if (!(fraction >= 0 && fraction <= 1)) throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "the malicious fraction must be in [0, 1]");
        int count = (int)Math.Round(fraction * clients, MidpointRounding.AwayFromZero);
        var ids = Enumerable.Range(0, clients).ToArray();
        DeterministicRandom.For(seed, 0, Purpose).ShufflePrefix(ids.AsSpan(), count);
        var chosen = ids[..count];
        Array.Sort(chosen);
        return new MaliciousClients(chosen);
    }
}
