namespace FedActors.Training.Partitioning;

/// <summary>Builds the partitioner named by <c>fedactors.data.partition.kind</c>.</summary>
public static class PartitionerFactory
{
    /// <summary>The partition kinds <see cref="Create"/> accepts.</summary>
    public static IReadOnlyList<string> Kinds { get; } = ["iid", "dirichlet", "shards", "quantity", "labels-per-client"];

    /// <summary>
    /// Creates the partitioner for <paramref name="kind"/> ("iid" | "dirichlet" | "shards" | "quantity" | "labels-per-client");
    /// parameters the kind does not use are ignored.
    /// </summary>
    /// <param name="kind">Partition kind, case-insensitive.</param>
    /// <param name="alpha">Dirichlet α: label skew for "dirichlet", size skew for "quantity".</param>
    /// <param name="shardsPerClient">Shards per client for "shards".</param>
    /// <param name="minSamples">Minimum samples per client for "dirichlet" and "quantity".</param>
    /// <param name="labelsPerClient">Distinct labels per client for "labels-per-client" (NIID-Bench's <c>#C=k</c>).</param>
    /// <exception cref="ArgumentException">Unknown kind, or a parameter the kind uses is out of range.</exception>
    public static IPartitioner Create(string kind, double alpha, int shardsPerClient, int minSamples, int labelsPerClient = 2)
    {
        ArgumentNullException.ThrowIfNull(kind);
        return kind.Trim().ToLowerInvariant() switch
        {
            "iid" => new IidPartitioner(),
            "dirichlet" => new DirichletPartitioner(alpha, minSamples),
            "shards" => new ShardPartitioner(shardsPerClient),
            "quantity" => new QuantitySkewPartitioner(alpha, minSamples),
            "labels-per-client" => new LabelsPerClientPartitioner(labelsPerClient),
            _ => throw new ArgumentException(
                $"unknown partition kind '{kind}'; valid values are {string.Join(", ", Kinds.Select(k => $"'{k}'"))}", nameof(kind)),
        };
    }
}
