using System.Diagnostics;
using System.Numerics.Tensors;
using FedActors.Training.Data;

namespace FedActors.Training.LocalTraining;

/// <summary>
/// Local training of multinomial logistic regression (<see cref="Models.LogisticRegression"/>, model <c>logreg</c>) in
/// managed SIMD code: the same math as the TorchSharp path (<see cref="LocalTrainer"/>, <see cref="SgdLoop"/>,
/// <see cref="SgdStep"/>), without the dozens of native calls per minibatch that cost far more than the arithmetic of
/// a 610-parameter model.
/// </summary>
/// <remarks>
/// <para>Same parameter layout as <c>nn.Linear(features, classes)</c>: W [classes × features] row-major, then b [classes].
/// Same loss: mean cross-entropy of softmax(W·x + b) over the minibatch. Same optimizer as <see cref="SgdStep"/>
/// (PyTorch's SGD without dampening): d = ∇ + λ·w + μ·(w − w_global); v ← m·v + d; w ← w − η·v (plain d when m = 0).
/// Same sample order: one shuffle of the client's indices per epoch from the job's stream, batches in that order,
/// the last one short, stopping at <see cref="LocalTrainingOptions.MaxSteps"/>. Same statistics.</para>
/// <para>Results agree with TorchSharp's to float rounding, not bit for bit (sums run in another order), and are
/// deterministic: one thread, a fixed order of operations.</para>
/// <para>Allocation-free per step and per training (besides the returned statistics): weights, gradient, momentum,
/// logits and the order buffer are kept across trainings.</para>
/// </remarks>
public sealed class SoftmaxRegressionTrainer : IModelTrainer
{
    private readonly int _features;
    private readonly int _classes;
    private readonly float[] _weights;
    private readonly float[] _gradient;
    private readonly float[] _momentum;
    private readonly float[] _logits;
    private int[] _order = [];

    /// <summary>Creates the trainer for <paramref name="features"/> inputs and <paramref name="classes"/> classes.</summary>
    public SoftmaxRegressionTrainer(int features, int classes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(features);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        _features = features;
        _classes = classes;
        Dimension = checked(features * classes + classes);
        _weights = new float[Dimension];
        _gradient = new float[Dimension];
        _momentum = new float[Dimension];
        _logits = new float[classes];
    }

    /// <inheritdoc />
    public TrainingEngine Engine => TrainingEngine.Managed;

    /// <inheritdoc />
    public int Dimension { get; }

    /// <inheritdoc />
    public LocalTrainingStats Train(ReadOnlySpan<float> globalWeights, LabeledDataset data, ReadOnlySpan<int> indices,
        LocalTrainingOptions options, DeterministicRandom order, Span<float> delta)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(order);
        if (indices.IsEmpty) throw new ArgumentException("a client needs at least one sample to train", nameof(indices));
        if (globalWeights.Length != Dimension)
            throw new ArgumentException($"the global weights have {globalWeights.Length} values, the model {Dimension}", nameof(globalWeights));
        if (delta.Length != Dimension) throw new ArgumentException($"delta has {delta.Length} values, the model {Dimension}", nameof(delta));
        if (data.FeatureSize != _features || data.NumClasses != _classes)
            throw new ArgumentException(
                $"{data.Name} has {data.FeatureSize} features and {data.NumClasses} classes, this logreg trainer {_features} and {_classes}", nameof(data));
        var started = Stopwatch.GetTimestamp();

        globalWeights.CopyTo(_weights);
        Array.Clear(_momentum);
        if (_order.Length < indices.Length) _order = new int[indices.Length];
        var shuffled = _order.AsSpan(0, indices.Length);
        indices.CopyTo(shuffled);
        long samples = 0;
        int steps = 0;
        double lossSum = 0;
        int maxSteps = options.MaxSteps ?? int.MaxValue;
        for (int e = 0; e < options.Epochs && steps < maxSteps; e++)
        {
            order.Shuffle(shuffled);
            for (int start = 0; start < shuffled.Length && steps < maxSteps; start += options.BatchSize)
            {
                int n = Math.Min(options.BatchSize, shuffled.Length - start);
                lossSum += Step(data, shuffled.Slice(start, n), options, globalWeights) * n;
                samples += n;
                steps++;
            }
        }

        TensorPrimitives.Subtract(_weights, globalWeights, delta);
        double norm = TensorPrimitives.Norm<float>(delta);
        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return new LocalTrainingStats(samples, steps, lossSum / samples, norm, seconds);
    }

    /// <summary>One minibatch: forward, mean cross-entropy, gradient, SGD step. Returns the batch's mean loss.</summary>
    private float Step(LabeledDataset data, ReadOnlySpan<int> batch, LocalTrainingOptions o, ReadOnlySpan<float> anchor)
    {
        int f = _features, k = _classes, weightCount = f * k;
        var w = _weights.AsSpan();
        var weight = w[..weightCount];
        var bias = w.Slice(weightCount, k);
        var g = _gradient.AsSpan();
        g.Clear();
        var gWeight = g[..weightCount];
        var gBias = g.Slice(weightCount, k);
        var z = _logits.AsSpan();
        var features = data.Features.AsSpan();
        var labels = data.Labels;
        float invN = 1f / batch.Length;
        float loss = 0;
        foreach (int s in batch)
        {
            var x = features.Slice(s * f, f);
            for (int c = 0; c < k; c++) z[c] = TensorPrimitives.Dot(weight.Slice(c * f, f), x) + bias[c];
            // log-softmax as PyTorch computes it: shift by the max, so exp cannot overflow.
            float max = TensorPrimitives.Max(z);
            TensorPrimitives.Subtract(z, max, z);
            int y = labels[s];
            float target = z[y];
            TensorPrimitives.Exp(z, z);
            float sum = TensorPrimitives.Sum(z);
            loss += MathF.Log(sum) - target;
            // ∂(mean loss)/∂z = (softmax(z) − onehot(y)) / n.
            TensorPrimitives.Multiply(z, invN / sum, z);
            z[y] -= invN;
            TensorPrimitives.Add(gBias, z, gBias);
            for (int c = 0; c < k; c++)
            {
                var row = gWeight.Slice(c * f, f);
                TensorPrimitives.MultiplyAdd(x, z[c], row, row);
            }
        }

        // SgdStep's order of operations: weight decay, proximal term, momentum, step.
        if (o.WeightDecay != 0) TensorPrimitives.MultiplyAdd(w, (float)o.WeightDecay, g, g);
        if (o.ProximalMu != 0)
        {
            float mu = (float)o.ProximalMu;
            TensorPrimitives.MultiplyAdd(w, mu, g, g);
            TensorPrimitives.MultiplyAdd(anchor, -mu, g, g);
        }
        float step = -(float)o.LearningRate;
        if (o.Momentum != 0)
        {
            TensorPrimitives.MultiplyAdd(_momentum, (float)o.Momentum, g, _momentum);
            TensorPrimitives.MultiplyAdd(_momentum, step, w, w);
        }
        else TensorPrimitives.MultiplyAdd(g, step, w, w);
        return loss * invN;
    }

    /// <inheritdoc />
    public void Dispose() { }
}
