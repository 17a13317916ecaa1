using System.Numerics.Tensors;
using FedActors.Actors.Updates;
using FedActors.Training;

namespace FedActors.Actors.Compression;

/// <summary>
/// <c>randk-F</c> / <c>randk-N</c>: k positions drawn uniformly without replacement from the run's seed and the job,
/// so the server draws the same ones and the positions cost no bytes; the k values travel scaled by n/k, which makes
/// the decoded update unbiased (Konečný et al. 2016's random mask).
/// </summary>
/// <remarks>The positions come from selection sampling (Knuth's algorithm S): ascending, one draw per model value.</remarks>
public sealed class RandomKSparsifier : IUpdateTransform
{
    private const ulong Purpose = 0x7261_6E64_6B6D_736B; // "randkmsk"
    private int[] _positions = [];

    /// <summary>Creates a sparsifier that keeps <paramref name="kept"/> random values.</summary>
    public RandomKSparsifier(SparsifiedCount kept) => Kept = kept;

    /// <summary>How many values are kept.</summary>
    public SparsifiedCount Kept { get; }

    /// <inheritdoc />
    public string Name => NameOf(Kept);

    /// <summary>The codec name: <c>randk-0.01</c> for a fraction, <c>randk-500</c> for a count.</summary>
    public static string NameOf(SparsifiedCount kept) => $"randk-{kept}";

    /// <inheritdoc />
    public UpdatePayload Encode(UpdatePayload update, in TransformContext context)
    {
        var dense = CompressedValues.RequireDense(update, Name, "a sparsifier comes first in the codec chain");
        var x = dense.Values;
        var positions = Positions(context, x.Length);
        var values = new float[positions.Length];
        for (int j = 0; j < positions.Length; j++) values[j] = x[positions[j]];
        TensorPrimitives.Multiply(values, (float)x.Length / positions.Length, values);
        return new DensePayload(values);
    }

    /// <inheritdoc />
    public UpdatePayload Decode(UpdatePayload payload, in TransformContext context, DeltaBufferPool? arrays)
    {
        var dense = payload as DensePayload ?? throw new InvalidDataException($"{Name} decodes float32 values, not {payload.GetType().Name}");
        int k = Kept.Of(context.Dimension);
        if (dense.Length != k) throw new InvalidDataException($"{Name} sends {k} values of {context.Dimension}, the update has {dense.Length}");
        // The positions travel inside the payload from here on: a fresh copy of the scratch.
        return new SparsePayload(context.Dimension, Positions(context, context.Dimension).ToArray(), dense);
    }

    /// <summary>The k ascending positions of this job's mask, in a scratch span valid until the next call.</summary>
    private ReadOnlySpan<int> Positions(in TransformContext context, int n)
    {
        int k = Kept.Of(n);
        if (_positions.Length != k) _positions = new int[k];
        var random = DeterministicRandom.For(context.Seed, unchecked((ulong)context.JobId), Purpose);
        // Position i is taken with probability (still needed) / (still left): exactly k, each k-subset equally likely.
        for (int i = 0, taken = 0; taken < k; i++)
        {
            if (random.NextDouble() * (n - i) < k - taken) _positions[taken++] = i;
        }
        return _positions;
    }
}

/// <summary>The settings of <see cref="RandomKSparsifier"/>.</summary>
/// <param name="Kept">How many values travel.</param>
public sealed record RandomKSettings(SparsifiedCount Kept) : IUpdateTransformSettings
{
    /// <inheritdoc />
    public string Name => RandomKSparsifier.NameOf(Kept);

    /// <inheritdoc />
    public IUpdateTransform Create() => new RandomKSparsifier(Kept);
}
