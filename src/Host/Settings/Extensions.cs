using FedActors.Actors.Aggregation;
using FedActors.Actors.Updates;

namespace FedActors.Host.Settings;

/// <summary>
/// What a build of the <c>fedactors</c> command can name in its config beyond the fixed keys: the aggregation strategies
/// (<c>fedactors.server.algorithm</c>) and the update transforms (<c>fedactors.client.transforms</c>). An application
/// that embeds the host adds its own with <see cref="StrategyCatalog.With"/> and <see cref="TransformCatalog.With"/>.
/// </summary>
/// <param name="Strategies">The aggregation strategies.</param>
/// <param name="Transforms">The update transforms.</param>
public sealed record Extensions(StrategyCatalog Strategies, TransformCatalog Transforms)
{
    /// <summary>What this build ships.</summary>
    public static Extensions BuiltIn { get; } = new(StrategyCatalog.BuiltIn, TransformCatalog.BuiltIn);
}
