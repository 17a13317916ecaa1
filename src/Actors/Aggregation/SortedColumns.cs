using System.Numerics;

namespace FedActors.Actors.Aggregation;

/// <summary>
/// The coordinate-wise order statistics that median and trimmed mean read, for a block of <see cref="Width"/> coordinates
/// at once: one SIMD lane per coordinate, sorted across the updates by an odd–even transposition network of Min/Max.
/// </summary>
/// <remarks>
/// A network of n rounds sorts n values with n(n−1)/2 compare-exchanges and no branch; for the handful of updates of a
/// FedBuff buffer that is far cheaper than a sort call per coordinate (measured with <c>fedactors bench aggregate</c>,
/// docs/2026-12-07-robust-aggregation.md). Above <see cref="MaxUpdates"/> updates the quadratic network loses to a sort.
/// The updates are finite (the buffer checked them), so Min and Max order them exactly as a sort would.
/// </remarks>
internal static class SortedColumns
{
    /// <summary>Writes one block's result from its sorted lanes.</summary>
    public delegate void BlockReducer<TState>(ReadOnlySpan<Vector<float>> sorted, Span<float> destination, TState state);

    /// <summary>The most updates the network sorts; beyond, callers sort each coordinate.</summary>
    public const int MaxUpdates = 32;

    /// <summary>Coordinates per block: the SIMD width.</summary>
    public static int Width => Vector<float>.Count;

    /// <summary>Whether blocks of <paramref name="updates"/> updates go through the network.</summary>
    public static bool Applies(int updates) => Vector.IsHardwareAccelerated && updates <= MaxUpdates;

    /// <summary>
    /// Sorts every whole block of coordinates of <paramref name="result"/>'s length and lets <paramref name="reduce"/> write
    /// each block's result; returns the first coordinate not done (the remainder, or 0 when the network does not apply).
    /// </summary>
    /// <param name="updates">The updates.</param>
    /// <param name="lanes">Scratch of one vector per update, (re)allocated here when its length is not the update count.</param>
    /// <param name="result">The combined update.</param>
    /// <param name="state">What <paramref name="reduce"/> needs besides the sorted lanes.</param>
    /// <param name="reduce">Writes a block's result; static, so that nothing is captured per call.</param>
    public static int ReduceBlocks<TState>(ReadOnlySpan<BufferedUpdate> updates, ref Vector<float>[] lanes, Span<float> result, TState state,
        BlockReducer<TState> reduce)
    {
        int n = updates.Length;
        if (!Applies(n)) return 0;
        if (lanes.Length != n) lanes = new Vector<float>[n];
        int j = 0;
        for (; j + Width <= result.Length; j += Width)
        {
            SortBlock(updates, j, lanes);
            reduce(lanes, result.Slice(j, Width), state);
        }
        return j;
    }

    /// <summary>Loads coordinates [<paramref name="j"/>, <paramref name="j"/> + <see cref="Width"/>) of every update and sorts each lane: <paramref name="sorted"/>[i] holds the i-th smallest.</summary>
    public static void SortBlock(ReadOnlySpan<BufferedUpdate> updates, int j, Span<Vector<float>> sorted)
    {
        int n = updates.Length;
        for (int i = 0; i < n; i++) sorted[i] = new Vector<float>(updates[i].Delta.AsSpan(j, Width));
        for (int round = 0; round < n; round++)
        {
            for (int i = round & 1; i + 1 < n; i += 2)
            {
                var low = sorted[i];
                var high = sorted[i + 1];
                sorted[i] = Vector.Min(low, high);
                sorted[i + 1] = Vector.Max(low, high);
            }
        }
    }
}
