namespace FedActors.Training.Partitioning;

/// <summary>
/// The IID split: shuffle all samples and cut them into <c>clients</c> parts whose sizes differ by at
/// most one, so every client sees the global label distribution up to sampling noise.
/// </summary>
public sealed record IidPartitioner : IPartitioner
{
    /// <inheritdoc />
    public Partition Split(ReadOnlySpan<int> labels, int numClasses, int clients, ulong seed)
    {
        PartitionArguments.Check("iid", labels, numClasses, clients);
        int n = labels.Length;
        if (clients > n)
            throw new ArgumentException(
                $"iid partition: cannot give each of {clients} clients at least one of {n} samples; use fewer clients");

        var order = new int[n];
        for (int i = 0; i < n; i++)
            order[i] = i;
        PartitionRandom.For(seed, PartitionRandom.Iid).Shuffle(order.AsSpan());

        // The first n mod clients clients take one extra sample.
        var owners = new int[n];
        int baseSize = n / clients, extra = n % clients, position = 0;
        for (int c = 0; c < clients; c++)
        {
            int size = baseSize + (c < extra ? 1 : 0);
            for (int s = 0; s < size; s++)
                owners[order[position++]] = c;
        }
        return Partition.FromOwners(owners, clients);
    }
}
