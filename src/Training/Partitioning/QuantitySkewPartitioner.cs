namespace FedActors.Training.Partitioning;

/// <summary>
/// Quantity skew, NIID-Bench's "iid-diff-quantity" (Li et al. 2022): client sizes follow proportions
/// q ~ Dir_N(<see cref="Alpha"/>) over the N clients, and labels are IID within each client.
/// </summary>
/// <remarks>
/// NIID-Bench redraws q until every client gets at least 10 samples. With thousands of clients and a
/// small α that never succeeds, so this partitioner does not redraw: it first gives every client
/// <see cref="MinSamples"/> samples and then splits the remaining <c>samples − N·MinSamples</c> by q.
/// The sizes beyond the guaranteed minimum therefore still follow Dir(α) exactly; only their offset
/// differs (the coefficient of variation of the sizes is that of q scaled by the remaining fraction).
/// </remarks>
/// <param name="Alpha">Dirichlet concentration α: small means very unequal sizes, large means near-equal.</param>
/// <param name="MinSamples">Samples every client is guaranteed.</param>
public sealed record QuantitySkewPartitioner(double Alpha, int MinSamples) : IPartitioner
{
    /// <summary>Dirichlet concentration α of the size proportions; positive and finite.</summary>
    public double Alpha { get; init => field = CheckedAlpha(value); } = CheckedAlpha(Alpha);

    /// <summary>Samples every client is guaranteed; at least 0.</summary>
    public int MinSamples { get; init => field = CheckedMinSamples(value); } = CheckedMinSamples(MinSamples);

    /// <inheritdoc />
    public Partition Split(ReadOnlySpan<int> labels, int numClasses, int clients, ulong seed)
    {
        PartitionArguments.Check("quantity", labels, numClasses, clients);
        int n = labels.Length;
        long guaranteed = (long)clients * MinSamples;
        if (guaranteed > n)
            throw new ArgumentException(
                $"quantity partition: {clients} clients × min-samples {MinSamples} = {guaranteed} exceeds the {n} samples; "
                + (n >= clients ? $"lower min-samples to at most {n / clients} or use fewer clients" : $"use at most {n} clients"));

        var rng = PartitionRandom.For(seed, PartitionRandom.Quantity);
        var proportions = new double[clients];
        rng.NextDirichlet(Alpha, proportions);
        var sizes = new int[clients];
        PartitionArguments.SplitByProportions(proportions, n - (int)guaranteed, sizes);

        // A random order of all samples cut into consecutive runs keeps labels IID within each client.
        var order = new int[n];
        for (int i = 0; i < n; i++)
            order[i] = i;
        rng.Shuffle(order.AsSpan());
        var owners = new int[n];
        int position = 0;
        for (int c = 0; c < clients; c++)
        {
            for (int s = MinSamples + sizes[c]; s > 0; s--)
                owners[order[position++]] = c;
        }
        return Partition.FromOwners(owners, clients);
    }

    // The constructor and `with` both go through these, so no instance holds an invalid value.
    private static double CheckedAlpha(double alpha) => alpha > 0 && double.IsFinite(alpha)
        ? alpha
        : throw new ArgumentOutOfRangeException(nameof(Alpha), alpha, $"quantity partition: alpha must be a positive finite number, got {alpha}");

    private static int CheckedMinSamples(int minSamples) => minSamples >= 0
        ? minSamples
        : throw new ArgumentOutOfRangeException(nameof(MinSamples), minSamples, $"quantity partition: min-samples must be ≥ 0, got {minSamples}");
}
