using System.Collections.Concurrent;
using FedActors.Training.Data;
using FedActors.Training.Partitioning;

namespace FedActors.Actors.Population;

/// <summary>
/// A population whose clients see their features through <see cref="FeatureNoiseSkew"/>: client <c>i</c>'s samples carry
/// Gaussian noise of standard deviation σ · i / (N − 1), drawn once per client from the run's seed.
/// </summary>
/// <remarks>
/// A client's noisy copy is made on its first training and kept (clients without noise share the pooled data), so the
/// copies together hold at most one training set, whatever the population's size.
/// </remarks>
public sealed class NoisyClientData : IClientDataSource
{
    private readonly IClientDataSource _clean;
    private readonly FeatureNoiseSkew _noise;
    private readonly ulong _seed;
    private readonly ConcurrentDictionary<int, ClientData> _noisy = new();

    /// <summary>The population of <paramref name="clean"/> with <paramref name="noise"/> added, drawn from <paramref name="seed"/>.</summary>
    public NoisyClientData(IClientDataSource clean, FeatureNoiseSkew noise, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(clean);
        ArgumentNullException.ThrowIfNull(noise);
        (_clean, _noise, _seed) = (clean, noise, seed);
    }

    /// <inheritdoc />
    public int ClientCount => _clean.ClientCount;

    /// <inheritdoc />
    public ClientData Get(int clientId) =>
        _noise.StdDevOf(clientId, ClientCount) == 0 ? _clean.Get(clientId) : _noisy.GetOrAdd(clientId, AddNoise);

    /// <inheritdoc />
    public int SampleCount(int clientId) => _clean.SampleCount(clientId);

    private ClientData AddNoise(int clientId)
    {
        var own = _clean.Get(clientId);
        var data = own.Data;
        var (features, labels) = own.CopySamples();
        _noise.Apply(features, clientId, ClientCount, _seed);
        var noisy = new LabeledDataset($"{data.Name}/client-{clientId}+noise", features, labels, data.SampleShape, data.NumClasses);
        return new ClientData(noisy, Enumerable.Range(0, labels.Length).ToArray());
    }
}
