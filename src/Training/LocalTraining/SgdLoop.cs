using FedActors.Training.Data;
using static TorchSharp.torch;

namespace FedActors.Training.LocalTraining;

/// <summary>
/// The minibatch loop shared by local (federated) and centralized training: shuffle, load a batch into
/// the replica's buffers, forward, cross-entropy, backward, SGD step.
/// </summary>
public static class SgdLoop
{
    /// <summary>
    /// Trains <paramref name="replica"/> in place for <paramref name="epochs"/> passes over the samples
    /// <paramref name="indices"/> of <paramref name="data"/>, in an order drawn from <paramref name="order"/>.
    /// </summary>
    /// <remarks>Stops after <see cref="LocalTrainingOptions.MaxSteps"/> steps when that is set.</remarks>
    /// <returns>Samples processed, optimizer steps, and the summed (not averaged) loss.</returns>
    public static (long Samples, int Steps, double LossSum) Run(
        ModelReplica replica, LabeledDataset data, ReadOnlySpan<int> indices, int epochs,
        LocalTrainingOptions options, DeterministicRandom order)
    {
        var shuffled = replica.OrderBuffer(indices.Length);
        indices.CopyTo(shuffled);
        replica.Module.train();
        long samples = 0;
        int steps = 0;
        double lossSum = 0;
        int maxSteps = options.MaxSteps ?? int.MaxValue;
        for (int e = 0; e < epochs && steps < maxSteps; e++)
        {
            Shuffle(order, shuffled, options.BatchSize, maxSteps - steps);
            for (int start = 0; start < shuffled.Length && steps < maxSteps; start += options.BatchSize)
            {
                int n = Math.Min(options.BatchSize, shuffled.Length - start);
                lossSum += Step(replica, data, shuffled.Slice(start, n), options) * n;
                samples += n;
                steps++;
            }
        }
        return (samples, steps, lossSum);
    }

    /// <summary>
    /// An epoch's sample order: a full shuffle, or, when at most <paramref name="stepsLeft"/> batches of the epoch will be
    /// trained (<see cref="LocalTrainingOptions.MaxSteps"/>), a shuffle of only the places those batches take.
    /// </summary>
    internal static void Shuffle(DeterministicRandom order, Span<int> samples, int batchSize, int stepsLeft)
    {
        long used = (long)stepsLeft * batchSize;
        if (used >= samples.Length) order.Shuffle(samples);
        else order.ShufflePrefix(samples, (int)used);
    }

    // One scope per batch, opened and closed in this synchronous method: scopes are thread-static.
    private static float Step(ModelReplica replica, LabeledDataset data, ReadOnlySpan<int> batch, LocalTrainingOptions options)
    {
        using var gate = KernelBuildGate.Enter(new BatchShape(replica.KernelKey, batch.Length, Training: true));
        using var scope = NewDisposeScope();
        var (x, y) = replica.LoadBatch(data, batch);
        var logits = replica.Module.call(x);
        var loss = nn.functional.cross_entropy(logits, y);
        loss.backward();
        SgdStep.Apply(replica, options);
        return loss.item<float>();
    }
}
