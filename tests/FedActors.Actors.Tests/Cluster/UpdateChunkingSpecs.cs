using System.Security.Cryptography;
using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit.Xunit2;
using FedActors.Actors.Clients;
using FedActors.Actors.Cluster;
using FedActors.Actors.Jobs;
using FedActors.Actors.Trainers;
using FedActors.Actors.Updates;
using FedActors.Training.LocalTraining;
using FedActors.Training.Models;

namespace FedActors.Actors.Tests.Cluster;

public class UpdateAssemblySpecs
{
    private static readonly LocalTrainingStats Stats = new(40, 4, 0.5, 1.5, 0.25);

    private static float[] Delta(int n) => Enumerable.Range(0, n).Select(i => i * 0.5f - 3f).ToArray();

    /// <summary>
    /// The chunks and end of <paramref name="payload"/>'s encoding in pieces of <paramref name="chunkBytes"/>, as the gateway
    /// receives them (through the serializer); <see cref="UpdateChunking.Send"/> cuts at its segments, which these specs do not need.
    /// </summary>
    private static List<object> Split(UpdatePayload payload, int chunkBytes)
    {
        var bytes = UpdatePayloadCodec.Encode(payload);
        var sent = new List<object>();
        for (int offset = 0, i = 0; offset < bytes.Length; offset += chunkBytes, i++)
            sent.Add(new ClusterProtocol.UpdateChunk(new JobId(9), 3, i, offset, bytes.Length, bytes.AsMemory(offset, Math.Min(chunkBytes, bytes.Length - offset))));
        sent.Add(new ClusterProtocol.UpdateChunksEnd(new JobId(9), 3, 2, Stats, bytes.Length, sent.Count, SHA256.HashData(bytes)));
        return sent.Select(m => WireSerializer.Deserialize(WireSerializer.Serialize(m))).ToList();
    }

    private static (ClientProtocol.ClientUpdate? Update, string? Error) Assemble(IEnumerable<object> messages)
    {
        UpdateAssembly? assembly = null;
        foreach (var m in messages)
        {
            switch (m)
            {
                case ClusterProtocol.UpdateChunk c when assembly is null:
                    assembly = new UpdateAssembly(c);
                    break;
                case ClusterProtocol.UpdateChunk c:
                    assembly.Add(c);
                    break;
                case ClusterProtocol.UpdateChunksEnd e:
                    using (assembly!)
                    {
                        var update = assembly!.Finish(e);
                        return (update, assembly.Error);
                    }
            }
        }
        throw new InvalidOperationException("no end");
    }

    [Fact(DisplayName = "Chunks and end must round-trip through the wire serializer at their declared sizes")]
    public void Chunk_messages_must_round_trip()
    {
        var bytes = UpdatePayloadCodec.Encode(new DensePayload(Delta(10)));
        var chunk = new ClusterProtocol.UpdateChunk(new JobId(5), 1, 1, 16, bytes.Length, bytes.AsMemory(16, 16));
        var end = new ClusterProtocol.UpdateChunksEnd(new JobId(5), 1, 7, Stats, bytes.Length, 3, SHA256.HashData(bytes));
        foreach (object m in new object[] { chunk, end })
            Assert.Equal(WireSerializer.SizeOf(m), WireSerializer.Serialize(m).Length);
        var c = Assert.IsType<ClusterProtocol.UpdateChunk>(WireSerializer.Deserialize(WireSerializer.Serialize(chunk)));
        Assert.Equal((chunk.Job, chunk.ClientId, chunk.Index, chunk.Offset, chunk.Total), (c.Job, c.ClientId, c.Index, c.Offset, c.Total));
        Assert.Equal(bytes[16..32], c.Bytes.ToArray());
        var e = Assert.IsType<ClusterProtocol.UpdateChunksEnd>(WireSerializer.Deserialize(WireSerializer.Serialize(end)));
        Assert.Equal((end.Job, end.ClientId, end.BaseVersion, end.Stats, end.Length, end.Chunks), (e.Job, e.ClientId, e.BaseVersion, e.Stats, e.Length, e.Chunks));
        Assert.Equal(end.Sha256, e.Sha256);
    }

    [Fact(DisplayName = "Chunks in order with a matching hash must give back the update bit for bit, dense or sparse")]
    public void Intact_chunks_must_reassemble()
    {
        var delta = Delta(10);
        var (update, error) = Assemble(Split(new DensePayload(delta), 16));
        Assert.Null(error);
        Assert.NotNull(update);
        Assert.Equal(delta, Assert.IsType<DensePayload>(update.Payload).Values);
        Assert.Equal((new JobId(9), 3, 2L, Stats), (update.Job, update.ClientId, update.BaseVersion, update.Stats));

        var sparse = new SparsePayload(1000, [3, 500, 999], [0.5f, -1f, float.Epsilon]);
        (update, error) = Assemble(Split(sparse, 7));
        Assert.Null(error);
        Assert.Equal(UpdatePayloadCodec.Encode(sparse), UpdatePayloadCodec.Encode(update!.Payload));
    }

    [Fact(DisplayName = "A missing, repeated, reordered or corrupt chunk must be refused with a reason, never applied")]
    public void Broken_chunks_must_be_refused()
    {
        var good = Split(new DensePayload(Delta(10)), 16); // 45 bytes: chunks 0, 1, 2 and the end

        var (update, error) = Assemble([good[0], good[2], good[3]]);
        Assert.Null(update);
        Assert.Equal("chunks 1..1 of job 9's update are missing (chunk 2 arrived)", error);

        (update, error) = Assemble([good[0], good[1], good[1], good[2], good[3]]);
        Assert.Null(update);
        Assert.Equal("chunk 1 of job 9's update arrived twice", error);

        (update, error) = Assemble([good[1], good[0], good[2], good[3]]);
        Assert.Null(update);
        Assert.Equal("chunk 1 of job 9's update arrived without the chunks before it", error);

        (update, error) = Assemble([good[0], good[1], good[3]]);
        Assert.Null(update);
        Assert.Equal("job 9's update ended after 2 chunks and 32 of 45 bytes, but its end announces 3 chunks and 45 bytes", error);

        // One flipped bit in chunk 1's bytes: lengths and order are right, the hash is not.
        var bytes = WireSerializer.Serialize(good[1]);
        bytes[^3] ^= 0x10;
        (update, error) = Assemble([good[0], WireSerializer.Deserialize(bytes), good[2], good[3]]);
        Assert.Null(update);
        Assert.Equal("job 9's update is corrupt: the SHA-256 of its 45 bytes differs from the one sent", error);
    }

    [Fact(DisplayName = "Chunks that arrive intact but do not encode a payload must be refused, naming what is wrong")]
    public void Intact_chunks_of_no_payload_must_be_refused()
    {
        var bytes = UpdatePayloadCodec.Encode(new DensePayload(Delta(4)));
        bytes[0] = 9; // no payload kind
        var messages = new List<object>
        {
            new ClusterProtocol.UpdateChunk(new JobId(9), 3, 0, 0, bytes.Length, bytes),
            new ClusterProtocol.UpdateChunksEnd(new JobId(9), 3, 2, Stats, bytes.Length, 1, SHA256.HashData(bytes)),
        };

        var (update, error) = Assemble(messages);

        Assert.Null(update);
        Assert.StartsWith("job 9's update arrived whole but does not decode: unknown update payload kind 9", error);
    }

    [Fact(DisplayName = "An update that fits a frame must travel whole; one that does not, in chunks of the configured size")]
    public void Only_updates_past_the_frame_are_chunked()
    {
        var chunking = UpdateChunking.ForFrame(ClusterSettings.Default.MaximumFrameSize, 4 * ClusterSettings.Default.ModelChunkFloats);
        Assert.Equal(1_048_576 - UpdateChunking.EnvelopeReserve - WireSize.UpdateHeaderBytes, chunking.MaxWholeBytes);
        // The largest whole update and its Akka envelope fit the frame.
        Assert.True(WireSize.UpdateHeaderBytes + chunking.MaxWholeBytes + UpdateChunking.EnvelopeReserve <= ClusterSettings.Default.MaximumFrameSize);
    }
}

/// <summary>
/// A cnn-sized update (larger than the 1 MiB frame) from a client entity in one actor system to the gateway
/// in another, over real Akka.Remote with the cluster's transport settings and wire serializer.
/// </summary>
public sealed class RemoteUpdateChunkingSpecs : TestKit
{
    private static Config NodeConfig() =>
        ClusterConfig.For(ClusterSettings.Default with { Port = 0, SeedNodes = [], AkkaLogLevel = "WARNING" }, NodeRole.Coordinator);

    public RemoteUpdateChunkingSpecs()
        : base(NodeConfig())
    {
    }

    [Fact(DisplayName = "A cnn update (6.65 MB) must cross a 1 MiB-frame Akka.Remote link in chunks, arrive bit for bit, and be counted at its serialized bytes")]
    public async Task Cnn_update_must_cross_the_wire_in_chunks()
    {
        int parameters = (int)ModelCatalog.Describe("cnn", [1, 28, 28], 10).ParameterCount;
        var settings = ClusterSettings.Default;
        var chunking = UpdateChunking.ForFrame(settings.MaximumFrameSize, 4 * settings.ModelChunkFloats);
        var delta = new float[parameters];
        var rng = new Random(3);
        for (int i = 0; i < delta.Length; i++) delta[i] = (float)(rng.NextDouble() - 0.5);
        var whole = new ClientProtocol.ClientUpdate(new JobId(1), 7, 0, new DensePayload(delta), new LocalTrainingStats(100, 10, 0.3, 2, 1));
        Assert.True(WireSerializer.SizeOf(whole) > settings.MaximumFrameSize, "the cnn update must not fit one frame, or this spec tests nothing");

        var worker = ActorSystem.Create("fedactors", NodeConfig());
        try
        {
            var trainers = CreateTestProbe(worker);
            var cache = CreateTestProbe(worker);
            worker.ActorOf(ShardedClientActor.Props(7, trainers.Ref, cache.Ref, chunking: chunking), "client-7");
            var workerAddress = Akka.Cluster.Cluster.Get(worker).SelfAddress;
            var client = await Sys.ActorSelection(new RootActorPath(workerAddress) / "user" / "client-7").ResolveOne(TimeSpan.FromSeconds(10));

            var coordinator = CreateTestProbe();
            var traffic = new WireTraffic();
            var gateway = Sys.ActorOf(JobGateway.Props(CreateTestProbe().Ref, traffic, TimeSpan.FromMinutes(5), registeredClients: true), "gateway");
            gateway.Tell(new JobGateway.OwnersChanged(new Dictionary<int, IActorRef> { [7] = client }));
            var version = new ModelVersion(0, new float[4]);
            gateway.Tell(new ClientProtocol.ClientEnvelope(7, new ClientProtocol.TrainJob(new JobId(1), 7, version, new LocalTrainingOptions(), 5)), coordinator.Ref);

            // The entity (in the worker system) asks its cache for the version and its pool to train; the pool answers with the cnn delta.
            await cache.ExpectMsgAsync<ModelVersionCache.GetVersion>(TimeSpan.FromSeconds(10));
            cache.Reply(new ModelVersionCache.VersionReady(version));
            await trainers.ExpectMsgAsync<TrainerProtocol.Train>();
            trainers.Reply(new TrainerProtocol.Trained(new JobId(1), new DensePayload(delta), whole.Stats));

            var received = await coordinator.ExpectMsgAsync<ClientProtocol.ClientUpdate>(TimeSpan.FromSeconds(30));
            Assert.Equal(delta, Assert.IsType<DensePayload>(received.Payload).Values);
            Assert.Equal((whole.Job, whole.ClientId, whole.BaseVersion, whole.Stats), (received.Job, received.ClientId, received.BaseVersion, received.Stats));
            // The payload's 5-byte prefix, then its float32 values in chunks of 64 KiB.
            int chunks = 1 + (parameters + settings.ModelChunkFloats - 1) / settings.ModelChunkFloats;
            Assert.Equal(chunks, traffic.UpdateChunksReceived);
            Assert.Equal(0, traffic.BrokenUpdates);
            // Every chunk as the serializer wrote it (32-byte header and its bytes) and the 100-byte end.
            long expectedUp = 32L * chunks + UpdatePayloadCodec.DensePrefixBytes + 4L * parameters + 100;
            Assert.Equal(expectedUp, traffic.BytesUp);
            Assert.Equal(WireSerializer.SizeOf(new ClusterProtocol.TrainAssignment(new JobId(1), 7, 0, new LocalTrainingOptions(), 5)), traffic.BytesDown);
            Assert.Equal(1, traffic.JobsSent);

            // Once the run has ended, what still arrives is counted apart from the run's bytes.
            traffic.Close();
            var late = new ClusterProtocol.UpdateChunk(new JobId(1), 7, 0, 0, 4, new byte[4]);
            gateway.Tell(late, client);
            await AwaitConditionAsync(() => Task.FromResult(traffic.LateBytesUp > 0), TimeSpan.FromSeconds(10));
            Assert.Equal(WireSerializer.SizeOf(late), traffic.LateBytesUp);
            Assert.Equal((expectedUp, chunks), (traffic.BytesUp, traffic.UpdateChunksReceived));
        }
        finally
        {
            await worker.Terminate();
        }
    }
}

/// <summary>The gateway's handling of broken chunked updates, with the cluster provider (not joined).</summary>
public sealed class BrokenUpdateSpecs() : TestKit("akka.actor.provider = cluster\nakka.remote.dot-netty.tcp.hostname = 127.0.0.1\nakka.remote.dot-netty.tcp.port = 0\nakka.loglevel = WARNING")
{
    [Fact(DisplayName = "A broken chunked update must never reach the coordinator: its job is sent again, and failed after three broken tries")]
    public async Task Broken_update_must_be_sent_again_then_failed()
    {
        var owner = CreateTestProbe();
        var coordinator = CreateTestProbe();
        var traffic = new WireTraffic();
        var gateway = Sys.ActorOf(JobGateway.Props(CreateTestProbe().Ref, traffic, TimeSpan.FromMinutes(5), registeredClients: true));
        gateway.Tell(new JobGateway.OwnersChanged(new Dictionary<int, IActorRef> { [2] = owner.Ref }));
        var version = new ModelVersion(0, new float[8]);
        gateway.Tell(new ClientProtocol.ClientEnvelope(2, new ClientProtocol.TrainJob(new JobId(4), 2, version, new LocalTrainingOptions(), 1)), coordinator.Ref);
        await owner.ExpectMsgAsync<ClusterProtocol.TrainAssignment>();

        var bytes = UpdatePayloadCodec.Encode(new DensePayload(Enumerable.Range(0, 8).Select(i => (float)i).ToArray()));
        var stats = new LocalTrainingStats(8, 1, 0.1, 0.2, 0.3);
        void SendBroken()
        {
            // Chunk 1 of 2 is lost on the way.
            gateway.Tell(new ClusterProtocol.UpdateChunk(new JobId(4), 2, 0, 0, bytes.Length, bytes.AsMemory(0, 16)), owner.Ref);
            gateway.Tell(new ClusterProtocol.UpdateChunksEnd(new JobId(4), 2, 0, stats, bytes.Length, 2, SHA256.HashData(bytes)), owner.Ref);
        }

        for (int attempt = 1; attempt < JobGateway.MaxBrokenUpdates; attempt++)
        {
            SendBroken();
            var again = await owner.ExpectMsgAsync<ClusterProtocol.TrainAssignment>();
            Assert.Equal(new JobId(4), again.Job);
        }
        await coordinator.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
        SendBroken();
        var failed = await coordinator.ExpectMsgAsync<ClientProtocol.JobFailed>();
        Assert.Equal(new JobId(4), failed.Job);
        Assert.Contains("3 updates of job 4", failed.Reason);
        Assert.Contains("job 4's update ended after 1 chunks and 16 of 37 bytes, but its end announces 2 chunks and 37 bytes", failed.Reason);
        Assert.Equal(JobGateway.MaxBrokenUpdates, traffic.BrokenUpdates);
        await owner.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
    }

    [Fact(DisplayName = "An intact chunked update after a broken one must be applied once")]
    public async Task Intact_update_after_a_broken_one_must_be_applied()
    {
        var owner = CreateTestProbe();
        var coordinator = CreateTestProbe();
        var gateway = Sys.ActorOf(JobGateway.Props(CreateTestProbe().Ref, new WireTraffic(), TimeSpan.FromMinutes(5), registeredClients: true));
        gateway.Tell(new JobGateway.OwnersChanged(new Dictionary<int, IActorRef> { [2] = owner.Ref }));
        gateway.Tell(new ClientProtocol.ClientEnvelope(2, new ClientProtocol.TrainJob(new JobId(4), 2, new ModelVersion(0, new float[8]), new LocalTrainingOptions(), 1)), coordinator.Ref);
        await owner.ExpectMsgAsync<ClusterProtocol.TrainAssignment>();
        var delta = Enumerable.Range(0, 8).Select(i => (float)i).ToArray();
        var stats = new LocalTrainingStats(8, 1, 0.1, 0.2, 0.3);
        var bytes = UpdatePayloadCodec.Encode(new DensePayload(delta));
        var corrupt = (byte[])bytes.Clone();
        corrupt[30] ^= 1;

        gateway.Tell(new ClusterProtocol.UpdateChunk(new JobId(4), 2, 0, 0, bytes.Length, bytes.AsMemory(0, 16)), owner.Ref);
        gateway.Tell(new ClusterProtocol.UpdateChunk(new JobId(4), 2, 1, 16, bytes.Length, corrupt.AsMemory(16)), owner.Ref);
        gateway.Tell(new ClusterProtocol.UpdateChunksEnd(new JobId(4), 2, 0, stats, bytes.Length, 2, SHA256.HashData(bytes)), owner.Ref);
        await owner.ExpectMsgAsync<ClusterProtocol.TrainAssignment>();
        await coordinator.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));

        // What the sender does for an update past the frame: the 5-byte prefix, then the values in 4-byte chunks.
        new UpdateChunking(4, 4).Send(gateway, new ClientProtocol.ClientUpdate(new JobId(4), 2, 0, new DensePayload(delta), stats), owner.Ref);
        var update = await coordinator.ExpectMsgAsync<ClientProtocol.ClientUpdate>();
        Assert.Equal(delta, Assert.IsType<DensePayload>(update.Payload).Values);
        await coordinator.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
    }
}
