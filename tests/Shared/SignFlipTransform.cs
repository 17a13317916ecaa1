using System.Numerics.Tensors;
using Akka.Configuration;
using FedActors.Actors.Updates;

namespace FedActors.Tests.Shared;

/// <summary>
/// A test-only update transform: the client sends −Δ, the server negates it back. Lossless, so a run with it must end
/// with exactly the weights of a run without it, which proves that the client encodes, that the payload crosses the
/// wire, journal and chunking as encoded, and that the server decodes before the strategy sees it.
/// </summary>
public sealed class SignFlipTransform : IUpdateTransform
{
    /// <summary>The config name.</summary>
    public const string TransformName = "sign-flip";

    /// <inheritdoc />
    public string Name => TransformName;

    /// <inheritdoc />
    public UpdatePayload Encode(UpdatePayload update, in TransformContext context)
    {
        var dense = update as DensePayload ?? throw new ArgumentException($"sign-flip encodes dense updates, not {update.GetType().Name}", nameof(update));
        // The client owns its update: negated in place.
        TensorPrimitives.Negate(dense.Values, dense.Values);
        return dense;
    }

    /// <inheritdoc />
    public UpdatePayload Decode(UpdatePayload payload, in TransformContext context, DeltaBufferPool? arrays)
    {
        var dense = payload as DensePayload ?? throw new InvalidDataException($"sign-flip decodes dense payloads, not {payload.GetType().Name}");
        // What arrived may still be journaled: negated into a fresh array.
        var values = arrays is { } pool && pool.Length == dense.Length ? pool.Rent() : new float[dense.Length];
        TensorPrimitives.Negate(dense.Values, values);
        return new DensePayload(values);
    }
}

/// <summary>The settings of <see cref="SignFlipTransform"/>: it has none of its own.</summary>
public sealed record SignFlipSettings : IUpdateTransformSettings
{
    /// <summary>The one instance.</summary>
    public static SignFlipSettings Instance { get; } = new();

    /// <inheritdoc />
    public string Name => SignFlipTransform.TransformName;

    /// <inheritdoc />
    public IUpdateTransform Create() => new SignFlipTransform();

    /// <summary>Reads the settings (there are none).</summary>
    public static SignFlipSettings Create(Config config) => Instance;

    /// <summary>The built-in catalog and sign-flip.</summary>
    public static TransformCatalog Catalog { get; } = TransformCatalog.BuiltIn.With(SignFlipTransform.TransformName, Create);
}
