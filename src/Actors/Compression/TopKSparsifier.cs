using System.Numerics.Tensors;
using FedActors.Actors.Updates;

namespace FedActors.Actors.Compression;

/// <summary>
/// <c>topk-F</c> / <c>topk-N</c>: only the k values of largest magnitude travel, with their positions (varint gaps,
/// about a byte each); every other value arrives as 0. Biased: what it drops is lost unless error feedback keeps it.
/// Ties at the threshold go to the lowest positions, so the choice is deterministic. <c>topk-layer-F</c> /
/// <c>topk-layer-N</c> keeps F (or N) of each parameter tensor instead, so that a layer of small values still sends some.
/// </summary>
/// <remarks>One scratch array of the model's length per instance; an instance serves one trainer.</remarks>
public sealed class TopKSparsifier : IUpdateTransform
{
    private float[] _magnitudes = [];
    private readonly int[] _wholeUpdate = new int[1];

    /// <summary>Creates a sparsifier that keeps <paramref name="kept"/> values of the update, or of each layer (<paramref name="perLayer"/>).</summary>
    public TopKSparsifier(SparsifiedCount kept, bool perLayer = false) => (Kept, PerLayer) = (kept, perLayer);

    /// <summary>How many values are kept.</summary>
    public SparsifiedCount Kept { get; }

    /// <summary>Whether <see cref="Kept"/> counts per parameter tensor (<see cref="TransformContext.Layers"/>).</summary>
    public bool PerLayer { get; }

    /// <inheritdoc />
    public string Name => NameOf(Kept, PerLayer);

    /// <summary>The codec name: <c>topk-0.01</c> for a fraction, <c>topk-500</c> for a count, <c>topk-layer-0.01</c> per layer.</summary>
    public static string NameOf(SparsifiedCount kept, bool perLayer = false) => perLayer ? $"topk-layer-{kept}" : $"topk-{kept}";

    /// <inheritdoc />
    public UpdatePayload Encode(UpdatePayload update, in TransformContext context)
    {
        var dense = CompressedValues.RequireDense(update, Name, "a sparsifier comes first in the codec chain");
        var x = dense.Values;
        int n = x.Length;
        var layers = Layers(context, n);
        int k = Count(layers, n);
        if (_magnitudes.Length != n) _magnitudes = new float[n];
        var indices = new int[k];
        var values = new float[k];
        int taken = 0, offset = 0;
        foreach (int size in layers.Span)
        {
            taken += Select(x.AsSpan(offset, size), _magnitudes.AsSpan(offset, size), Kept.Of(size), offset, indices.AsSpan(taken), values.AsSpan(taken));
            offset += size;
        }
        return new SparsePayload(n, indices, values);
    }

    // The k largest magnitudes of x (ties to the lowest positions), written as positions offset + i and their values.
    private static int Select(ReadOnlySpan<float> x, Span<float> magnitudes, int k, int offset, Span<int> indices, Span<float> values)
    {
        int n = x.Length;
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
        for (int i = 0, j = 0; j < k; i++)
        {
            float m = Magnitude(x[i]);
            if (m > threshold || (m == threshold && ties-- > 0))
            {
                indices[j] = offset + i;
                values[j++] = x[i];
            }
        }
        return k;
    }

    private static float Magnitude(float v) => float.IsNaN(v) ? float.PositiveInfinity : Math.Abs(v);

    /// <inheritdoc />
    public UpdatePayload Decode(UpdatePayload payload, in TransformContext context, DeltaBufferPool? arrays)
    {
        var sparse = payload as SparsePayload ?? throw new InvalidDataException($"{Name} decodes sparse payloads, not {payload.GetType().Name}");
        if (sparse.Length != context.Dimension) throw new WrongUpdateLengthException(sparse.Length, context.Dimension);
        var layers = Layers(context, context.Dimension);
        int k = Count(layers, context.Dimension);
        if (sparse.Indices.Length != k) throw new InvalidDataException($"{Name} sends {k} values of {context.Dimension}, the update has {sparse.Indices.Length}");
        if (sparse.Values is not DensePayload) throw new InvalidDataException($"{Name}: the values were not decoded to float32 ({sparse.Values.GetType().Name})");
        if (PerLayer)
        {
            // Indices ascend (the payload checks it): each layer must hold exactly its share.
            int j = 0, offset = 0, layer = 0;
            foreach (int size in layers.Span)
            {
                int end = offset + size, expected = Kept.Of(size), found = 0;
                while (j < sparse.Indices.Length && sparse.Indices[j] < end) { j++; found++; }
                if (found != expected) throw new InvalidDataException($"{Name} sends {expected} values of layer {layer} ({size} values), the update has {found}");
                offset = end;
                layer++;
            }
        }
        // The pipeline writes the sparse payload into a dense array of the pool's.
        return sparse;
    }

    private ReadOnlyMemory<int> Layers(in TransformContext context, int n)
    {
        if (!PerLayer)
        {
            _wholeUpdate[0] = n;
            return _wholeUpdate;
        }
        var layers = context.Layers;
        long sum = 0;
        foreach (int size in layers.Span) sum += size;
        if (layers.IsEmpty || sum != n)
            throw new InvalidOperationException($"{Name} needs the model's layer sizes, summing to its {n} values; it was given {layers.Length} layers of {sum}");
        return layers;
    }

    private int Count(ReadOnlyMemory<int> layers, int n)
    {
        if (!PerLayer) return Kept.Of(n);
        int k = 0;
        foreach (int size in layers.Span) k += Kept.Of(size);
        return k;
    }
}

/// <summary>The settings of <see cref="TopKSparsifier"/>.</summary>
/// <param name="Kept">How many values travel.</param>
/// <param name="PerLayer">Whether they are counted per parameter tensor.</param>
public sealed record TopKSettings(SparsifiedCount Kept, bool PerLayer = false) : IUpdateTransformSettings
{
    /// <inheritdoc />
    public string Name => TopKSparsifier.NameOf(Kept, PerLayer);

    /// <inheritdoc />
    public bool NeedsLayers => PerLayer;

    /// <inheritdoc />
    public IUpdateTransform Create() => new TopKSparsifier(Kept, PerLayer);
}
