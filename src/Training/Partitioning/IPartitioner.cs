namespace FedActors.Training.Partitioning;

/// <summary>Splits a labeled training set over a population of clients.</summary>
public interface IPartitioner
{
    /// <summary>
    /// Assigns the samples with the given <paramref name="labels"/> to <paramref name="clients"/> clients.
    /// The result depends only on the arguments: the same seed always gives the same partition.
    /// </summary>
    /// <param name="labels">Class index of every sample, each in <c>[0, numClasses)</c>.</param>
    /// <param name="numClasses">Number of classes.</param>
    /// <param name="clients">Number of clients to split over.</param>
    /// <param name="seed">Master seed of the run.</param>
    /// <exception cref="ArgumentException">The request cannot be met (e.g. fewer samples than clients need).</exception>
    Partition Split(ReadOnlySpan<int> labels, int numClasses, int clients, ulong seed);
}
