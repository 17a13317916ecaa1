using FedActors.Training.Data;

namespace FedActors.Training.LocalTraining;

/// <summary>
/// A trainer slot's reusable machinery for one model: runs one client's local training at a time from the
/// global weights and writes the update Δ = w_local − w_global. Implementations keep every model-sized
/// buffer across trainings, so a training allocates nothing model-sized.
/// </summary>
/// <remarks>Not thread-safe: one training at a time per instance.</remarks>
public interface IModelTrainer : IDisposable
{
    /// <summary>The engine that does the arithmetic.</summary>
    TrainingEngine Engine { get; }

    /// <summary>Length of the flat weight vector (the model's <see cref="Models.ParameterLayout"/>).</summary>
    int Dimension { get; }

    /// <summary>Runs one local training.</summary>
    /// <param name="globalWeights">The model version the client starts from.</param>
    /// <param name="data">The dataset the client's samples live in.</param>
    /// <param name="indices">The client's samples in <paramref name="data"/>.</param>
    /// <param name="options">Local training hyper-parameters.</param>
    /// <param name="order">Source of the per-epoch sample order; derive it from (seed, client, job).</param>
    /// <param name="delta">Receives Δ; <see cref="Dimension"/> values.</param>
    LocalTrainingStats Train(ReadOnlySpan<float> globalWeights, LabeledDataset data, ReadOnlySpan<int> indices,
        LocalTrainingOptions options, DeterministicRandom order, Span<float> delta);
}

/// <summary>The TorchSharp trainer: <see cref="LocalTrainer.Train"/> on a <see cref="ModelReplica"/>.</summary>
public sealed class TorchModelTrainer : IModelTrainer
{
    private readonly bool _ownsReplica;

    /// <summary>Trains on <paramref name="replica"/>, disposing it with this trainer when <paramref name="ownsReplica"/>.</summary>
    public TorchModelTrainer(ModelReplica replica, bool ownsReplica)
    {
        Replica = replica ?? throw new ArgumentNullException(nameof(replica));
        _ownsReplica = ownsReplica;
    }

    /// <summary>The replica trained on.</summary>
    public ModelReplica Replica { get; }

    /// <inheritdoc />
    public TrainingEngine Engine => TrainingEngine.Torch;

    /// <inheritdoc />
    public int Dimension => Replica.Layout.TotalCount;

    /// <inheritdoc />
    public LocalTrainingStats Train(ReadOnlySpan<float> globalWeights, LabeledDataset data, ReadOnlySpan<int> indices,
        LocalTrainingOptions options, DeterministicRandom order, Span<float> delta) =>
        LocalTrainer.Train(Replica, globalWeights, data, indices, options, order, delta);

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsReplica) Replica.Dispose();
    }
}
