using System.Numerics.Tensors;
using FedActors.Actors.Updates;

namespace FedActors.Actors.Compression;

/// <summary>
/// <c>topk-F</c> / <c>topk-N</c>: only the k values of largest magnitude travel, with their positions (varint gaps,
/// about a byte each); every other value arrives as 0. Biased: what it drops is lost unless error feedback keeps it.
/// Ties at the threshold go to the lowest positions, so the choice is deterministic.
/// </summary>
/// <remarks>One scratch array of the model's length per instance; an instance serves one trainer.</remarks>
public sealed class TopKSparsifier : IUpdateTransform
{
    private float[] _magnitudes = [];

    /// <summary>Creates a sparsifier that keeps <paramref name="kept"/> values.</summary>
    public TopKSparsifier(SparsifiedCount kept) => Kept = kept;

    /// <summary>How many values are kept.</summary>
    public SparsifiedCount Kept { get; }

    /// <inheritdoc />
    public string Name => NameOf(Kept);

    /// <summary>The codec name: <c>topk-0.01</c> for a fraction, <c>topk-500</c> for a count.</summary>
    public static string NameOf(SparsifiedCount kept) => $"topk-{kept}";

    /// <inheritdoc />
    public UpdatePayload Encode(UpdatePayload update, in TransformContext context)
    {
        var dense = CompressedValues.RequireDense(update, Name, "a sparsifier comes first in the codec chain");
        var x = dense.Values;
        int n = x.Length, k = Kept.Of(n);
        if (_magnitudes.Length != n) _magnitudes = new float[n];
        var magnitudes = _magnitudes.AsSpan();
        TensorPrimitives.Abs(x, magnitudes);
        // NaN has no order: counted as the largest, so it travels and the server rejects the update.
        if (!float.IsFinite(TensorPrimitives.Sum(magnitudes)))
            for (int i = 0; i < n; i++)
                if (float.IsNaN(magnitudes[i])) magnitudes[i] = float.PositiveInfinity;
        float threshold = k == 0 ? float.PositiveInfinity : MagnitudeSelection.KthLargest(magnitudes, k);

        int above = 0;
        for (int i = 0; i < n; i++)
            if (Magnitude(x[i]) > threshold) above++;
        int ties = k - above;
        var indices = new int[k];
        var values = new float[k];
        for (int i = 0, j = 0; j < k; i++)
        {
            float m = Magnitude(x[i]);
            if (m > threshold || (m == threshold && ties-- > 0))
            {
                indices[j] = i;
                values[j++] = x[i];
            }
        }
        return new SparsePayload(n, indices, values);
    }

    private static float Magnitude(float v) => float.IsNaN(v) ? float.PositiveInfinity : Math.Abs(v);

    /// <inheritdoc />
    public UpdatePayload Decode(UpdatePayload payload, in TransformContext context, DeltaBufferPool? arrays)
    {
        var sparse = payload as SparsePayload ?? throw new InvalidDataException($"{Name} decodes sparse payloads, not {payload.GetType().Name}");
        int k = Kept.Of(context.Dimension);
        if (sparse.Length != context.Dimension) throw new WrongUpdateLengthException(sparse.Length, context.Dimension);
        if (sparse.Indices.Length != k) throw new InvalidDataException($"{Name} sends {k} values of {context.Dimension}, the update has {sparse.Indices.Length}");
        if (sparse.Values is not DensePayload) throw new InvalidDataException($"{Name}: the values were not decoded to float32 ({sparse.Values.GetType().Name})");
        // The pipeline writes the sparse payload into a dense array of the pool's.
        return sparse;
    }
}

/// <summary>The settings of <see cref="TopKSparsifier"/>.</summary>
/// <param name="Kept">How many values travel.</param>
public sealed record TopKSettings(SparsifiedCount Kept) : IUpdateTransformSettings
{
    /// <inheritdoc />
    public string Name => TopKSparsifier.NameOf(Kept);

    /// <inheritdoc />
    public IUpdateTransform Create() => new TopKSparsifier(Kept);
}
