using System.Diagnostics;
using System.Numerics.Tensors;
using FedActors.Training.Data;

namespace FedActors.Training.LocalTraining;

/// <summary>
/// A client's local training: start from the global weights, run local SGD on the client's samples,
/// return the update Δ = w_local − w_global as a flat vector with its statistics.
/// </summary>
/// <remarks>
/// Stateless: everything model-sized lives in the <see cref="ModelReplica"/> the caller passes, which
/// is reused across clients. Deterministic for a fixed seed and intra-op thread count.
/// </remarks>
public static class LocalTrainer
{
    /// <summary>Runs one local training.</summary>
    /// <param name="replica">A replica of the model; its previous contents are overwritten.</param>
    /// <param name="globalWeights">The model version the client starts from, in the replica's layout.</param>
    /// <param name="data">The pooled dataset the client's samples live in.</param>
    /// <param name="indices">The client's samples (its partition) in <paramref name="data"/>.</param>
    /// <param name="options">Local training hyper-parameters.</param>
    /// <param name="order">Source of the per-epoch sample order; derive it from (seed, client, job).</param>
    /// <param name="delta">Receives Δ; must have the layout's length.</param>
    public static LocalTrainingStats Train(
        ModelReplica replica, ReadOnlySpan<float> globalWeights, LabeledDataset data, ReadOnlySpan<int> indices,
        LocalTrainingOptions options, DeterministicRandom order, Span<float> delta)
    {
        if (indices.IsEmpty) throw new ArgumentException("a client needs at least one sample to train", nameof(indices));
        if (delta.Length != replica.Layout.TotalCount)
            throw new ArgumentException($"delta has {delta.Length} values, the model {replica.Layout.TotalCount}", nameof(delta));
        var started = Stopwatch.GetTimestamp();

        replica.LoadWeights(globalWeights);
        SgdStep.Reset(replica, needAnchor: options.ProximalMu != 0);
        var (samples, steps, lossSum) = SgdLoop.Run(replica, data, indices, options.Epochs, options, order);

        replica.ReadWeights(delta);
        TensorPrimitives.Subtract(delta, globalWeights, delta);
        double norm = TensorPrimitives.Norm<float>(delta);
        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return new LocalTrainingStats(samples, steps, lossSum / samples, norm, seconds);
    }
}
