using FedActors.Training;

namespace FedActors.Actors.SecureAggregation;

/// <summary>
/// Maps an update into the integers that SecAgg masks: each coordinate is clipped to [−<see cref="ClipRange"/>,
/// <see cref="ClipRange"/>], scaled onto the grid 0 … <see cref="Levels"/> − 1 and rounded stochastically (up with the
/// probability of its fractional part), so the rounding is unbiased. A sum of n such words decodes to the sum of the n
/// clipped values within n · <see cref="Step"/> per coordinate.
/// </summary>
/// <remarks>
/// The sum of n words is at most n · (Levels − 1); it is exact in Z_(2^b) as long as that stays below 2^b, which
/// <see cref="MaxSummands"/> states for a given b.
/// </remarks>
public sealed class StochasticQuantizer
{
    /// <summary>A quantizer onto <paramref name="levels"/> grid points over [−<paramref name="clipRange"/>, <paramref name="clipRange"/>].</summary>
    public StochasticQuantizer(double clipRange, uint levels)
    {
        if (!(clipRange > 0) || !double.IsFinite(clipRange))
            throw new ArgumentOutOfRangeException(nameof(clipRange), clipRange, "the clipping range must be a positive finite number");
        if (levels < 2) throw new ArgumentOutOfRangeException(nameof(levels), levels, "a grid needs at least 2 levels");
        (ClipRange, Levels) = (clipRange, levels);
        Step = 2 * clipRange / (levels - 1);
    }

    /// <summary>c: values are clipped to [−c, c].</summary>
    public double ClipRange { get; }

    /// <summary>Grid points; a word is in [0, Levels − 1].</summary>
    public uint Levels { get; }

    /// <summary>The grid spacing 2c / (Levels − 1): the most one coordinate's rounding can move it.</summary>
    public double Step { get; }

    /// <summary>Summands whose sum of words stays below 2^<paramref name="bits"/>, so masking modulo 2^bits loses nothing.</summary>
    public long MaxSummands(int bits) => bits is < 1 or > 32
        ? throw new ArgumentOutOfRangeException(nameof(bits), bits, "masking works in Z_(2^b) for b in 1 … 32")
        : (long)(((1UL << bits) - 1) / (Levels - 1));

    /// <summary>Quantizes <paramref name="values"/> into <paramref name="words"/> with rounding draws from <paramref name="random"/>.</summary>
    public void Quantize(ReadOnlySpan<float> values, Span<uint> words, IUniformSource random)
    {
        if (words.Length != values.Length) throw new ArgumentException($"{values.Length} values need as many words, got {words.Length}", nameof(words));
        double scale = 1 / Step;
        for (int i = 0; i < values.Length; i++)
        {
            double v = values[i];
            if (!double.IsFinite(v)) throw new ArgumentException($"coordinate {i} is {v}: an update to be masked must be finite", nameof(values));
            double position = (Math.Clamp(v, -ClipRange, ClipRange) + ClipRange) * scale;
            double floor = Math.Floor(position);
            uint word = (uint)floor + (random.NextDouble() < position - floor ? 1u : 0u);
            words[i] = Math.Min(word, Levels - 1);
        }
    }

    /// <summary>
    /// Decodes the sum of <paramref name="summands"/> quantized vectors (already reduced modulo 2^b and below 2^b) into
    /// <paramref name="sum"/>: Σ word · Step − n · c.
    /// </summary>
    public void DecodeSum(ReadOnlySpan<uint> words, long summands, Span<float> sum)
    {
        if (sum.Length != words.Length) throw new ArgumentException($"{words.Length} words decode into as many values, got {sum.Length}", nameof(sum));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(summands);
        double offset = summands * ClipRange;
        for (int i = 0; i < words.Length; i++) sum[i] = (float)(words[i] * Step - offset);
    }
}
