using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit.Xunit2;
using FedActors.Actors.Jobs;
using FedActors.Actors.Population;
using FedActors.Actors.Trainers;
using FedActors.Training.Data;
using FedActors.Training.LocalTraining;

namespace FedActors.Actors.Tests.Trainers;

public sealed class TrainerPoolSpecs : TestKit
{
    public TrainerPoolSpecs() : base(TrainerPool.DispatcherConfig) { }

    private static readonly LabeledDataset Data = new("tiny", Enumerable.Range(0, 8 * 4).Select(i => (i % 5) * 0.1f).ToArray(),
        [0, 1, 0, 1, 0, 1, 0, 1], [4], 2);

    /// <summary>Every client holds all 8 samples; the first <see cref="Get"/> blocks until <see cref="Release"/>.</summary>
    private sealed class GatedClients : IClientDataSource
    {
        private readonly ManualResetEventSlim _gate = new();
        private int _calls;

        public int ClientCount => 10;

        public ClientData Get(int clientId)
        {
            if (Interlocked.Increment(ref _calls) == 1) _gate.Wait(TimeSpan.FromSeconds(30));
            return new ClientData(Data, Enumerable.Range(0, Data.Count).ToArray());
        }

        public int SampleCount(int clientId) => Data.Count;

        public void Release() => _gate.Set();
    }

    private static TrainerProtocol.Train Train(long job, double applyAt)
    {
        var layout = new float[4 * 2 + 2]; // logreg on 4 features, 2 classes
        return new TrainerProtocol.Train(new JobId(job), (int)job, new ModelVersion(0, layout),
            new LocalTrainingOptions { BatchSize = 4 }, 1) { ApplyAt = applyAt };
    }

    private static TrainerSettings OneSlot(int queue) =>
        TrainerSettings.Create(ConfigurationFactory.ParseString($"fedactors.trainers {{ slots = 1, threads-per-slot = 1, queue-capacity = {queue}, engine = torch }}"));

    /// <summary>
    /// The trainer holds <see cref="TrainerPool.PerTrainer"/> work items, so that it never waits for the pool between
    /// two trainings: fills its places beyond the first (which job 1 took) with jobs that come first, so that what
    /// follows is queued by the pool.
    /// </summary>
    private List<long> FillTrainerPlaces(IActorRef pool)
    {
        var handed = new List<long>();
        for (int k = 1; k < TrainerPool.PerTrainer; k++)
        {
            handed.Add(100 + k);
            pool.Tell(Train(100 + k, applyAt: 0.1 * k));
        }
        return handed;
    }

    [Fact]
    public async Task A_busy_pool_must_train_queued_jobs_in_apply_order_and_turn_away_the_latest()
    {
        var clients = new GatedClients();
        var pool = Sys.ActorOf(TrainerPool.Props(OneSlot(queue: 2), clients, null, "logreg"));
        var (b, e) = (CreateTestProbe(), CreateTestProbe());

        pool.Tell(Train(1, applyAt: 5)); // straight to the slot, which blocks in the gate
        var handed = FillTrainerPlaces(pool);
        pool.Tell(Train(2, applyAt: 9), b.Ref);
        pool.Tell(Train(3, applyAt: 7));
        pool.Tell(Train(4, applyAt: 1)); // full: evicts job 2, the latest queued
        Assert.Equal(2, (await b.ExpectMsgAsync<TrainerProtocol.PoolBusy>()).Job.Value);
        pool.Tell(Train(5, applyAt: 8), e.Ref); // later than every queued job: turned away
        Assert.Equal(5, (await e.ExpectMsgAsync<TrainerProtocol.PoolBusy>()).Job.Value);

        clients.Release();
        var order = new List<long>();
        // The first training also loads libtorch and builds the replica: allow for a slow, shared machine.
        for (int i = 0; i < 3 + handed.Count; i++) order.Add((await ExpectMsgAsync<TrainerProtocol.Trained>(TimeSpan.FromSeconds(30))).Job.Value);
        Assert.Equal([1L, .. handed, 4L, 3L], order);
        // Each freed place goes to the earliest turned-away job: 5 (at 8) before 2 (at 9).
        await e.ExpectMsgAsync<TrainerProtocol.SlotAvailable>();
        await b.ExpectMsgAsync<TrainerProtocol.SlotAvailable>();
    }

    [Fact]
    public async Task Dropping_queued_trainings_must_answer_each_as_failed_and_leave_the_running_one()
    {
        var clients = new GatedClients();
        var pool = Sys.ActorOf(TrainerPool.Props(OneSlot(queue: 1), clients, null, "logreg"));
        var waiting = CreateTestProbe();

        pool.Tell(Train(1, applyAt: 1));
        var handed = FillTrainerPlaces(pool);
        pool.Tell(Train(2, applyAt: 2));
        pool.Tell(Train(3, applyAt: 3), waiting.Ref);
        await waiting.ExpectMsgAsync<TrainerProtocol.PoolBusy>();
        pool.Tell(TrainerProtocol.DropQueuedTrainings.Instance);

        Assert.Equal(2, (await ExpectMsgAsync<TrainerProtocol.TrainingFailed>()).Job.Value);
        Assert.Equal(3, (await waiting.ExpectMsgAsync<TrainerProtocol.TrainingFailed>()).Job.Value);
        clients.Release();
        Assert.Equal(1, (await ExpectMsgAsync<TrainerProtocol.Trained>(TimeSpan.FromSeconds(30))).Job.Value);
        // Work already handed to the trainer is its own: it is trained, not dropped.
        foreach (var job in handed) Assert.Equal(job, (await ExpectMsgAsync<TrainerProtocol.Trained>(TimeSpan.FromSeconds(30))).Job.Value);
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
        await waiting.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100)); // nothing was left to offer a slot to
    }
}
