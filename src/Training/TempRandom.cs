namespace FedActors.Training;

// Placeholder until the data branch lands with the full generator; same API subset.
public sealed class DeterministicRandom
{
    private ulong _s;
    private DeterministicRandom(ulong s) => _s = s;
    public static DeterministicRandom For(ulong seed, ulong stream, ulong purpose) =>
        new(seed * 0x9E3779B97F4A7C15UL ^ stream * 0xBF58476D1CE4E5B9UL ^ purpose * 0x94D049BB133111EBUL);
    private ulong Next()
    {
        ulong z = _s += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));
    public int NextInt(int n) => (int)((Next() >> 33) % (ulong)n);
    public void Shuffle(Span<int> a) { for (int i = a.Length - 1; i > 0; i--) { int j = NextInt(i + 1); (a[i], a[j]) = (a[j], a[i]); } }
}
