using System.Diagnostics;
using FedActors.Training.Data;
using FedActors.Training.Evaluation;
using FedActors.Training.LocalTraining;

namespace FedActors.Training.Centralized;

/// <summary>Hyper-parameters of the centralized baseline (<c>fedactors.centralized.*</c>).</summary>
public sealed record CentralizedOptions
{
    /// <summary>Passes over the pooled training set. <value>Default 15.</value></summary>
    public int Epochs { get; init; } = 15;

    /// <summary>SGD settings (batch size, learning rate, momentum, weight decay).</summary>
    public LocalTrainingOptions Sgd { get; init; } = new() { BatchSize = 64, LearningRate = 0.01, Momentum = 0.9, WeightDecay = 1e-5 };

    /// <summary>Learning-rate factor applied after every epoch. <value>Default 0.9.</value></summary>
    public double LearningRateDecay { get; init; } = 0.9;

    /// <summary>Evaluate every this many epochs (the last epoch is always evaluated). <value>Default 1.</value></summary>
    public int EvalEveryEpochs { get; init; } = 1;

    /// <summary>Throws when a value is out of range, naming the config key.</summary>
    public CentralizedOptions Validate()
    {
        if (Epochs < 1) throw new ArgumentOutOfRangeException(nameof(Epochs), $"fedactors.centralized.epochs must be ≥ 1, got {Epochs}");
        if (!(LearningRateDecay > 0 && LearningRateDecay <= 1))
            throw new ArgumentOutOfRangeException(nameof(LearningRateDecay), $"fedactors.centralized.lr-decay must be in (0, 1], got {LearningRateDecay}");
        if (EvalEveryEpochs < 1)
            throw new ArgumentOutOfRangeException(nameof(EvalEveryEpochs), $"fedactors.centralized.eval-every-epochs must be ≥ 1, got {EvalEveryEpochs}");
        Sgd.Validate();
        return this;
    }
}

/// <summary>The outcome of one epoch of centralized training.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="Steps">Optimizer steps so far.</param>
/// <param name="SamplesTrained">Samples processed so far.</param>
/// <param name="TrainLoss">Mean training loss of this epoch.</param>
/// <param name="TrainSeconds">Real seconds spent training so far (evaluation excluded).</param>
/// <param name="LearningRate">The learning rate this epoch used.</param>
/// <param name="Evaluation">Test-set evaluation after this epoch, when one was due.</param>
public sealed record CentralizedEpoch(int Epoch, long Steps, long SamplesTrained, double TrainLoss, double TrainSeconds,
    double LearningRate, EvaluationResult? Evaluation);

/// <summary>
/// The centralized baseline: the same model and local SGD as the federated clients, trained on the
/// pooled training data. Federated runs are measured against it.
/// </summary>
public static class CentralizedTraining
{
    /// <summary>
    /// Trains <paramref name="replica"/> from its current weights, yielding after every epoch so the
    /// caller can report progress and stop early. Deterministic for a fixed seed and thread count.
    /// </summary>
    public static IEnumerable<CentralizedEpoch> Run(ModelReplica replica, LabeledDataset train, LabeledDataset test,
        CentralizedOptions options, ulong seed, CancellationToken cancellation = default)
    {
        options.Validate();
        var all = Enumerable.Range(0, train.Count).ToArray();
        var order = DeterministicRandom.For(seed, 0, OrderPurpose);
        var sgd = options.Sgd;
        SgdStep.Reset(replica, needAnchor: sgd.ProximalMu != 0);
        long steps = 0, samples = 0;
        double trainSeconds = 0;
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            cancellation.ThrowIfCancellationRequested();
            var started = Stopwatch.GetTimestamp();
            // Momentum carries over between epochs, as in an ordinary training run.
            var (n, s, lossSum) = SgdLoop.Run(replica, train, all, 1, sgd, order);
            trainSeconds += Stopwatch.GetElapsedTime(started).TotalSeconds;
            steps += s;
            samples += n;
            bool evaluate = epoch % options.EvalEveryEpochs == 0 || epoch == options.Epochs;
            var evaluation = evaluate ? Evaluator.Evaluate(replica, test) : null;
            yield return new CentralizedEpoch(epoch, steps, samples, lossSum / n, trainSeconds, sgd.LearningRate, evaluation);
            sgd = sgd with { LearningRate = sgd.LearningRate * options.LearningRateDecay };
        }
    }

    private const ulong OrderPurpose = 0xCE17;
}
