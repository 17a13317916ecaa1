using Akka.Configuration;
using FedActors.Actors.Clients;
using FedActors.Actors.Cluster;
using FedActors.Actors.Jobs;
using FedActors.Actors.Tests.Coordination;
using FedActors.Actors.Updates;
using FedActors.Training.LocalTraining;

namespace FedActors.Actors.Tests.Cluster;

public class WireSerializerSpecs
{
    private static readonly LocalTrainingOptions Options = new() { Epochs = 2, BatchSize = 10, LearningRate = 0.01, Momentum = 0.9, WeightDecay = 1e-5, ProximalMu = 0.1 };

    [Fact(DisplayName = "Every wire message must round-trip to an equal message, floats bit for bit")]
    public void Wire_messages_must_round_trip()
    {
        var delta = new[] { 1.5f, -0f, float.NaN, float.Epsilon, float.MaxValue };
        object[] messages =
        [
            new ClusterProtocol.TrainAssignment(new JobId(42), 7, 3, Options, 0xFFFF_FFFF_FFFF_FFFEUL),
            // A worker must train as few steps as the coordinator's virtual clock counts (fedactors.client.local-steps).
            new ClusterProtocol.TrainAssignment(new JobId(43), 8, 3, Options with { MaxSteps = 10 }, 1),
            // Error feedback continues from the client's last taken result, which the coordinator names.
            new ClusterProtocol.TrainAssignment(new JobId(44), 8, 3, Options, 1) { PreviousJob = 40 },
            new ClientProtocol.JobFailed(new JobId(5), 9, "trainer threw: ünïcode"),
            new ClusterProtocol.JobReleased(new JobId(6), 11),
            new ClusterProtocol.FetchModelChunk(12, 16384, 16384),
            new ClusterProtocol.ModelVersionUnavailable(13),
        ];
        foreach (var m in messages) Assert.Equal(m, WireSerializer.Deserialize(WireSerializer.Serialize(m)));

        var update = new ClientProtocol.ClientUpdate(new JobId(1), 2, 3, new DensePayload(delta), new LocalTrainingStats(100, 10, 0.25, 1.5, 0.125));
        var back = Assert.IsType<ClientProtocol.ClientUpdate>(WireSerializer.Deserialize(WireSerializer.Serialize(update)));
        Assert.Equal((update.Job, update.ClientId, update.BaseVersion, update.Stats), (back.Job, back.ClientId, back.BaseVersion, back.Stats));
        Assert.Equal(delta.Select(BitConverter.SingleToInt32Bits), Assert.IsType<DensePayload>(back.Payload).Values.Select(BitConverter.SingleToInt32Bits));

        var broadcast = new ClusterProtocol.BroadcastChunk(5, 8, 20, new byte[] { 1, 2, 3, 255 });
        var broadcastBack = Assert.IsType<ClusterProtocol.BroadcastChunk>(WireSerializer.Deserialize(WireSerializer.Serialize(broadcast)));
        Assert.Equal((5L, 8, 20), (broadcastBack.Version, broadcastBack.Offset, broadcastBack.Total));
        Assert.Equal(broadcast.Bytes.ToArray(), broadcastBack.Bytes.ToArray());
        Assert.Equal(WireSerializer.SizeOf(broadcast), WireSerializer.Serialize(broadcast).Length);

        var chunk = new ClusterProtocol.ModelChunk(4, 10, 100, delta);
        var chunkBack = Assert.IsType<ClusterProtocol.ModelChunk>(WireSerializer.Deserialize(WireSerializer.Serialize(chunk)));
        Assert.Equal((4L, 10, 100), (chunkBack.Version, chunkBack.Offset, chunkBack.Total));
        Assert.Equal(delta.Select(BitConverter.SingleToInt32Bits), chunkBack.Values.Select(BitConverter.SingleToInt32Bits));
    }

    [Theory(DisplayName = "A dense client update must take exactly WireSize.OfUpdate bytes (65 + 4 per parameter), so bytes_up counts serialized bytes")]
    [InlineData(7_850)]   // logreg on Fashion-MNIST
    [InlineData(44_426)]  // simple-cnn
    public void Client_update_size_must_equal_the_wire_size(int parameters)
    {
        var update = new ClientProtocol.ClientUpdate(new JobId(1), 2, 3, new DensePayload(new float[parameters]), new LocalTrainingStats(1, 1, 0, 0, 0));
        var bytes = WireSerializer.Serialize(update);
        Assert.Equal(65 + 4L * parameters, bytes.Length);
        Assert.Equal(WireSize.OfUpdate(update.Payload), bytes.Length);
        Assert.Equal(bytes.Length, WireSerializer.SizeOf(update));
    }

    [Fact(DisplayName = "Sparse and quantized updates must cross the wire as encoded, at WireSize.OfUpdate bytes")]
    public void Compressed_updates_must_round_trip()
    {
        UpdatePayload[] payloads = [new SparsePayload(44_426, [0, 17, 44_425], [1f, -2f, 0.5f]), new QuantizedPayload(5, 8, 5, [0.1f], [-1f], [0, 1, 2, 254, 255])];
        foreach (var payload in payloads)
        {
            var update = new ClientProtocol.ClientUpdate(new JobId(8), 4, 2, payload, new LocalTrainingStats(10, 1, 0.5, 1, 0.2));

            var bytes = WireSerializer.Serialize(update);
            var back = Assert.IsType<ClientProtocol.ClientUpdate>(WireSerializer.Deserialize(bytes));

            Assert.Equal(WireSize.OfUpdate(payload), bytes.Length);
            Assert.Equal(UpdatePayloadCodec.Encode(payload), UpdatePayloadCodec.Encode(back.Payload));
            Assert.Equal((update.Job, update.ClientId, update.BaseVersion, update.Stats), (back.Job, back.ClientId, back.BaseVersion, back.Stats));
        }
    }

    [Fact(DisplayName = "An update whose payload bytes are malformed must be refused by the serializer, naming the problem")]
    public void Malformed_update_payload_must_be_refused()
    {
        var bytes = WireSerializer.Serialize(new ClientProtocol.ClientUpdate(new JobId(8), 4, 2, new DensePayload([1f]), new LocalTrainingStats(1, 1, 0, 0, 0)));
        bytes[WireSize.UpdateHeaderBytes] = 7; // the payload's kind

        var e = Assert.Throws<System.Runtime.Serialization.SerializationException>(() => WireSerializer.Deserialize(bytes));

        Assert.StartsWith("unknown update payload kind 7", e.Message);
    }

    [Fact(DisplayName = "A simple-cnn update must not fit Akka's default frame but must fit the configured one")]
    public void Frame_size_must_carry_a_simple_cnn_update()
    {
        var settings = ClusterSettings.Create(SettingsTests.Reference());
        long update = WireSize.OfUpdate(new DensePayload(new float[44_426]));
        Assert.Equal(177_769, update);
        Assert.True(update > 128_000, "the reason to raise maximum-frame-size");
        Assert.True(update < settings.MaximumFrameSize);
        Assert.True(WireSerializer.SizeOf(new ClusterProtocol.ModelChunk(0, 0, settings.ModelChunkFloats, new float[settings.ModelChunkFloats])) < 128_000,
            "model chunks fit even Akka's default frame");
    }

    [Fact(DisplayName = "Truncated bytes must be refused with a message saying so")]
    public void Truncated_bytes_must_be_refused()
    {
        var bytes = WireSerializer.Serialize(new ClusterProtocol.ModelChunk(4, 0, 3, [1f, 2f, 3f]));
        var e = Assert.Throws<System.Runtime.Serialization.SerializationException>(() => WireSerializer.Deserialize(bytes.AsSpan(0, bytes.Length - 1)));
        Assert.Contains("does not fit", e.Message);
    }
}

public class ClusterSettingsSpecs
{
    private static Config With(string hocon) => ConfigurationFactory.ParseString(hocon).WithFallback(SettingsTests.Reference());

    [Fact(DisplayName = "reference.conf must give the documented cluster defaults and a node config Akka reads back")]
    public void Reference_defaults_must_round_trip_through_the_node_config()
    {
        var s = ClusterSettings.Create(SettingsTests.Reference());
        Assert.Equal(("fedactors", "127.0.0.1", 4053, 100, 1), (s.SystemName, s.Host, s.Port, s.Shards, s.MinWorkers));
        Assert.Empty(s.SeedNodes);
        Assert.False(s.Tls.Enabled);

        var two = ClusterSettings.Create(With("fedactors.cluster { seed-nodes = \"127.0.0.1:5001, akka.tcp://fedactors@10.0.0.2:5002\", min-workers = 2 }"));
        var node = ClusterConfig.For(two, NodeRole.Worker);
        Assert.Equal(["akka.tcp://fedactors@127.0.0.1:5001", "akka.tcp://fedactors@10.0.0.2:5002"], node.GetStringList("akka.cluster.seed-nodes"));
        Assert.Equal(["worker"], node.GetStringList("akka.cluster.roles"));
        // min-workers is the coordinator's to wait for: sharding would otherwise wait for that many regions forever once a worker died.
        Assert.False(node.HasPath("akka.cluster.role.worker.min-nr-of-members"));
        Assert.Equal(TimeSpan.FromSeconds(1), node.GetTimeSpan("akka.cluster.down-removal-margin"));
        Assert.Equal("keep-majority", node.GetString("akka.cluster.split-brain-resolver.active-strategy"));
        Assert.Equal(TimeSpan.FromSeconds(3), node.GetTimeSpan("akka.cluster.split-brain-resolver.stable-after"));
        Assert.Equal(TimeSpan.FromSeconds(2), node.GetTimeSpan("akka.cluster.failure-detector.acceptable-heartbeat-pause"));
        Assert.Equal("ddata", node.GetString("akka.cluster.sharding.state-store-mode"));
        Assert.Equal(1_048_576, node.GetByteSize("akka.remote.dot-netty.tcp.maximum-frame-size"));
        Assert.False(node.GetBoolean("akka.remote.dot-netty.tcp.enable-ssl"));
    }

    [Fact(DisplayName = "A bad seed node must be refused, naming the key and the value")]
    public void Bad_seed_node_must_be_refused()
    {
        var e = Assert.Throws<ConfigurationException>(() => ClusterSettings.Create(With("fedactors.cluster.seed-nodes = \"localhost\"")));
        Assert.Contains("fedactors.cluster.seed-nodes: 'localhost'", e.Message);
    }

    [Fact(DisplayName = "Clients must map to shards by id modulo the shard count, the same in every process")]
    public void Clients_must_map_to_shards_by_modulo()
    {
        var shards = new ClientShards(10);
        var job = new ClusterProtocol.TrainAssignment(new JobId(1), 123, 0, new LocalTrainingOptions(), 1);
        Assert.Equal("3", shards.ShardId(job));
        Assert.Equal("123", shards.EntityId(job));
        Assert.Equal("3", shards.ShardId("123"));
        Assert.Null(shards.ShardId((object)"not a client message"));
    }
}
