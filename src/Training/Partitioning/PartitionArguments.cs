namespace FedActors.Training.Partitioning;

/// <summary>Checks shared by every partitioner, so each error reads the same.</summary>
internal static class PartitionArguments
{
    public static void Check(string kind, ReadOnlySpan<int> labels, int numClasses, int clients)
    {
        if (clients < 1)
            throw new ArgumentOutOfRangeException(nameof(clients), clients, $"{kind} partition: need at least one client, got {clients}");
        if (numClasses < 1)
            throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, $"{kind} partition: need at least one class, got {numClasses}");
        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)numClasses)
                throw new ArgumentException($"{kind} partition: label {labels[i]} of sample {i} is outside [0, {numClasses})", nameof(labels));
        }
    }

    /// <summary>Sample indices grouped by class (counting sort, ascending within a class).</summary>
    public static (int[] Indices, int[] Offsets) GroupByLabel(ReadOnlySpan<int> labels, int numClasses)
    {
        var offsets = new int[numClasses + 1];
        foreach (int label in labels)
            offsets[label + 1]++;
        for (int k = 0; k < numClasses; k++)
            offsets[k + 1] += offsets[k];
        var next = offsets.AsSpan(0, numClasses).ToArray();
        var indices = new int[labels.Length];
        for (int i = 0; i < labels.Length; i++)
            indices[next[labels[i]]++] = i;
        return (indices, offsets);
    }

    /// <summary>
    /// Splits <paramref name="total"/> items by <paramref name="proportions"/> (summing to 1) the way
    /// NIID-Bench does: cut points at <c>floor(cumsum · total)</c>, the last part taking the rest.
    /// Writes each part's size to <paramref name="sizes"/>.
    /// </summary>
    public static void SplitByProportions(ReadOnlySpan<double> proportions, int total, Span<int> sizes)
    {
        double cumulative = 0;
        int previousCut = 0;
        for (int j = 0; j < proportions.Length - 1; j++)
        {
            cumulative += proportions[j];
            int cut = Math.Clamp((int)(cumulative * total), previousCut, total);
            sizes[j] = cut - previousCut;
            previousCut = cut;
        }
        sizes[^1] = total - previousCut;
    }
}
