using System.Runtime.InteropServices;
using Akka.Actor;
using FedActors.Actors.Population;
using FedActors.Actors.Updates;
using FedActors.Training;
using FedActors.Training.Data;
using FedActors.Training.Evaluation;
using FedActors.Training.LocalTraining;
using FedActors.Training.Models;
using TorchSharp;

namespace FedActors.Actors.Trainers;

/// <summary>
/// One trainer slot: runs on its own dedicated thread and owns one model trainer (<see cref="IModelTrainer"/>, of the
/// configured <see cref="TrainingEngine"/>) and, for evaluations, one TorchSharp model replica, each created on first use
/// and reused for every job and evaluation.
/// </summary>
/// <remarks>
/// <para>Threads: libtorch's intra-op thread count (OpenMP here) is per thread: <c>set_num_threads</c>
/// changes it for the calling thread, and threads created afterwards start from the last value set
/// (measured: see TorchThreadTests). Each slot therefore sets it first thing on its own dedicated
/// thread, and every slot uses the same value, so a job's arithmetic — and its bits — do not depend on
/// which slot runs it.</para>
/// <para>The actor must run on a dedicated dispatcher (<see cref="TrainerPool.DispatcherId"/>): training
/// blocks its thread for the whole job.</para>
/// </remarks>
public sealed class TrainerActor : ReceiveActor
{
    /// <summary>The purpose tag of the per-job sample-order stream (the job id is mixed in).</summary>
    public const ulong TrainOrderPurpose = 0x7A41_0000_0000_0001;

    private readonly IClientDataSource _clients;
    private readonly LabeledDataset? _testSet;
    private readonly LabeledDataset? _backdoorTestSet;
    private readonly string _modelName;
    private readonly int _threads;
    private readonly TrainingEngine _engine;
    private readonly DeltaBufferPool? _deltas;
    private readonly UpdatePipeline _pipeline;
    private readonly bool _needsLayers;
    private int[]? _layers;
    private ModelReplica? _replica;
    private IModelTrainer? _trainer;

    /// <summary>Creates a trainer.</summary>
    /// <param name="clients">The clients' data.</param>
    /// <param name="testSet">The test set evaluations use; null when the trainer only trains.</param>
    /// <param name="modelName">The model.</param>
    /// <param name="threads">Intra-op threads.</param>
    /// <param name="engine">Which trainer trains the model.</param>
    /// <param name="deltas">Where update arrays are rented from; null allocates each.</param>
    /// <param name="transforms">The client update pipeline each update goes through before it leaves; null sends Δ as it is.</param>
    /// <param name="clientState">Where the pipeline keeps per-client vectors (error-feedback residuals); null when it keeps none.</param>
    /// <param name="backdoorTestSet">Triggered test images labeled as a backdoor's target, evaluated beside the test set; null when no backdoor is simulated.</param>
    public TrainerActor(IClientDataSource clients, LabeledDataset? testSet, string modelName, int threads, TrainingEngine engine = TrainingEngine.Auto,
        DeltaBufferPool? deltas = null, UpdatePipelineSettings? transforms = null, IClientStateStore? clientState = null, LabeledDataset? backdoorTestSet = null)
    {
        _backdoorTestSet = backdoorTestSet;
        _pipeline = (transforms ?? UpdatePipelineSettings.Identity).Create(clientState);
        _needsLayers = transforms?.NeedsLayers ?? false;
        _clients = clients;
        _testSet = testSet;
        _modelName = modelName;
        _threads = threads;
        _engine = engine;
        _deltas = deltas;
        Receive<TrainerProtocol.Work>(OnWork);
    }

    /// <summary>Props on the trainer dispatcher.</summary>
    public static Props Props(IClientDataSource clients, LabeledDataset? testSet, string modelName, int threads, TrainingEngine engine = TrainingEngine.Auto,
        DeltaBufferPool? deltas = null, UpdatePipelineSettings? transforms = null, IClientStateStore? clientState = null, LabeledDataset? backdoorTestSet = null) =>
        Akka.Actor.Props.Create(() => new TrainerActor(clients, testSet, modelName, threads, engine, deltas, transforms, clientState, backdoorTestSet)).WithDispatcher(TrainerPool.DispatcherId);

    /// <summary>The sample-order stream of job <paramref name="jobId"/> of client <paramref name="clientId"/>.</summary>
    public static DeterministicRandom OrderStream(ulong seed, int clientId, long jobId) =>
        DeterministicRandom.For(seed, (ulong)clientId, TrainOrderPurpose ^ ((ulong)jobId * 0x9E3779B97F4A7C15UL));

    /// <inheritdoc />
    protected override void PreStart()
    {
        torch.set_num_threads(_threads);
        base.PreStart();
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        _trainer?.Dispose();
        _replica?.Dispose();
        base.PostStop();
    }

    private void OnWork(TrainerProtocol.Work work)
    {
        switch (work.Command)
        {
            case TrainerProtocol.Train t:
                work.ReplyTo.Tell(RunTraining(t));
                break;
            case TrainerProtocol.Evaluate e:
                work.ReplyTo.Tell(RunEvaluation(e));
                break;
        }
        Context.Parent.Tell(new TrainerProtocol.TrainerIdle(Self));
    }

    private object RunTraining(TrainerProtocol.Train job)
    {
        try
        {
            var data = _clients.Get(job.ClientId);
            var trainer = Trainer(data.Data, job.Options.BatchSize);
            var delta = _deltas is { } pool && pool.Length == job.Base.Dimension ? pool.Rent() : new float[job.Base.Dimension];
            var stats = trainer.Train(job.Base.Weights, data.Data, data.Indices.Span, job.Options,
                OrderStream(job.Seed, job.ClientId, job.Job.Value), delta);
            // Client-side transforms run here, on the trainer's own thread, before the update leaves the client.
            var context = new TransformContext(job.Seed, job.ClientId, job.Job.Value, job.Base.Number, job.Base.Dimension)
            {
                PreviousJob = job.PreviousJob,
                // Per-layer transforms: the parameter tensors' sizes, from the model itself, once per trainer.
                Layers = _needsLayers ? _layers ??= ParameterLayout.For(_modelName, data.Data.SampleShape, data.Data.NumClasses).Counts : default,
            };
            var payload = _pipeline.Encode(delta, context);
            // A compressed payload holds arrays of its own: Δ's array goes back to the pool at once.
            if (!(payload is DensePayload sent && ReferenceEquals(sent.Values, delta))) _deltas?.Return(delta);
            return new TrainerProtocol.Trained(job.Job, payload, stats);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or InvalidDataException or ExternalException or System.Data.Common.DbException)
        {
            return new TrainerProtocol.TrainingFailed(job.Job, e.Message);
        }
    }

    private TrainerProtocol.Evaluated RunEvaluation(TrainerProtocol.Evaluate e)
    {
        var test = _testSet ?? throw new InvalidOperationException("this trainer pool has no test set to evaluate on");
        var replica = Replica(test, Evaluator.DefaultBatchSize);
        replica.LoadWeights(e.Version.Weights);
        var result = Evaluator.Evaluate(replica, test);
        return new TrainerProtocol.Evaluated(e.ServerStep, e.Version.Number, result)
        {
            BackdoorAccuracy = _backdoorTestSet is { } triggered ? Evaluator.Evaluate(replica, triggered).Accuracy : null,
        };
    }

    private ModelReplica Replica(LabeledDataset shapeOf, int batch) =>
        _replica ??= ModelReplica.For(_modelName, shapeOf, Math.Max(batch, Evaluator.DefaultBatchSize));

    // The torch engine trains on the evaluation replica: one TorchSharp model per slot, as before there were engines.
    private IModelTrainer Trainer(LabeledDataset shapeOf, int batch) =>
        _trainer ??= TrainingEngines.Resolve(_engine, _modelName) == TrainingEngine.Managed
            ? TrainingEngines.Create(TrainingEngine.Managed, _modelName, shapeOf, batch)
            : new TorchModelTrainer(Replica(shapeOf, batch), ownsReplica: false);
}
