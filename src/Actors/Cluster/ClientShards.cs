using System.Globalization;
using Akka.Cluster.Sharding;

namespace FedActors.Actors.Cluster;

/// <summary>
/// How clients map to shards: client k lives in shard k mod <c>fedactors.cluster.shards</c>. The mapping
/// is plain arithmetic, so every node, in every process, agrees on it (string hash codes differ per process).
/// </summary>
public sealed class ClientShards : IMessageExtractor
{
    /// <summary>The sharding type name of the client entities.</summary>
    public const string TypeName = "clients";

    /// <summary>Creates the extractor for <paramref name="shards"/> shards.</summary>
    public ClientShards(int shards)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(shards);
        Shards = shards;
    }

    /// <summary>Number of shards.</summary>
    public int Shards { get; }

    /// <summary>The shard of client <paramref name="clientId"/>.</summary>
    public string ShardOf(int clientId) => (clientId % Shards).ToString(CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public string? EntityId(object message) => message switch
    {
        ClusterProtocol.IShardedClientCommand c => c.ClientId.ToString(CultureInfo.InvariantCulture),
        _ => null,
    };

    /// <inheritdoc />
    public object? EntityMessage(object message) => message;

    /// <inheritdoc />
    public string? ShardId(object message) => message switch
    {
        ClusterProtocol.IShardedClientCommand c => ShardOf(c.ClientId),
        _ => null,
    };

    /// <inheritdoc />
    public string ShardId(string entityId, object? messageHint = null) => ShardOf(int.Parse(entityId, CultureInfo.InvariantCulture));
}
