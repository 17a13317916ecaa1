using FedActors.Actors.Updates;

namespace FedActors.Actors.Compression;

/// <summary>
/// How value codecs (fp16, quantization) compose with a sparsifier: on a sparse payload they encode and decode its
/// values and keep its indices; on any other payload, the payload itself.
/// </summary>
internal static class CompressedValues
{
    /// <summary><paramref name="payload"/> with its values (or itself) replaced by <paramref name="codec"/>'s result.</summary>
    public static UpdatePayload Map<TState>(UpdatePayload payload, TState state, Func<UpdatePayload, TState, UpdatePayload> codec) =>
        payload is SparsePayload sparse
            ? new SparsePayload(sparse.Length, sparse.Indices, codec(sparse.Values, state))
            : codec(payload, state);

    /// <summary>
    /// <paramref name="update"/> as float32 values: what a sparsifier takes (first in the chain) and what a value codec
    /// takes (after a sparsifier, or alone).
    /// </summary>
    /// <exception cref="ArgumentException">Another codec already encoded it: the chain is in an order that cannot compose.</exception>
    public static DensePayload RequireDense(UpdatePayload update, string codec, string where) =>
        update as DensePayload
        ?? throw new ArgumentException($"{codec} encodes float32 values, not {update.GetType().Name}: {where}", nameof(update));

    /// <summary>A dense array of <paramref name="length"/> values: from the pool when it holds the model's length, else new.</summary>
    public static float[] Rent(int length, DeltaBufferPool? arrays) =>
        arrays is { } pool && pool.Length == length ? pool.Rent() : GC.AllocateUninitializedArray<float>(length);
}
