namespace FedActors.Training.Partitioning;

/// <summary>The random streams of partitioning, one per partitioner kind and draw.</summary>
internal static class PartitionRandom
{
    /// <summary>The purpose tag of partitioning streams (see <see cref="DeterministicRandom"/>).</summary>
    private const ulong Purpose = 0x9A27;

    internal const uint Iid = 1;
    internal const uint Dirichlet = 2;
    internal const uint Shards = 3;
    internal const uint Quantity = 4;
    internal const uint LabelsPerClient = 5;

    /// <summary>
    /// The stream of <paramref name="kind"/>'s <paramref name="draw"/>-th attempt: a redraw uses a fresh
    /// stream, so attempt k is the same whether or not earlier attempts consumed more numbers.
    /// </summary>
    public static DeterministicRandom For(ulong seed, uint kind, uint draw = 0) =>
        DeterministicRandom.For(seed, ((ulong)kind << 32) | draw, Purpose);
}
