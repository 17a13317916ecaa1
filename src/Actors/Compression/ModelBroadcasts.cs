using FedActors.Actors.Jobs;
using FedActors.Actors.Updates;

namespace FedActors.Actors.Compression;

/// <summary>
/// The downlink (<c>fedactors.compression.downlink</c>): each published model version is encoded once with a value codec
/// (fp16, q8, …) and clients train from its decoded weights, so that every client of a version, in one process or on any
/// node of a cluster, starts from the same bits. A client's Δ is taken against what it received; the server adds it to
/// its exact model.
/// </summary>
/// <remarks>
/// A broadcast draws its randomness (stochastic rounding, rotation signs) as the job −1 − version: no real job has a
/// negative id, so a broadcast never shares a stream with an update. An instance keeps the last few versions it encoded
/// and is not thread-safe: the coordinator and each node's model cache own one each.
/// </remarks>
public sealed class ModelBroadcasts
{
    private const int Kept = 8;

    private readonly UpdatePipeline _codec;
    private readonly ulong _seed;
    private readonly Dictionary<long, ModelVersion> _recent = new();
    private readonly Queue<long> _order = new();

    /// <summary>Broadcasts encoded with <paramref name="codec"/>, drawing from the run's <paramref name="seed"/>.</summary>
    public ModelBroadcasts(IUpdateTransformSettings codec, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(codec);
        (_codec, _seed, Codec) = (UpdatePipelineSettings.Of(codec).Create(), seed, codec.Name);
    }

    /// <summary>The codec's name (<c>fp16</c>, <c>q8</c>, …).</summary>
    public string Codec { get; }

    /// <summary>What transform contexts a broadcast of <paramref name="version"/> encodes and decodes with.</summary>
    public TransformContext Context(long version, int dimension) => new(_seed, -1, -1 - version, version, dimension);

    /// <summary>
    /// The version clients receive for <paramref name="exact"/>: the same number, the decoded weights, and the encoded
    /// payload that crossed (or would cross) the wire in <see cref="ModelVersion.Broadcast"/>.
    /// </summary>
    public ModelVersion Of(ModelVersion exact)
    {
        ArgumentNullException.ThrowIfNull(exact);
        if (exact.Broadcast is not null) return exact;
        if (_recent.TryGetValue(exact.Number, out var known) && known.Dimension == exact.Dimension) return known;
        var context = Context(exact.Number, exact.Dimension);
        // The codec writes into its input: it gets a copy, the published weights stay as they are.
        var payload = _codec.Encode(exact.Weights.ToArray(), context);
        var sent = new ModelVersion(exact.Number, Decode(exact.Number, payload)) { Broadcast = payload };
        Remember(sent);
        return sent;
    }

    /// <summary>The weights a node decodes from a broadcast of <paramref name="version"/> that arrived as <paramref name="payload"/>.</summary>
    /// <exception cref="InvalidDataException">The payload is not one the codec produces (or decodes to non-finite weights).</exception>
    public float[] Decode(long version, UpdatePayload payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var weights = _codec.Decode(payload, Context(version, payload.Length));
        foreach (var w in weights)
            if (!float.IsFinite(w)) throw new InvalidDataException($"the broadcast of model version {version} decodes to a non-finite weight");
        return weights;
    }

    private void Remember(ModelVersion sent)
    {
        _recent[sent.Number] = sent;
        _order.Enqueue(sent.Number);
        while (_order.Count > Kept) _recent.Remove(_order.Dequeue());
    }
}
