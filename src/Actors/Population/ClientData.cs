using FedActors.Training.Data;

namespace FedActors.Actors.Population;

/// <summary>What one client trains on: a dataset and the indices of its samples in it.</summary>
/// <param name="Data">The dataset (pooled, or the client's own).</param>
/// <param name="Indices">The client's samples in <paramref name="Data"/>.</param>
public sealed record ClientData(LabeledDataset Data, ReadOnlyMemory<int> Indices)
{
    /// <summary>Samples the client holds.</summary>
    public int SampleCount => Indices.Length;

    /// <summary>
    /// A copy of the client's samples, one after another, and their labels: for a view of the client's data that differs
    /// from the pooled set (a poisoned or a noisy copy) without touching what other clients see.
    /// </summary>
    public (float[] Features, int[] Labels) CopySamples()
    {
        var indices = Indices.Span;
        int n = indices.Length, size = Data.FeatureSize;
        var features = new float[(long)n * size];
        var labels = new int[n];
        for (int k = 0; k < n; k++)
        {
            Data.Sample(indices[k]).CopyTo(features.AsSpan(k * size, size));
            labels[k] = Data.Labels[indices[k]];
        }
        return (features, labels);
    }
}
