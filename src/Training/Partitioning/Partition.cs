namespace FedActors.Training.Partitioning;

/// <summary>
/// Which training samples each client holds: an immutable, compact assignment of sample indices to
/// client ids <c>0 … ClientCount − 1</c>.
/// </summary>
/// <remarks>
/// Stored as compressed sparse rows (one array of sample indices, one array of per-client offsets), so
/// a population of any size costs only its indices plus one offset per client; no per-client objects.
/// Each client's indices are in ascending order: a canonical form that makes partitions comparable and
/// costs nothing, since local training shuffles them anyway.
/// </remarks>
public sealed class Partition
{
    private readonly int[] _offsets;
    private readonly int[] _indices;

    private Partition(int[] offsets, int[] indices)
    {
        _offsets = offsets;
        _indices = indices;
    }

    /// <summary>Number of clients, including clients that hold no samples.</summary>
    public int ClientCount => _offsets.Length - 1;

    /// <summary>Number of samples assigned to some client.</summary>
    public int TotalSamples => _indices.Length;

    /// <summary>The sample indices held by <paramref name="clientId"/>, ascending.</summary>
    public ReadOnlySpan<int> Indices(int clientId)
    {
        CheckClient(clientId);
        return _indices.AsSpan(_offsets[clientId], _offsets[clientId + 1] - _offsets[clientId]);
    }

    /// <summary>The sample indices held by <paramref name="clientId"/>, ascending, as memory that can outlive a stack frame.</summary>
    public ReadOnlyMemory<int> IndicesMemory(int clientId)
    {
        CheckClient(clientId);
        return _indices.AsMemory(_offsets[clientId], _offsets[clientId + 1] - _offsets[clientId]);
    }

    /// <summary>Number of samples held by <paramref name="clientId"/>.</summary>
    public int SampleCount(int clientId)
    {
        CheckClient(clientId);
        return _offsets[clientId + 1] - _offsets[clientId];
    }

    /// <summary>True when both partitions give every client the same samples.</summary>
    public bool SameAssignmentAs(Partition other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return _offsets.AsSpan().SequenceEqual(other._offsets) && _indices.AsSpan().SequenceEqual(other._indices);
    }

    /// <summary>
    /// Builds a partition from the owner of every sample: <c>owners[i]</c> is the client holding sample
    /// <c>i</c>, or −1 when no client holds it. Runs in O(samples + clients).
    /// </summary>
    public static Partition FromOwners(ReadOnlySpan<int> owners, int clientCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(clientCount);
        var offsets = new int[clientCount + 1];
        int assigned = 0;
        for (int i = 0; i < owners.Length; i++)
        {
            int owner = owners[i];
            if (owner == -1)
                continue;
            if ((uint)owner >= (uint)clientCount)
                throw new ArgumentException($"sample {i} is assigned to client {owner}, outside [0, {clientCount})", nameof(owners));
            offsets[owner + 1]++;
            assigned++;
        }
        for (int c = 0; c < clientCount; c++)
            offsets[c + 1] += offsets[c];

        // Counting sort: scanning samples in order keeps each client's indices ascending.
        var indices = new int[assigned];
        var next = offsets.AsSpan(0, clientCount).ToArray();
        for (int i = 0; i < owners.Length; i++)
        {
            int owner = owners[i];
            if (owner != -1)
                indices[next[owner]++] = i;
        }
        return new Partition(offsets, indices);
    }

    /// <summary>
    /// Builds a partition from compressed sparse rows: client <c>c</c> holds
    /// <c>indices[offsets[c] .. offsets[c + 1])</c>. The arrays are copied and each client's indices sorted;
    /// a sample may not appear twice.
    /// </summary>
    public static Partition FromCsr(ReadOnlySpan<int> offsets, ReadOnlySpan<int> indices)
    {
        if (offsets.Length < 2)
            throw new ArgumentException("offsets need at least two entries (one client)", nameof(offsets));
        if (offsets[0] != 0 || offsets[^1] != indices.Length)
            throw new ArgumentException(
                $"offsets must start at 0 and end at the number of indices ({indices.Length}), got {offsets[0]} … {offsets[^1]}", nameof(offsets));
        for (int c = 0; c + 1 < offsets.Length; c++)
        {
            if (offsets[c + 1] < offsets[c])
                throw new ArgumentException($"offsets must not decrease: client {c} has {offsets[c]} … {offsets[c + 1]}", nameof(offsets));
        }
        var ownedIndices = indices.ToArray();
        int largest = -1;
        foreach (int index in ownedIndices)
        {
            if (index < 0)
                throw new ArgumentException($"sample index {index} is negative", nameof(indices));
            largest = Math.Max(largest, index);
        }
        var seen = new bool[largest + 1];
        foreach (int index in ownedIndices)
        {
            if (seen[index])
                throw new ArgumentException($"sample {index} is assigned to more than one client", nameof(indices));
            seen[index] = true;
        }
        for (int c = 0; c + 1 < offsets.Length; c++)
            ownedIndices.AsSpan(offsets[c], offsets[c + 1] - offsets[c]).Sort();
        return new Partition(offsets.ToArray(), ownedIndices);
    }

    private void CheckClient(int clientId)
    {
        if ((uint)clientId >= (uint)ClientCount)
            throw new ArgumentOutOfRangeException(nameof(clientId), clientId, $"client id must be in [0, {ClientCount})");
    }
}
