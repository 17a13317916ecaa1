namespace FedActors.Training.Partitioning;

/// <summary>
/// Label skew by Dirichlet proportions (Hsu et al. 2019; NIID-Bench "noniid-labeldir", Li et al. 2022):
/// for each class k, draw p_k ~ Dir_N(<see cref="Alpha"/>) over the N clients and split class k's
/// samples by p_k. Small α concentrates each client on few labels; large α approaches IID.
/// </summary>
/// <remarks>
/// As in NIID-Bench's partition code, a client that already holds at least <c>samples / N</c> samples
/// gets proportion 0 for the classes still to be split, which keeps sizes from running away. The whole
/// draw is repeated, with a fresh random stream, until every client holds at least
/// <see cref="MinSamples"/> samples, at most <see cref="MaxDraws"/> times.
/// </remarks>
/// <param name="Alpha">Dirichlet concentration α: small means strong label skew.</param>
/// <param name="MinSamples">Samples every client must hold; the split is redrawn until it does (NIID-Bench uses 10).</param>
/// <param name="MaxDraws">How many draws to try before giving up.</param>
public sealed record DirichletPartitioner(double Alpha, int MinSamples, int MaxDraws = DirichletPartitioner.DefaultMaxDraws) : IPartitioner
{
    /// <summary>Default bound on redraws.</summary>
    public const int DefaultMaxDraws = 1000;

    /// <summary>Dirichlet concentration α over clients; positive and finite.</summary>
    public double Alpha { get; init => field = CheckedAlpha(value); } = CheckedAlpha(Alpha);

    /// <summary>Samples every client must hold; at least 0.</summary>
    public int MinSamples { get; init => field = CheckedMinSamples(value); } = CheckedMinSamples(MinSamples);

    /// <summary>How many draws to try before giving up; at least 1.</summary>
    public int MaxDraws { get; init => field = CheckedMaxDraws(value); } = CheckedMaxDraws(MaxDraws);

    /// <inheritdoc />
    public Partition Split(ReadOnlySpan<int> labels, int numClasses, int clients, ulong seed)
    {
        PartitionArguments.Check("dirichlet", labels, numClasses, clients);
        int n = labels.Length;
        long guaranteed = (long)clients * MinSamples;
        if (guaranteed > n)
            throw new ArgumentException(
                $"dirichlet partition: {clients} clients × min-samples {MinSamples} = {guaranteed} exceeds the {n} samples; "
                + (n >= clients ? $"lower min-samples to at most {n / clients} or use fewer clients" : $"use at most {n} clients"));

        var (byLabel, classOffsets) = PartitionArguments.GroupByLabel(labels, numClasses);
        var owners = new int[n];
        var clientSizes = new int[clients];
        var proportions = new double[clients];
        var parts = new int[clients];
        int smallestSeen = 0;
        for (int draw = 0; draw < MaxDraws; draw++)
        {
            var rng = PartitionRandom.For(seed, PartitionRandom.Dirichlet, (uint)draw);
            Array.Clear(clientSizes);
            for (int k = 0; k < numClasses; k++)
            {
                var classSamples = byLabel.AsSpan(classOffsets[k], classOffsets[k + 1] - classOffsets[k]);
                rng.Shuffle(classSamples);
                rng.NextDirichlet(Alpha, proportions);
                Balance(proportions, clientSizes, (double)n / clients);
                PartitionArguments.SplitByProportions(proportions, classSamples.Length, parts);
                int position = 0;
                for (int c = 0; c < clients; c++)
                {
                    for (int s = 0; s < parts[c]; s++)
                        owners[classSamples[position++]] = c;
                    clientSizes[c] += parts[c];
                }
            }
            int smallest = clientSizes.Min();
            if (smallest >= MinSamples)
                return Partition.FromOwners(owners, clients);
            smallestSeen = Math.Max(smallestSeen, smallest);
        }
        throw new ArgumentException(
            $"dirichlet partition: min-samples {MinSamples} is unattainable for {clients} clients at alpha {Alpha} over {n} samples: "
            + $"after {MaxDraws} draws the smallest client still held only {smallestSeen} samples at best; "
            + "lower min-samples (or raise alpha, or use fewer clients)");
    }

    /// <summary>
    /// NIID-Bench's balancing: zero the share of clients already at or above the mean size, then
    /// renormalize. Falls back to the raw draw if that leaves nothing (only possible through underflow).
    /// </summary>
    private static void Balance(Span<double> proportions, ReadOnlySpan<int> clientSizes, double meanSize)
    {
        double kept = 0;
        for (int c = 0; c < proportions.Length; c++)
        {
            if (clientSizes[c] < meanSize)
                kept += proportions[c];
        }
        if (kept <= 0)
            return;
        for (int c = 0; c < proportions.Length; c++)
            proportions[c] = clientSizes[c] < meanSize ? proportions[c] / kept : 0;
    }

    // The constructor and `with` both go through these, so no instance holds an invalid value.
    private static double CheckedAlpha(double alpha) => alpha > 0 && double.IsFinite(alpha)
        ? alpha
        : throw new ArgumentOutOfRangeException(nameof(Alpha), alpha, $"dirichlet partition: alpha must be a positive finite number, got {alpha}");

    private static int CheckedMinSamples(int minSamples) => minSamples >= 0
        ? minSamples
        : throw new ArgumentOutOfRangeException(nameof(MinSamples), minSamples, $"dirichlet partition: min-samples must be ≥ 0, got {minSamples}");

    private static int CheckedMaxDraws(int maxDraws) => maxDraws >= 1
        ? maxDraws
        : throw new ArgumentOutOfRangeException(nameof(MaxDraws), maxDraws, $"dirichlet partition: max draws must be ≥ 1, got {maxDraws}");
}
