namespace FedActors.Training.Partitioning;

/// <summary>
/// NIID-Bench's quantity-based label skew <c>#C=k</c> (Li et al., ICDE 2022): every client holds exactly
/// <see cref="LabelsPerClient"/> distinct labels, and the samples of each label are split evenly among the clients that
/// hold it. As in NIID-Bench's code, client <c>i</c>'s first label is <c>i mod classes</c> (so every label has a holder
/// once there are as many clients as classes) and the others are drawn uniformly without repetition.
/// </summary>
/// <remarks>
/// Unlike <see cref="ShardPartitioner"/>, which deals fixed-size shards that may straddle two labels, a client here
/// never holds a sample of a label it was not given. With fewer clients than classes some labels have no holder and
/// their samples go unused, which the partition report shows.
/// </remarks>
/// <param name="LabelsPerClient">Distinct labels per client (k of <c>#C=k</c>).</param>
public sealed record LabelsPerClientPartitioner(int LabelsPerClient) : IPartitioner
{
    /// <summary>Distinct labels per client; at least 1 and at most the number of classes.</summary>
    public int LabelsPerClient { get; init => field = Checked(value); } = Checked(LabelsPerClient);

    private static int Checked(int labelsPerClient) => labelsPerClient >= 1
        ? labelsPerClient
        : throw new ArgumentOutOfRangeException(nameof(LabelsPerClient), labelsPerClient, $"labels-per-client partition: labels-per-client must be ≥ 1, got {labelsPerClient}");

    /// <inheritdoc />
    public Partition Split(ReadOnlySpan<int> labels, int numClasses, int clients, ulong seed)
    {
        PartitionArguments.Check("labels-per-client", labels, numClasses, clients);
        if (LabelsPerClient > numClasses)
            throw new ArgumentException(
                $"labels-per-client partition: {LabelsPerClient} labels per client, but the data has only {numClasses} classes");

        var random = PartitionRandom.For(seed, PartitionRandom.LabelsPerClient);
        var held = HeldLabels(random, numClasses, clients);
        var holders = new int[numClasses];
        foreach (int label in held)
            holders[label]++;

        var (byLabel, offsets) = PartitionArguments.GroupByLabel(labels, numClasses);
        for (int label = 0; label < numClasses; label++)
        {
            int count = offsets[label + 1] - offsets[label];
            if (holders[label] > count)
                throw new ArgumentException(
                    $"labels-per-client partition: label {label} has {count} samples for {holders[label]} clients that hold it; "
                    + "use fewer clients or more labels per client");
        }

        var owners = new int[labels.Length];
        owners.AsSpan().Fill(-1);
        var nextHolder = new int[numClasses];
        // Each label's samples in a random order, cut into as many near-equal parts as it has holders (numpy's
        // array_split: the first count mod holders parts take one more), dealt to its holders in client order.
        for (int label = 0; label < numClasses; label++)
            random.Shuffle(byLabel.AsSpan(offsets[label], offsets[label + 1] - offsets[label]));
        for (int client = 0; client < clients; client++)
        {
            foreach (int label in held.AsSpan(client * LabelsPerClient, LabelsPerClient))
            {
                int count = offsets[label + 1] - offsets[label], parts = holders[label], part = nextHolder[label]++;
                int baseSize = count / parts, extra = count % parts;
                int start = offsets[label] + part * baseSize + Math.Min(part, extra);
                int size = baseSize + (part < extra ? 1 : 0);
                foreach (int sample in byLabel.AsSpan(start, size))
                    owners[sample] = client;
            }
        }
        return Partition.FromOwners(owners, clients);
    }

    /// <summary>The labels of every client, <see cref="LabelsPerClient"/> per client in a row, the first <c>i mod classes</c>.</summary>
    private int[] HeldLabels(DeterministicRandom random, int numClasses, int clients)
    {
        int k = LabelsPerClient;
        var held = new int[(long)clients * k];
        for (int client = 0; client < clients; client++)
        {
            var mine = held.AsSpan(client * k, k);
            mine[0] = client % numClasses;
            for (int j = 1; j < k;)
            {
                int label = random.NextInt(numClasses);
                if (!mine[..j].Contains(label))
                    mine[j++] = label;
            }
        }
        return held;
    }
}
