using System.Numerics.Tensors;
using FedActors.Actors.Updates;

namespace FedActors.Actors.Compression;

/// <summary>
/// <c>fp16</c>: values travel as IEEE half precision, 2 bytes instead of 4. Values beyond fp16's range (±65,504) are
/// sent saturated rather than as infinities, which the server would reject. Deterministic: no randomness.
/// </summary>
public sealed class HalfPrecisionCodec : IUpdateTransform
{
    /// <summary>The codec's name in <c>fedactors.compression.uplink</c>.</summary>
    public const string CodecName = "fp16";

    private static readonly float Largest = (float)Half.MaxValue;

    /// <inheritdoc />
    public string Name => CodecName;

    /// <inheritdoc />
    public UpdatePayload Encode(UpdatePayload update, in TransformContext context) => CompressedValues.Map(update, 0, static (values, _) =>
    {
        var dense = CompressedValues.RequireDense(values, CodecName, "put it after a sparsifier, never after another value codec");
        // The client owns its update: saturated in place, then narrowed.
        TensorPrimitives.Clamp(dense.Values, -Largest, Largest, dense.Values);
        var halves = GC.AllocateUninitializedArray<Half>(dense.Length);
        TensorPrimitives.ConvertToHalf(dense.Values, halves);
        return new HalfPayload(halves);
    });

    /// <inheritdoc />
    public UpdatePayload Decode(UpdatePayload payload, in TransformContext context, DeltaBufferPool? arrays) => CompressedValues.Map(payload, arrays, static (values, pool) =>
    {
        var half = values as HalfPayload ?? throw new InvalidDataException($"fp16 decodes half-precision values, not {values.GetType().Name}");
        var dense = CompressedValues.Rent(half.Length, pool);
        half.CopyTo(dense);
        return new DensePayload(dense);
    });
}

/// <summary>The settings of <see cref="HalfPrecisionCodec"/>: it has none.</summary>
public sealed record HalfPrecisionSettings : IUpdateTransformSettings
{
    /// <inheritdoc />
    public string Name => HalfPrecisionCodec.CodecName;

    /// <inheritdoc />
    public IUpdateTransform Create() => new HalfPrecisionCodec();
}
