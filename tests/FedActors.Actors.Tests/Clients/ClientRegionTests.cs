using Akka.Actor;
using Akka.TestKit.Xunit2;
using FedActors.Actors.Clients;
using FedActors.Actors.Jobs;
using FedActors.Actors.Trainers;
using FedActors.Actors.Updates;
using FedActors.Training.LocalTraining;

namespace FedActors.Actors.Tests.Clients;

public class ClientRegionTests : TestKit
{
    private static ClientProtocol.TrainJob Job(long id, int client) =>
        new(new JobId(id), client, new ModelVersion(3, new float[4]), new LocalTrainingOptions(), 1);

    private static TrainerProtocol.Trained Done(long id) =>
        new(new JobId(id), new DensePayload(new float[4]), new LocalTrainingStats(10, 1, 0.5, 0.1, 0.01));

    private IActorRef Region(Akka.TestKit.TestProbe trainers, int maxIdle) =>
        Sys.ActorOf(ClientRegion.Props(trainers.Ref, ClientRegionSettings.Default with { MaxIdleActors = maxIdle }));

    [Fact]
    public async Task Region_must_activate_a_client_on_demand_and_passivate_it_after_its_reply()
    {
        var trainers = CreateTestProbe();
        var region = Region(trainers, maxIdle: 0);

        region.Tell(new ClientProtocol.ClientEnvelope(7, Job(1, 7)));
        var train = await trainers.ExpectMsgAsync<TrainerProtocol.Train>();
        Assert.Equal(7, train.ClientId);
        var client = trainers.LastSender;
        Watch(client);

        client.Tell(Done(1), trainers.Ref);
        var update = await ExpectMsgAsync<ClientProtocol.ClientUpdate>();
        Assert.Equal((new JobId(1), 7, 3L), (update.Job, update.ClientId, update.BaseVersion));
        await ExpectTerminatedAsync(client);
    }

    [Fact]
    public async Task A_job_sent_while_the_client_passivates_must_reach_its_next_incarnation()
    {
        var trainers = CreateTestProbe();
        var region = Region(trainers, maxIdle: 0);
        region.Tell(new ClientProtocol.ClientEnvelope(2, Job(1, 2)));
        await trainers.ExpectMsgAsync<TrainerProtocol.Train>();
        trainers.LastSender.Tell(Done(1), trainers.Ref);
        region.Tell(new ClientProtocol.ClientEnvelope(2, Job(2, 2))); // races the passivation
        await ExpectMsgAsync<ClientProtocol.ClientUpdate>();
        var again = await trainers.ExpectMsgAsync<TrainerProtocol.Train>();
        Assert.Equal(2, again.Job.Value);
        trainers.LastSender.Tell(Done(2), trainers.Ref);
        Assert.Equal(2, (await ExpectMsgAsync<ClientProtocol.ClientUpdate>()).Job.Value);
    }

    [Fact]
    public async Task A_client_turned_away_by_a_busy_pool_must_retry_when_a_slot_frees()
    {
        var trainers = CreateTestProbe();
        var region = Region(trainers, maxIdle: 0);
        region.Tell(new ClientProtocol.ClientEnvelope(4, Job(9, 4)));
        await trainers.ExpectMsgAsync<TrainerProtocol.Train>();
        var client = trainers.LastSender;
        client.Tell(new TrainerProtocol.PoolBusy(new JobId(9)), trainers.Ref);
        await trainers.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        client.Tell(TrainerProtocol.SlotAvailable.Instance, trainers.Ref);
        Assert.Equal(9, (await trainers.ExpectMsgAsync<TrainerProtocol.Train>()).Job.Value);
    }

    [Fact]
    public async Task Idle_clients_within_the_limit_must_stay_alive_and_the_least_recently_idle_must_stop_beyond_it()
    {
        var trainers = CreateTestProbe();
        var region = Region(trainers, maxIdle: 1);
        region.Tell(new ClientProtocol.ClientEnvelope(1, Job(1, 1)));
        await trainers.ExpectMsgAsync<TrainerProtocol.Train>();
        var first = trainers.LastSender;
        Watch(first);
        first.Tell(Done(1), trainers.Ref);
        await ExpectMsgAsync<ClientProtocol.ClientUpdate>();
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200)); // idle, kept: no Terminated

        // Picked again: the same actor takes the job.
        region.Tell(new ClientProtocol.ClientEnvelope(1, Job(2, 1)));
        await trainers.ExpectMsgAsync<TrainerProtocol.Train>();
        Assert.Equal(first, trainers.LastSender);
        first.Tell(Done(2), trainers.Ref);
        await ExpectMsgAsync<ClientProtocol.ClientUpdate>();

        // A second idle client exceeds the limit of one: client 1, idle longer, stops; client 2 stays.
        region.Tell(new ClientProtocol.ClientEnvelope(5, Job(3, 5)));
        await trainers.ExpectMsgAsync<TrainerProtocol.Train>();
        var second = trainers.LastSender;
        Watch(second);
        second.Tell(Done(3), trainers.Ref);
        await ExpectMsgAsync<ClientProtocol.ClientUpdate>();
        await ExpectTerminatedAsync(first);
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));

        // A job for the stopped client reaches a new incarnation.
        region.Tell(new ClientProtocol.ClientEnvelope(1, Job(4, 1)));
        Assert.Equal(4, (await trainers.ExpectMsgAsync<TrainerProtocol.Train>()).Job.Value);
        Assert.NotEqual(first, trainers.LastSender);
    }

    [Fact]
    public void An_envelope_must_name_the_same_client_as_its_message()
    {
        var e = Assert.Throws<ArgumentException>(() => new ClientProtocol.ClientEnvelope(1, Job(1, 2)));
        Assert.Contains("client 1", e.Message);
        Assert.Contains("client 2", e.Message);
    }
}
