namespace FedActors.Training.Partitioning;

/// <summary>
/// NIID-Bench's noise-based feature skew (Li et al., ICDE 2022): client <c>i</c> of <c>N</c> sees its features with
/// Gaussian noise of standard deviation <c>σ · i / (N − 1)</c> added, so client 0 holds clean data and the last client
/// the noisiest.
/// </summary>
/// <remarks>
/// NIID-Bench redraws the noise every time a sample is loaded. Here each client's noise is drawn once, from
/// (seed, client), and kept, as a device's own sensor noise would be; runs stay bit-exact and resumable.
/// </remarks>
/// <param name="Sigma">σ: the noise standard deviation of the last client; 0 adds none.</param>
public sealed record FeatureNoiseSkew(double Sigma)
{
    private const ulong Purpose = 0x6E6F_6973_6573_6B77; // "noiseskw"

    /// <summary>σ, finite and ≥ 0.</summary>
    public double Sigma { get; init => field = Checked(value); } = Checked(Sigma);

    private static double Checked(double sigma) => double.IsFinite(sigma) && sigma >= 0
        ? sigma
        : throw new ArgumentOutOfRangeException(nameof(Sigma), sigma, $"feature noise must be a finite number ≥ 0, got {sigma}");

    /// <summary>The noise standard deviation of <paramref name="clientId"/> among <paramref name="clients"/>: σ · i / (N − 1), 0 for a lone client.</summary>
    public double StdDevOf(int clientId, int clients)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(clients);
        if ((uint)clientId >= (uint)clients)
            throw new ArgumentOutOfRangeException(nameof(clientId), clientId, $"client id must be in [0, {clients})");
        return clients == 1 ? 0 : Sigma * clientId / (clients - 1);
    }

    /// <summary>
    /// Adds client <paramref name="clientId"/>'s noise to <paramref name="features"/> (its samples, row after row) in place;
    /// the same (seed, client) always adds the same noise.
    /// </summary>
    public void Apply(Span<float> features, int clientId, int clients, ulong seed)
    {
        double std = StdDevOf(clientId, clients);
        if (std == 0) return;
        var random = DeterministicRandom.For(seed, (ulong)clientId, Purpose);
        for (int i = 0; i < features.Length; i++)
            features[i] += (float)(std * random.NextNormal());
    }
}
