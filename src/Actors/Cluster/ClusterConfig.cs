using System.Globalization;
using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.Singleton;
using Akka.Configuration;
using FedActors.Actors.Configuration;

namespace FedActors.Actors.Cluster;

/// <summary>The Akka HOCON of a cluster node, built from <see cref="ClusterSettings"/> and the node's role.</summary>
public static class ClusterConfig
{
    /// <summary>The role name Akka carries for <paramref name="role"/>.</summary>
    public static string RoleName(NodeRole role) => role switch
    {
        NodeRole.Coordinator => "coordinator",
        NodeRole.Worker => "worker",
        NodeRole.Client => "client",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "unknown node role"),
    };

    /// <summary>Parses a role name (coordinator, worker, client).</summary>
    /// <exception cref="ArgumentException">Not one of them.</exception>
    public static NodeRole ParseRole(string name) => name.Trim().ToLowerInvariant() switch
    {
        "coordinator" => NodeRole.Coordinator,
        "worker" => NodeRole.Worker,
        "client" => NodeRole.Client,
        _ => throw new ArgumentException($"unknown role '{name}'; valid roles are coordinator, worker, client", nameof(name)),
    };

    /// <summary>
    /// The node's actor-system config: cluster provider, remote transport (with TLS when configured), seed
    /// nodes, the split-brain resolver, the failure detector, sharding on worker nodes and the coordinator
    /// singleton on coordinator nodes. Layer it over the runtime's config and under nothing that sets akka.cluster.
    /// </summary>
    public static Config For(ClusterSettings settings, NodeRole role)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return ConfigurationFactory.ParseString(Hocon(settings, role))
            .WithFallback(ClusterSharding.DefaultConfig())
            .WithFallback(ClusterSingleton.DefaultConfig())
            .WithFallback(WireSerializer.Configuration);
    }

    /// <summary>The HOCON <see cref="For"/> parses, before Akka's module defaults.</summary>
    public static string Hocon(ClusterSettings settings, NodeRole role)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var seeds = string.Join(", ", settings.SeedAddresses.Select(HoconString.Quote));
        // Socket buffers at least twice the frame: one frame must never wait on a half-drained buffer.
        long buffer = Math.Max(256_000L, 2L * settings.MaximumFrameSize);
        return string.Create(CultureInfo.InvariantCulture, $$"""
            akka {
              loglevel = {{settings.AkkaLogLevel}}
              stdout-loglevel = {{settings.AkkaLogLevel}}
              actor.provider = cluster
              remote {
                log-remote-lifecycle-events = off
                dot-netty.tcp {
                  hostname = {{HoconString.Quote(settings.Host)}}
                  port = {{settings.Port}}
                  maximum-frame-size = {{settings.MaximumFrameSize}}b
                  send-buffer-size = {{buffer}}b
                  receive-buffer-size = {{buffer}}b
            {{Tls(settings.Tls)}}
                }
              }
              cluster {
                seed-nodes = [{{seeds}}]
                roles = [{{RoleName(role)}}]
                downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
                split-brain-resolver {
                  active-strategy = keep-majority
                  stable-after = {{Millis(settings.DowningStableAfter)}}
                }
                # How long a singleton (the coordinator, sharding's coordinator) waits after its node was removed
                # before it starts elsewhere: by then a downed node on the far side of a partition has stopped its copy.
                down-removal-margin = {{Millis(settings.DownRemovalMargin)}}
                failure-detector {
                  heartbeat-interval = {{Millis(settings.HeartbeatInterval)}}
                  acceptable-heartbeat-pause = {{Millis(settings.AcceptableHeartbeatPause)}}
                }
                # A node downed by the others leaves and stops, rather than living on outside the cluster.
                run-coordinated-shutdown-when-down = on
                log-info = off
                sharding {
                  role = worker
                  # Shard placement in replicated memory: no journal is needed on worker nodes.
                  state-store-mode = ddata
                  remember-entities = off
                  distributed-data.durable.keys = []
                  passivate-idle-entity-after = {{Millis(settings.PassivateIdleAfter)}}
                }
                singleton {
                  role = coordinator
                  singleton-name = coordinator
                }
                singleton-proxy {
                  role = coordinator
                  singleton-name = coordinator
                }
              }
              # The host decides when the process ends; coordinated shutdown only leaves the cluster.
              coordinated-shutdown {
                exit-clr = off
                run-by-clr-shutdown-hook = off
              }
            }
            """);
    }

    private static string Millis(TimeSpan t) => string.Create(CultureInfo.InvariantCulture, $"{(long)t.TotalMilliseconds}ms");

    // The certificates themselves come through ClusterTls's DotNettySslSetup (it can check peers against our own CA).
    private static string Tls(TlsSettings tls) => tls.Enabled ? "          enable-ssl = true" : "          enable-ssl = false";
}
