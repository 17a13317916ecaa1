using FedActors.Training;

namespace FedActors.Actors.Privacy;

/// <summary>Adds N(0, std²) to every value of a vector, from a seeded or a cryptographic normal source.</summary>
internal static class GaussianNoise
{
    /// <summary>Adds noise of standard deviation <paramref name="std"/> to each value of <paramref name="values"/>, in place.</summary>
    /// <remarks>Generic over the source, so the seeded and the cryptographic stream share one loop without a delegate per draw.</remarks>
    public static void Add<T>(Span<float> values, double std, T random) where T : INormalSource
    {
        for (int i = 0; i < values.Length; i++) values[i] = (float)(values[i] + std * random.NextNormal());
    }
}
