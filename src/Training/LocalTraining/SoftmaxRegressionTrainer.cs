using System.Diagnostics;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
    private float[] _batch = [];
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
            SgdLoop.Shuffle(order, shuffled, options.BatchSize, maxSteps - steps);
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
        // The batch's rows copied together first, as the torch path loads its batch tensor: the loads of rows scattered
        // over a large client overlap instead of each stalling the arithmetic that needs it.
        int n = batch.Length;
        if (_batch.Length < n * f) _batch = new float[n * f];
        var rows = _batch.AsSpan(0, n * f);
        var features = data.Features.AsSpan();
        for (int i = 0; i < n; i++) features.Slice(batch[i] * f, f).CopyTo(rows.Slice(i * f, f));

        var w = _weights.AsSpan();
        var weight = w[..weightCount];
        var bias = w.Slice(weightCount, k);
        var g = _gradient.AsSpan();
        g.Clear();
        var gWeight = g[..weightCount];
        var gBias = g.Slice(weightCount, k);
        var z = _logits.AsSpan();
        var labels = data.Labels;
        float invN = 1f / n;
        float loss = 0;
        for (int i = 0; i < n; i++)
        {
            var x = rows.Slice(i * f, f);
            float max = float.NegativeInfinity;
            for (int c = 0; c < k; c++)
            {
                z[c] = Dot(weight.Slice(c * f, f), x) + bias[c];
                max = MathF.Max(max, z[c]);
            }
            // log-softmax as PyTorch computes it: shifted by the max, so exp cannot overflow.
            int y = labels[batch[i]];
            float target = z[y] - max;
            float sum = 0;
            for (int c = 0; c < k; c++) sum += z[c] = MathF.Exp(z[c] - max);
            loss += MathF.Log(sum) - target;
            // ∂(mean loss)/∂z = (softmax(z) − onehot(y)) / n.
            float scale = invN / sum;
            for (int c = 0; c < k; c++)
            {
                float dz = z[c] * scale - (c == y ? invN : 0f);
                gBias[c] += dz;
                AddScaled(gWeight.Slice(c * f, f), x, dz);
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

    // Inlined SIMD kernels for the short rows of this model (60 features): TensorPrimitives' per-call dispatch costs as much
    // as the arithmetic of one row, and the forward and backward passes make 2 × classes such calls per sample.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        ref float pa = ref MemoryMarshal.GetReference(a);
        ref float pb = ref MemoryMarshal.GetReference(b);
        int i = 0;
        var acc = Vector<float>.Zero;
        for (; i <= a.Length - Vector<float>.Count; i += Vector<float>.Count)
            acc += Vector.LoadUnsafe(ref pa, (nuint)i) * Vector.LoadUnsafe(ref pb, (nuint)i);
        float sum = Vector.Sum(acc);
        for (; i < a.Length; i++) sum += Unsafe.Add(ref pa, i) * Unsafe.Add(ref pb, i);
        return sum;
    }

    /// <summary>destination += scale · x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddScaled(Span<float> destination, ReadOnlySpan<float> x, float scale)
    {
        ref float pd = ref MemoryMarshal.GetReference(destination);
        ref float px = ref MemoryMarshal.GetReference(x);
        var s = new Vector<float>(scale);
        int i = 0;
        for (; i <= destination.Length - Vector<float>.Count; i += Vector<float>.Count)
            (Vector.LoadUnsafe(ref pd, (nuint)i) + Vector.LoadUnsafe(ref px, (nuint)i) * s).StoreUnsafe(ref pd, (nuint)i);
        for (; i < destination.Length; i++) Unsafe.Add(ref pd, i) += Unsafe.Add(ref px, i) * scale;
    }

    /// <inheritdoc />
    public void Dispose() { }
}
