using System.Numerics.Tensors;

namespace FedActors.Actors.Updates;

/// <summary>Every value as IEEE 754 half precision (fp16): half the bytes of float32, about three decimal digits.</summary>
public sealed record HalfPayload : UpdatePayload
{
    /// <summary>Creates a half-precision payload.</summary>
    /// <param name="values">The values; shared, read-only.</param>
    public HalfPayload(Half[] values) => Values = values ?? throw new ArgumentNullException(nameof(values));

    /// <summary>The values; shared, read-only.</summary>
    public Half[] Values { get; }

    /// <inheritdoc />
    public override int Length => Values.Length;

    /// <inheritdoc />
    public override void CopyTo(Span<float> destination)
    {
        RequireDestination(destination);
        TensorPrimitives.ConvertToSingle(Values, destination);
    }
}
