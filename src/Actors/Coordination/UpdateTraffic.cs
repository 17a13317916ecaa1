using FedActors.Actors.Updates;

namespace FedActors.Actors.Coordination;

/// <summary>
/// The run's <c>bytes_up</c> and <c>bytes_down</c>. Without a <see cref="Meter"/> (one process) they count the
/// <see cref="WireSize"/> of every update taken (its header and its encoded payload) and of one whole model per job
/// dispatched. With one (a cluster) they
/// count what the meter measured on the wire, on top of what a restored checkpoint had counted. Bytes change no
/// decision of the run.
/// </summary>
internal sealed class UpdateTraffic
{
    private long _up, _down;

    public IWireMeter? Meter { get; set; }

    public long BytesUp => _up + (Meter?.BytesUp ?? 0);

    public long BytesDown => _down + (Meter?.BytesDown ?? 0);

    /// <summary>A job went out with <paramref name="model"/>: its float32 values, or its compressed broadcast.</summary>
    public void Dispatched(Jobs.ModelVersion model)
    {
        if (Meter is null) _down += model.Broadcast is { } encoded ? WireSize.OfBroadcast(encoded) : WireSize.Of(model.Dimension);
    }

    /// <summary>An update came in with <paramref name="payload"/>.</summary>
    public void Received(UpdatePayload payload)
    {
        if (Meter is null) _up += WireSize.OfUpdate(payload);
    }

    public void Restore(CheckpointCounters c) => (_up, _down) = (c.BytesUp, c.BytesDown);
}
