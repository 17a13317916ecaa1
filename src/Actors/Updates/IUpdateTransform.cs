namespace FedActors.Actors.Updates;

/// <summary>
/// One step of the client update pipeline (<see cref="UpdatePipeline"/>): on the client, after local training, it
/// turns the update into what goes on (a clip, noise, top-k, quantization, a mask); on the server, before the
/// strategy sees the update, it undoes that as far as it can. Transforms compose: the client applies them in order,
/// the server decodes in reverse order.
/// </summary>
/// <remarks>
/// <para>Ownership: <see cref="Encode"/> owns its input (the client's Δ, or what the previous transform made of it) and
/// may write into a dense input's array. <see cref="Decode"/> must not write into its input's arrays: a journal may still
/// serialize the update as it arrived; it writes into fresh arrays, from the pool when one is given.</para>
/// <para>A transform is built per trainer and per coordinator (<see cref="IUpdateTransformSettings.Create()"/>), so it
/// need not be thread-safe; state that must outlive one update (error-feedback residuals) is per client and belongs in
/// the run's client-state store, not in fields.</para>
/// </remarks>
public interface IUpdateTransform
{
    /// <summary>The config name (an entry of <c>fedactors.client.transforms</c>).</summary>
    string Name { get; }

    /// <summary>Client side: the payload that goes on in place of <paramref name="update"/>.</summary>
    /// <param name="update">The update so far; owned by the call.</param>
    /// <param name="context">Seed, client, job and base version.</param>
    UpdatePayload Encode(UpdatePayload update, in TransformContext context);

    /// <summary>Server side: the inverse of <see cref="Encode"/>, as far as there is one (a lossy codec decodes to its approximation).</summary>
    /// <param name="payload">What arrived, or what the next transform's decode made of it; read-only.</param>
    /// <param name="context">Seed, client, job and base version, as the client had them.</param>
    /// <param name="arrays">Where to take dense arrays of the model's length from; null allocates.</param>
    /// <exception cref="InvalidDataException">The payload is not one this transform produces (a malformed update).</exception>
    UpdatePayload Decode(UpdatePayload payload, in TransformContext context, DeltaBufferPool? arrays);
}
