using Akka.Actor;
using Akka.TestKit.Xunit2;
using FedActors.Actors.Clients;
using FedActors.Actors.Cluster;
using FedActors.Actors.Jobs;
using FedActors.Training.LocalTraining;

namespace FedActors.Actors.Tests.Cluster;

/// <summary>The gateway and the client node's actor with registered real clients, in one actor system with the cluster provider (not joined).</summary>
public class RealClientActorSpecs() : TestKit("akka.actor.provider = cluster\nakka.remote.dot-netty.tcp.hostname = 127.0.0.1\nakka.remote.dot-netty.tcp.port = 0\nakka.loglevel = WARNING")
{
    private static ClientProtocol.ClientEnvelope Job(long id, int client) =>
        new(client, new ClientProtocol.TrainJob(new JobId(id), client, new ModelVersion(2, [1f, 2f]), new LocalTrainingOptions(), 1));

    [Fact(DisplayName = "The gateway must send a registered client's job to its node, never to the shards, and fail it when the node leaves")]
    public async Task Gateway_must_route_to_the_owner_and_fail_jobs_of_a_departed_node()
    {
        var region = CreateTestProbe();
        var owner = CreateTestProbe();
        var coordinator = CreateTestProbe();
        var gateway = Sys.ActorOf(JobGateway.Props(region.Ref, new WireTraffic(), TimeSpan.FromMinutes(1), registeredClients: true));
        gateway.Tell(new JobGateway.OwnersChanged(new Dictionary<int, IActorRef> { [4] = owner.Ref }));

        gateway.Tell(Job(10, 4), coordinator.Ref);
        var assignment = await owner.ExpectMsgAsync<ClusterProtocol.TrainAssignment>();
        Assert.Equal((new JobId(10), 4, 2L), (assignment.Job, assignment.ClientId, assignment.BaseVersion));

        // A client nobody registered: failed at once, not sent to a worker shard.
        gateway.Tell(Job(11, 5), coordinator.Ref);
        var unknown = await coordinator.ExpectMsgAsync<ClientProtocol.JobFailed>();
        Assert.Equal((new JobId(11), 5), (unknown.Job, unknown.ClientId));
        Assert.Contains("not registered", unknown.Reason);

        // The owner's node left: its job can be trained nowhere else.
        gateway.Tell(new JobGateway.OwnersChanged(new Dictionary<int, IActorRef>()));
        var lost = await coordinator.ExpectMsgAsync<ClientProtocol.JobFailed>();
        Assert.Equal(new JobId(10), lost.Job);
        Assert.Contains("left the run", lost.Reason);
        await region.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
    }

    [Fact(DisplayName = "A client node must register its clients with the coordinator and refuse jobs for clients it does not hold")]
    public async Task Client_node_must_register_and_refuse_foreign_jobs()
    {
        var coordinator = CreateTestProbe();
        var trainers = CreateTestProbe();
        var cache = CreateTestProbe();
        var observer = new Observer();
        var node = Sys.ActorOf(ClientNodeActor.Props(new Dictionary<int, int> { [2] = 100, [0] = 50 }, coordinator.Ref, trainers.Ref, cache.Ref,
            TimeSpan.FromMilliseconds(300), observer));

        var register = await coordinator.ExpectMsgAsync<ClusterProtocol.RegisterClients>();
        Assert.Equal(new[] { 0, 2 }, register.ClientIds);
        Assert.Equal(new[] { 50, 100 }, register.SampleCounts);
        coordinator.Reply(new ClusterProtocol.ClientsRegistered(2));
        // Announced again and again: a coordinator that took over learns the clients too.
        await coordinator.ExpectMsgAsync<ClusterProtocol.RegisterClients>(TimeSpan.FromSeconds(3));
        Assert.Equal(2, observer.Registered);

        node.Tell(new ClusterProtocol.TrainAssignment(new JobId(3), 1, 0, new LocalTrainingOptions(), 1), TestActor);
        var refused = await ExpectMsgAsync<ClientProtocol.JobFailed>();
        Assert.Equal((new JobId(3), 1), (refused.Job, refused.ClientId));

        // A held client's job goes to its child, which fetches the version from the job's sender.
        node.Tell(new ClusterProtocol.TrainAssignment(new JobId(4), 2, 0, new LocalTrainingOptions(), 1), TestActor);
        Assert.Equal(TestActor, (await cache.ExpectMsgAsync<ModelVersionCache.GetVersion>()).Source);
    }

    private sealed class Observer : IClientNodeObserver
    {
        private int _registered;

        public int Registered => Volatile.Read(ref _registered);

        public void OnRegistered(string coordinator, int clients) => Volatile.Write(ref _registered, clients);

        public void OnRefused(string reason) { }

        public void OnAnswered(ClientProtocol.IClientResult result, long baseVersion) { }
    }
}
