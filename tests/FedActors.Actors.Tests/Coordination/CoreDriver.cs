using FedActors.Actors.Aggregation;
using FedActors.Actors.Clients;
using FedActors.Actors.Coordination;
using FedActors.Actors.Population;
using FedActors.Actors.Simulation;
using FedActors.Actors.Updates;
using FedActors.Training.Evaluation;
using FedActors.Training.LocalTraining;
using static FedActors.Actors.Coordination.CoordinatorEffects;

namespace FedActors.Actors.Tests.Coordination;

/// <summary>A population whose clients all hold the same number of samples and no real data.</summary>
internal sealed class FixedPopulation(int clients, int samples = 32) : IClientDataSource
{
    public int ClientCount { get; } = clients;

    public ClientData Get(int clientId) => throw new NotSupportedException("the core never reads client data");

    public int SampleCount(int clientId) => samples;
}

/// <summary>Drives a <see cref="CoordinatorCore"/> by hand: collects what it dispatches and answers for the clients.</summary>
internal sealed class CoreDriver
{
    public CoreDriver(IStrategySettings server, SimulationSettings? simulation = null, RunSettings? run = null, int population = 100, int dimension = 2, float initial = 0f)
    {
        Run = run ?? RunSettings.Default with { MaxServerSteps = 1000, EvalEverySteps = 1000, TargetAccuracy = null };
        Core = new CoordinatorCore(Run, server, simulation ?? Sim(), new FixedPopulation(population),
            Enumerable.Repeat(initial, dimension).ToArray());
        Take(Core.Start());
    }

    public RunSettings Run { get; }

    public CoordinatorCore Core { get; }

    /// <summary>Jobs dispatched and not yet answered, in dispatch order.</summary>
    public List<ClientProtocol.TrainJob> Outstanding { get; } = new();

    public List<ClientProtocol.TrainJob> AllDispatched { get; } = new();

    public List<EvaluateModel> EvaluationRequests { get; } = new();

    public List<EvaluationRecord> Records { get; } = new();

    public List<RunFinished> Finished { get; } = new();

    public List<CoordinatorCheckpoint> Checkpoints { get; } = new();

    /// <summary>Constant speed and no jitter: every job takes the same virtual time, so finish order is job-id order.</summary>
    public static SimulationSettings Sim(double dropout = 0) => SimulationSettings.Default with
    {
        Device = DeviceSettings.Default with { Speed = SpeedDistribution.Constant, Jitter = 0, Dropout = dropout, JobTimeout = 100 },
    };

    public static FedBuffSettings FedBuff(int concurrency, int k) =>
        FedBuffSettings.Default with { Concurrency = concurrency, BufferSize = k };

    public ClientProtocol.ClientUpdate UpdateFor(ClientProtocol.TrainJob job, float value = 1f, int samples = 32, int? length = null) =>
        new(job.Job, job.ClientId, job.Base.Number, new DensePayload(Enumerable.Repeat(value, length ?? job.Base.Dimension).ToArray()),
            new LocalTrainingStats(samples, 1, 0.5, Math.Abs(value) * Math.Sqrt(length ?? job.Base.Dimension), 0.01));

    /// <summary>Answers the outstanding job at <paramref name="index"/>.</summary>
    public ClientProtocol.TrainJob Answer(int index = 0, float value = 1f, int samples = 32)
    {
        var job = Outstanding[index];
        Outstanding.RemoveAt(index);
        Take(Core.OnResult(UpdateFor(job, value, samples)));
        return job;
    }

    public void Send(ClientProtocol.ClientUpdate update) => Take(Core.OnResult(update));

    public void Evaluate(long step, double accuracy) =>
        Take(Core.OnEvaluated(step, new EvaluationResult(100, accuracy, 1 - accuracy, [], [])));

    public void Take(IReadOnlyList<ICoordinatorEffect> effects)
    {
        foreach (var e in effects)
        {
            switch (e)
            {
                case DispatchJob d:
                    Outstanding.Add(d.Job);
                    AllDispatched.Add(d.Job);
                    break;
                case EvaluateModel m:
                    EvaluationRequests.Add(m);
                    break;
                case EvaluationRecorded r:
                    Records.Add(r.Record);
                    break;
                case RunFinished f:
                    Finished.Add(f);
                    break;
                case StepCommitted c:
                    Checkpoints.Add(c.Checkpoint);
                    break;
            }
        }
    }
}
