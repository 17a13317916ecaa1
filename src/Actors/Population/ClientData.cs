using FedActors.Training.Data;

namespace FedActors.Actors.Population;

/// <summary>What one client trains on: a dataset and the indices of its samples in it.</summary>
/// <param name="Data">The dataset (pooled, or the client's own).</param>
/// <param name="Indices">The client's samples in <paramref name="Data"/>.</param>
public sealed record ClientData(LabeledDataset Data, ReadOnlyMemory<int> Indices)
{
    /// <summary>Samples the client holds.</summary>
    public int SampleCount => Indices.Length;
}
