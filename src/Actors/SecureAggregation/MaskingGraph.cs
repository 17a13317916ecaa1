using FedActors.Training;

namespace FedActors.Actors.SecureAggregation;

/// <summary>
/// SecAgg+'s sparse masking graph (Bell et al., CCS 2020): a Harary graph H(k, n) over a random ordering of the members.
/// Member i's neighbours are the k/2 members on each side of it on a ring shuffled by the cohort's public seed, so the
/// graph is k-regular and symmetric, and nobody can choose whom they neighbour.
/// </summary>
public sealed class MaskingGraph
{
    private readonly int[][] _neighbours;

    /// <summary>Lays out the graph of <paramref name="parameters"/>.</summary>
    public MaskingGraph(CohortParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        parameters.Validate();
        int n = parameters.Members, k = parameters.EffectiveDegree;
        var ring = Enumerable.Range(0, n).ToArray();
        DeterministicRandom.For(parameters.GraphSeed, (ulong)parameters.CohortId, 0x5EC4_6A9F).Shuffle(ring.AsSpan());
        var position = new int[n];
        for (int p = 0; p < n; p++) position[ring[p]] = p;
        _neighbours = new int[n][];
        for (int i = 0; i < n; i++)
        {
            if (k == n - 1)
            {
                _neighbours[i] = Enumerable.Range(0, n).Where(j => j != i).ToArray();
                continue;
            }
            var mine = new int[k];
            for (int d = 1; d <= k / 2; d++)
            {
                mine[2 * (d - 1)] = ring[(position[i] + d) % n];
                mine[2 * (d - 1) + 1] = ring[(position[i] - d + n) % n];
            }
            Array.Sort(mine);
            _neighbours[i] = mine;
        }
    }

    /// <summary>The neighbours of <paramref name="member"/>, ascending.</summary>
    public IReadOnlyList<int> Neighbours(int member) => _neighbours[member];

    /// <summary>True when <paramref name="a"/> and <paramref name="b"/> share a pairwise mask.</summary>
    public bool AreNeighbours(int a, int b) => Array.BinarySearch(_neighbours[a], b) >= 0;
}
