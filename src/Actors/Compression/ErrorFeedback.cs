using System.Numerics.Tensors;
using FedActors.Actors.Configuration;
using FedActors.Actors.Updates;

namespace FedActors.Actors.Compression;

/// <summary>
/// <c>ef</c>: error feedback around the codecs before it (Seide et al. 2014; Karimireddy et al. 2019). The client adds to
/// its update the residual its previous update left, compresses the sum x, and keeps x − decode(encode(x)) as the next
/// residual, so that what compression dropped is sent later instead of lost. The server decodes as the codecs alone would.
/// </summary>
/// <remarks>
/// The residual continues from <see cref="TransformContext.PreviousJob"/>, the client's last job whose result the
/// coordinator took, and is stored per (client, job) in the client-state store before the update leaves: a job trained
/// again after a crash or a lost message reads and writes the same rows, so a resumed run ends where it would have.
/// </remarks>
public sealed class ErrorFeedback : IUpdateTransform
{
    /// <summary>The name in <c>fedactors.compression.uplink</c>: the last element of a chain (<c>topk-0.01+ef</c>).</summary>
    public const string CodecName = "ef";

    private readonly UpdatePipeline _codecs;
    private readonly IClientStateStore? _residuals;
    // Scratch of the model's length, reused for every update of this trainer.
    private float[] _input = [], _residual = [];
    private DeltaBufferPool? _decoded;

    /// <summary>Error feedback around <paramref name="codecs"/>; <paramref name="residuals"/> is null on the server, which only decodes.</summary>
    public ErrorFeedback(UpdatePipeline codecs, IClientStateStore? residuals)
    {
        ArgumentNullException.ThrowIfNull(codecs);
        (_codecs, _residuals) = (codecs, residuals);
    }

    /// <inheritdoc />
    public string Name => CodecName;

    /// <inheritdoc />
    public UpdatePayload Encode(UpdatePayload update, in TransformContext context)
    {
        var residuals = _residuals ?? throw new InvalidOperationException("error feedback encodes on a client, whose pipeline needs a client-state store for the residuals");
        var corrected = (update as DensePayload ?? throw new InvalidDataException(
            $"error feedback works on the whole float32 update, not on {update.GetType().Name}: put the compression codecs after the client transforms")).Values;
        int n = corrected.Length;
        var residual = Scratch(ref _residual, n);
        if (context.PreviousJob >= 0)
        {
            if (!residuals.TryLoad(context.ClientId, context.PreviousJob, residual))
                throw new InvalidOperationException(
                    $"client {context.ClientId}'s error-feedback residual after job {context.PreviousJob} is not in the client-state store; it was lost, so job {context.JobId} cannot continue from it");
            TensorPrimitives.Add(corrected, residual, corrected);
        }
        // The codecs write into their input: they get a copy, and the corrected update stays to measure what they dropped.
        var input = Scratch(ref _input, n);
        corrected.CopyTo(input, 0);
        var payload = _codecs.Encode(input, context);
        if (payload is DensePayload same && ReferenceEquals(same.Values, input))
            throw new InvalidOperationException("error feedback needs a lossy codec before it, e.g. topk-0.01+ef");
        _decoded ??= new DeltaBufferPool(n, capacity: 1);
        var decoded = _codecs.Decode(payload, context, _decoded);
        TensorPrimitives.Subtract(corrected, decoded, residual);
        _decoded.Return(decoded);
        residuals.Save(context.ClientId, context.JobId, residual);
        return payload;
    }

    /// <inheritdoc />
    public UpdatePayload Decode(UpdatePayload payload, in TransformContext context, DeltaBufferPool? arrays) =>
        new DensePayload(_codecs.Decode(payload, context, arrays));

    private static float[] Scratch(ref float[] array, int length)
    {
        if (array.Length != length) array = new float[length];
        return array;
    }
}

/// <summary>The settings of <see cref="ErrorFeedback"/>: the codecs it wraps, in client order.</summary>
/// <param name="Codecs">The lossy codecs before <c>ef</c> in the chain.</param>
public sealed record ErrorFeedbackSettings(ValueList<IUpdateTransformSettings> Codecs) : IUpdateTransformSettings
{
    /// <inheritdoc />
    public string Name => ErrorFeedback.CodecName;

    /// <inheritdoc />
    public bool KeepsClientState => true;

    /// <inheritdoc />
    public bool NeedsLayers => Codecs.Any(c => c.NeedsLayers);

    /// <inheritdoc />
    public IUpdateTransform Create() => Create(null);

    /// <inheritdoc />
    public IUpdateTransform Create(IClientStateStore? clientState) =>
        new ErrorFeedback(UpdatePipelineSettings.Identity.Then(Codecs).Create(), clientState);
}
