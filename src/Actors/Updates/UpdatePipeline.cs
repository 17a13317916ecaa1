namespace FedActors.Actors.Updates;

/// <summary>
/// The chain of <see cref="IUpdateTransform"/>s between a client's local training and the coordinator's strategy:
/// <see cref="Encode"/> runs them in order on the client, <see cref="Decode"/> undoes them in reverse order on the
/// server and hands the strategy a dense Δ of the model's length. With no transforms (the default) Δ travels as it is:
/// the same array, no copy.
/// </summary>
public sealed class UpdatePipeline
{
    private readonly IUpdateTransform[] _transforms;

    /// <summary>Creates a pipeline of <paramref name="transforms"/>, applied in this order on the client.</summary>
    public UpdatePipeline(IEnumerable<IUpdateTransform> transforms)
    {
        ArgumentNullException.ThrowIfNull(transforms);
        _transforms = transforms.ToArray();
        if (_transforms.Any(t => t is null)) throw new ArgumentException("a pipeline's transforms must not be null", nameof(transforms));
    }

    /// <summary>The pipeline that sends Δ as it is.</summary>
    public static UpdatePipeline Identity { get; } = new([]);

    /// <summary>The transforms' names, in client order.</summary>
    public IEnumerable<string> Names => _transforms.Select(t => t.Name);

    /// <summary>Client side: the payload of the update <paramref name="delta"/>, which the pipeline now owns.</summary>
    public UpdatePayload Encode(float[] delta, in TransformContext context)
    {
        ArgumentNullException.ThrowIfNull(delta);
        UpdatePayload payload = new DensePayload(delta);
        foreach (var transform in _transforms) payload = transform.Encode(payload, context);
        return payload;
    }

    /// <summary>
    /// Server side: Δ of <see cref="TransformContext.Dimension"/> values from <paramref name="payload"/>. Writes into no
    /// array of the payload; returns the payload's own array when nothing was encoded.
    /// </summary>
    /// <exception cref="WrongUpdateLengthException">The payload decodes to a vector of another length.</exception>
    /// <exception cref="InvalidDataException">The payload is not one the transforms produce.</exception>
    public float[] Decode(UpdatePayload payload, in TransformContext context, DeltaBufferPool? arrays = null)
    {
        ArgumentNullException.ThrowIfNull(payload);
        int dimension = context.Dimension;
        for (int i = _transforms.Length - 1; i >= 0; i--) payload = _transforms[i].Decode(payload, context, arrays);
        if (payload.Length != dimension) throw new WrongUpdateLengthException(payload.Length, dimension);
        if (payload is DensePayload dense) return dense.Values;
        var values = arrays is { } pool && pool.Length == dimension ? pool.Rent() : new float[dimension];
        payload.CopyTo(values);
        return values;
    }
}
