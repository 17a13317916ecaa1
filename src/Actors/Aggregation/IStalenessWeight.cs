namespace FedActors.Actors.Aggregation;

/// <summary>
/// s(τ): how much an update computed on a model τ server steps old still counts. FedAsync (Xie et al.
/// 2019, "Asynchronous Federated Optimization") calls it the staleness function; FedBuff (Nguyen et al.
/// 2022, "Federated Learning with Buffered Asynchronous Aggregation") scales each buffered Δ by it.
/// </summary>
public interface IStalenessWeight
{
    /// <summary>s(τ) for staleness τ ≥ 0; a value in (0, 1] with s(0) = 1.</summary>
    /// <param name="staleness">τ: server steps between the update's base version and the current one.</param>
    double Weight(int staleness);
}

internal static class Staleness
{
    public static void RequireNonNegative(int staleness)
    {
        if (staleness < 0)
            throw new ArgumentOutOfRangeException(nameof(staleness), staleness, "staleness must be ≥ 0");
    }
}
