using Akka.Actor;
using Akka.TestKit.Xunit2;
using FedActors.Actors.Clients;
using FedActors.Actors.Cluster;
using FedActors.Actors.Jobs;
using FedActors.Actors.Trainers;
using FedActors.Actors.Updates;
using FedActors.Training.LocalTraining;

namespace FedActors.Actors.Tests.Cluster;

public class ModelVersionCacheSpecs : TestKit
{
    [Fact(DisplayName = "A version must be fetched once, chunk by chunk, and shared by every client that asks for it")]
    public async Task Version_must_be_fetched_once_in_chunks()
    {
        var gateway = CreateTestProbe();
        var cache = Sys.ActorOf(ModelVersionCache.Props(capacity: 2, chunkFloats: 4));
        var weights = Enumerable.Range(0, 10).Select(i => (float)i).ToArray();
        var first = CreateTestProbe();
        var second = CreateTestProbe();

        cache.Tell(new ModelVersionCache.GetVersion(5, gateway.Ref), first.Ref);
        cache.Tell(new ModelVersionCache.GetVersion(5, gateway.Ref), second.Ref);
        foreach (var offset in new[] { 0, 4, 8 })
        {
            var ask = await gateway.ExpectMsgAsync<ClusterProtocol.FetchModelChunk>();
            Assert.Equal((5L, offset, 4), (ask.Version, ask.Offset, ask.Count));
            gateway.Reply(new ClusterProtocol.ModelChunk(5, offset, 10, weights.AsSpan(offset, Math.Min(4, 10 - offset)).ToArray()));
        }
        var a = (await first.ExpectMsgAsync<ModelVersionCache.VersionReady>()).Version;
        var b = (await second.ExpectMsgAsync<ModelVersionCache.VersionReady>()).Version;
        Assert.Equal(weights, a.Weights);
        Assert.Same(a.Weights, b.Weights);

        cache.Tell(new ModelVersionCache.GetVersion(5, gateway.Ref), first.Ref);
        Assert.Same(a.Weights, (await first.ExpectMsgAsync<ModelVersionCache.VersionReady>()).Version.Weights);
        await gateway.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
    }

    [Fact(DisplayName = "A version the coordinator no longer holds must be reported to the waiting clients")]
    public async Task Unavailable_version_must_be_reported()
    {
        var gateway = CreateTestProbe();
        var cache = Sys.ActorOf(ModelVersionCache.Props(capacity: 2, chunkFloats: 4));
        cache.Tell(new ModelVersionCache.GetVersion(9, gateway.Ref), TestActor);
        await gateway.ExpectMsgAsync<ClusterProtocol.FetchModelChunk>();
        gateway.Reply(new ClusterProtocol.ModelVersionUnavailable(9));
        Assert.Equal(9, (await ExpectMsgAsync<ModelVersionCache.VersionUnavailable>()).Version);
    }
}

public class ShardedClientActorSpecs : TestKit
{
    private static ClusterProtocol.TrainAssignment Assignment(long job) => new(new JobId(job), 7, 3, new LocalTrainingOptions(), 1);

    [Fact(DisplayName = "A client must train from the cached version and answer the job's latest sender, once")]
    public async Task Client_must_answer_the_latest_sender_once()
    {
        var trainers = CreateTestProbe();
        var cache = CreateTestProbe();
        var oldCoordinator = CreateTestProbe();
        var newCoordinator = CreateTestProbe();
        var client = ActorOfAsTestActorRef<ShardedClientActor>(ShardedClientActor.Props(7, trainers.Ref, cache.Ref), TestActor);

        client.Tell(Assignment(1), oldCoordinator.Ref);
        Assert.Equal(3, (await cache.ExpectMsgAsync<ModelVersionCache.GetVersion>()).Version);
        // A coordinator that took over sends the same job again: the answer goes to it.
        client.Tell(Assignment(1), newCoordinator.Ref);
        Assert.Equal(newCoordinator.Ref, (await cache.ExpectMsgAsync<ModelVersionCache.GetVersion>()).Source);

        var version = new ModelVersion(3, [1f, 2f]);
        client.Tell(new ModelVersionCache.VersionReady(version));
        client.Tell(new ModelVersionCache.VersionReady(version));
        var train = await trainers.ExpectMsgAsync<TrainerProtocol.Train>();
        Assert.Same(version.Weights, train.Base.Weights);
        await trainers.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));

        client.Tell(new TrainerProtocol.Trained(new JobId(1), new DensePayload([0.5f, 0.5f]), new LocalTrainingStats(10, 1, 0.5, 0.1, 0.01)));
        var update = await newCoordinator.ExpectMsgAsync<ClientProtocol.ClientUpdate>();
        Assert.Equal((new JobId(1), 7, 3L), (update.Job, update.ClientId, update.BaseVersion));
        await oldCoordinator.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
    }

    [Fact(DisplayName = "A client stopped while it holds a job must hand the job back to be sent again")]
    public async Task Stopped_client_must_release_its_jobs()
    {
        var coordinator = CreateTestProbe();
        var client = Sys.ActorOf(ShardedClientActor.Props(7, CreateTestProbe().Ref, CreateTestProbe().Ref));
        Watch(client);
        client.Tell(Assignment(4), coordinator.Ref);
        client.Tell(ShardedClientActor.Stop.Instance);
        Assert.Equal(new ClusterProtocol.JobReleased(new JobId(4), 7), await coordinator.ExpectMsgAsync<ClusterProtocol.JobReleased>());
        await ExpectTerminatedAsync(client);
    }
}
