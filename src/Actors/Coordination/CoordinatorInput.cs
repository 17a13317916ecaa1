using FedActors.Actors.Clients;

namespace FedActors.Actors.Coordination;

/// <summary>
/// An input the core consumed after its latest checkpoint, as a journal replays it (durability
/// <c>update</c>): a client's result, an evaluation result or the wall clock firing timed events.
/// Replayed in journal order, they bring a restored core to exactly where the original stood.
/// </summary>
public abstract record CoordinatorInput
{
    private CoordinatorInput() { }

    /// <summary>A client's update or failure, taken at <paramref name="Now"/> (wall seconds; ignored under the virtual clock).</summary>
    /// <param name="Message">The result.</param>
    /// <param name="Now">When it was taken.</param>
    public sealed record Result(ClientProtocol.IClientResult Message, double Now) : CoordinatorInput;

    /// <summary>The evaluation of <paramref name="ServerStep"/> came back.</summary>
    /// <param name="ServerStep">The evaluated step.</param>
    /// <param name="Accuracy">Its accuracy.</param>
    /// <param name="Loss">Its loss.</param>
    /// <param name="BackdoorAccuracy">Its backdoor accuracy; null when no backdoor is simulated.</param>
    public sealed record Evaluation(long ServerStep, double Accuracy, double Loss, double? BackdoorAccuracy = null) : CoordinatorInput;

    /// <summary>Wall clock: time moved to <paramref name="Now"/> and fired timed events.</summary>
    /// <param name="Now">Wall seconds.</param>
    public sealed record Clock(double Now) : CoordinatorInput;
}
