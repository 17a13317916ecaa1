using FedActors.Actors.Updates;

namespace FedActors.Actors.Coordination;

/// <summary>
/// Bytes that crossed the network for a run, counted where the serializer wrote or read them (a cluster's
/// job gateway). A coordinator given one counts these instead of the <see cref="WireSize"/> estimate. Thread-safe.
/// </summary>
public interface IWireMeter
{
    /// <summary>Bytes received from clients so far (this process, since the meter was made).</summary>
    long BytesUp { get; }

    /// <summary>Bytes sent to clients so far.</summary>
    long BytesDown { get; }

    /// <summary>The run ended: what the meter reads now is final, and later traffic is kept apart (it no longer belongs to the run's counts).</summary>
    void Close();
}
