namespace FedActors.Training.Partitioning;

/// <summary>
/// The pathological non-IID split of McMahan et al. 2017 (FedAvg): sort samples by label, cut them into
/// <c>clients × ShardsPerClient</c> shards of (near-)equal size, and deal each client
/// <see cref="ShardsPerClient"/> shards at random. With class sizes that are multiples of the shard size,
/// each client holds at most <see cref="ShardsPerClient"/> labels; otherwise a shard may straddle two.
/// </summary>
/// <param name="ShardsPerClient">Shards dealt to each client (2 in the paper).</param>
public sealed record ShardPartitioner(int ShardsPerClient) : IPartitioner
{
    /// <summary>Shards dealt to each client (2 in the paper); at least 1.</summary>
    public int ShardsPerClient { get; init => field = Checked(value); } = Checked(ShardsPerClient);

    // Both the constructor and `with` go through this, so no instance holds an invalid value.
    private static int Checked(int shardsPerClient) => shardsPerClient >= 1
        ? shardsPerClient
        : throw new ArgumentOutOfRangeException(nameof(ShardsPerClient), shardsPerClient, $"shards partition: shards-per-client must be ≥ 1, got {shardsPerClient}");

    /// <inheritdoc />
    public Partition Split(ReadOnlySpan<int> labels, int numClasses, int clients, ulong seed)
    {
        PartitionArguments.Check("shards", labels, numClasses, clients);
        int n = labels.Length;
        long shardCount = (long)clients * ShardsPerClient;
        if (shardCount > n)
            throw new ArgumentException(
                $"shards partition: {clients} clients × {ShardsPerClient} shards-per-client = {shardCount} shards, but only {n} samples; "
                + "lower shards-per-client or the number of clients");

        var (sortedByLabel, _) = PartitionArguments.GroupByLabel(labels, numClasses);
        int shards = (int)shardCount;
        var shardOrder = new int[shards];
        for (int s = 0; s < shards; s++)
            shardOrder[s] = s;
        PartitionRandom.For(seed, PartitionRandom.Shards).Shuffle(shardOrder.AsSpan());

        // Shard s covers sortedByLabel[Start(s) .. Start(s + 1)); the first n mod shards shards take one more sample.
        int baseSize = n / shards, extra = n % shards;
        int Start(int s) => s * baseSize + Math.Min(s, extra);

        var owners = new int[n];
        for (int position = 0; position < shards; position++)
        {
            int shard = shardOrder[position], client = position / ShardsPerClient;
            for (int i = Start(shard), end = Start(shard + 1); i < end; i++)
                owners[sortedByLabel[i]] = client;
        }
        return Partition.FromOwners(owners, clients);
    }
}
