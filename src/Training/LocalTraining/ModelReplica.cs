using System.Runtime.InteropServices;
using FedActors.Training.Data;
using FedActors.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace FedActors.Training.LocalTraining;

/// <summary>
/// One reusable copy of a model and the buffers a training needs: parameter tensors, momentum buffers,
/// the proximal anchor, and preallocated input and label tensors. A trainer owns one replica and loads
/// each client's starting weights into it, so nothing model-sized is allocated per client.
/// </summary>
/// <remarks>Not thread-safe: one training at a time per replica.</remarks>
public sealed class ModelReplica : IDisposable
{
    // Every parameter is a view (with its own shape and strides) into one flat tensor, and so is its gradient: an SGD
    // step is a few whole-model ops instead of a few per parameter, each a native call through TorchSharp.
    private readonly Tensor _weights;
    private readonly Tensor _gradients;
    private readonly Tensor _momentum;
    private readonly Tensor _anchor;
    // Per parameter: a contiguous tensor its flat weights pass through when the parameter is stored channels-last.
    private readonly Tensor?[] _staging;
    // What flat weights are read from and written to: the staging tensor where there is one, else the parameter.
    private readonly Tensor[] _flat;
    private Tensor _inputs;
    // The input batch's memory as a contiguous tensor (NHWC when channels-last; the same tensor as _inputs otherwise).
    private Tensor _inputsMemory;
    private Tensor _labels;
    // Views of the first _viewRows rows, kept across batches: most batches have the same size, and
    // creating two native views per step is measurable on small models.
    private Tensor? _inputsView;
    private Tensor? _labelsView;
    private int _viewRows;
    private int[] _order = Array.Empty<int>();

    private ModelReplica(string modelName, nn.Module<Tensor, Tensor> module, int[] sampleShape, int classes, int batchCapacity)
    {
        ModelName = modelName;
        Module = module;
        SampleShape = sampleShape;
        Classes = classes;
        Layout = ParameterLayout.Of(module);
        Parameters = module.parameters().Select(p => (Tensor)p).ToArray();
        // Image models with convolutions train channels-last (NHWC in memory, NCHW in shape): oneDNN's convolutions and
        // libtorch's vectorized max-pool work on it, where the NCHW max-pool is a scalar loop. Measured on one thread:
        // simple-cnn 1.9 ms per batch of 32 against 2.4 ms, its evaluation 2.5 ms per batch of 128 against 4.8 ms,
        // cnn 21.8 ms per batch of 32 against 28.1 ms. Shapes, parameter order and the flat layout do not change.
        ChannelsLast = sampleShape.Length == 3 && Parameters.Any(p => p.dim() == 4);
        _staging = new Tensor?[Parameters.Count];
        if (ChannelsLast)
        {
            using var noGrad = no_grad();
            for (int i = 0; i < Parameters.Count; i++)
            {
                var p = Parameters[i];
                if (p.dim() != 4) continue;
                using (var nhwc = p.permute(0, 2, 3, 1).contiguous())
                using (var restrided = nhwc.permute(0, 3, 1, 2))
                    p.set_(restrided);
                // Flat weights are row-major NCHW: copies go through a contiguous tensor of the parameter's shape.
                if (!p.is_contiguous()) _staging[i] = zeros(p.shape).DetachFromDisposeScope();
            }
        }
        KernelKey = $"{modelName}:{string.Join('x', sampleShape)}:{classes}";
        _flat = Parameters.Select((p, i) => _staging[i] ?? p).ToArray();
        (_weights, _gradients) = GatherIntoFlatStores(Parameters);
        _momentum = zeros_like(_weights).DetachFromDisposeScope();
        _anchor = zeros_like(_weights).DetachFromDisposeScope();
        (_inputs, _inputsMemory, _labels) = AllocateBatch(batchCapacity);
    }

    /// <summary>
    /// True when the convolutional parameters and the input batches are stored channels-last (NHWC order in memory,
    /// NCHW shape and semantics).
    /// </summary>
    public bool ChannelsLast { get; }

    /// <summary>
    /// The model and sample shape as <see cref="KernelBuildGate"/> tells batches apart: replicas with equal keys run
    /// their batches on the same native kernels.
    /// </summary>
    public string KernelKey { get; }

    /// <summary>The config name of the model.</summary>
    public string ModelName { get; }

    /// <summary>The TorchSharp module.</summary>
    public nn.Module<Tensor, Tensor> Module { get; }

    /// <summary>Shape of one input sample.</summary>
    public int[] SampleShape { get; }

    /// <summary>Number of output classes.</summary>
    public int Classes { get; }

    /// <summary>Flat layout of the parameters.</summary>
    public ParameterLayout Layout { get; }

    /// <summary>The parameter tensors in layout order.</summary>
    public IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>All parameters, one after another in layout order, each in its own memory order (channels-last or not).</summary>
    internal Tensor Weights => _weights;

    /// <summary>All parameters' gradients, laid out as <see cref="Weights"/>: backward accumulates into it.</summary>
    internal Tensor Gradients => _gradients;

    /// <summary>Momentum buffer, laid out as <see cref="Weights"/>.</summary>
    internal Tensor Momentum => _momentum;

    /// <summary>FedProx anchor (the starting weights), laid out as <see cref="Weights"/>.</summary>
    internal Tensor Anchor => _anchor;

    /// <summary>
    /// Moves every parameter into one flat tensor (each a view with the parameter's shape and strides) and gives each a
    /// zeroed gradient viewing a second flat tensor the same way. Backward adds into an existing gradient in place, so
    /// the gradients stay in the flat tensor as long as nobody resets them to undefined.
    /// </summary>
    private static (Tensor Weights, Tensor Gradients) GatherIntoFlatStores(IReadOnlyList<Tensor> parameters)
    {
        long total = parameters.Sum(p => p.numel());
        var weights = empty(total).DetachFromDisposeScope();
        var gradients = zeros(total).DetachFromDisposeScope();
        using var noGrad = no_grad();
        long offset = 0;
        foreach (var p in parameters)
        {
            // Dense parameters only (contiguous or channels-last): their strides span exactly numel elements.
            using var view = weights.as_strided(p.shape, p.stride(), offset);
            view.copy_(p);
            p.set_(view);
            // The parameter keeps its own reference to the gradient view; this wrapper can go.
            using var gradient = gradients.as_strided(p.shape, p.stride(), offset);
            p.grad = gradient;
            offset += p.numel();
        }
        return (weights, gradients);
    }

    /// <summary>Creates a replica of model <paramref name="modelName"/> for samples of <paramref name="sampleShape"/>.</summary>
    public static ModelReplica Create(string modelName, int[] sampleShape, int classes, int batchCapacity = 64)
    {
        var module = ModelCatalog.Create(modelName, sampleShape, classes);
        return new ModelReplica(modelName, module, sampleShape, classes, batchCapacity);
    }

    /// <summary>Creates a replica fitted to <paramref name="dataset"/>'s sample shape and classes.</summary>
    public static ModelReplica For(string modelName, LabeledDataset dataset, int batchCapacity = 64) =>
        Create(modelName, dataset.SampleShape, dataset.NumClasses, batchCapacity);

    /// <summary>Loads <paramref name="weights"/> (flat, in <see cref="Layout"/>) into the module.</summary>
    public void LoadWeights(ReadOnlySpan<float> weights)
    {
        FlatWeights.Write(_flat, weights);
        if (!ChannelsLast) return;
        using var noGrad = no_grad();
        for (int i = 0; i < _staging.Length; i++)
            if (_staging[i] is { } staged) Parameters[i].copy_(staged);
    }

    /// <summary>Copies the module's current weights into <paramref name="destination"/>.</summary>
    public void ReadWeights(Span<float> destination)
    {
        if (ChannelsLast)
        {
            using var noGrad = no_grad();
            for (int i = 0; i < _staging.Length; i++)
                if (_staging[i] is { } staged) staged.copy_(Parameters[i]);
        }
        FlatWeights.Read(_flat, destination);
    }

    /// <summary>The module's current weights as a new array.</summary>
    public float[] ReadWeights()
    {
        var w = new float[Layout.TotalCount];
        ReadWeights(w);
        return w;
    }

    /// <summary>A scratch index buffer of at least <paramref name="length"/> entries, reused across trainings.</summary>
    internal Span<int> OrderBuffer(int length)
    {
        if (_order.Length < length) _order = new int[length];
        return _order.AsSpan(0, length);
    }

    /// <summary>
    /// Copies the samples <paramref name="indices"/> of <paramref name="data"/> into the preallocated
    /// batch tensors and returns views of the first <c>indices.Length</c> rows.
    /// </summary>
    /// <remarks>The returned views belong to the replica (valid until the next call); callers must not dispose them.</remarks>
    internal (Tensor Inputs, Tensor Labels) LoadBatch(LabeledDataset data, ReadOnlySpan<int> indices)
    {
        if (indices.Length > _labels.shape[0])
        {
            DisposeViews();
            DisposeBatch();
            (_inputs, _inputsMemory, _labels) = AllocateBatch(indices.Length);
        }
        int f = data.FeatureSize;
        var x = MemoryMarshal.Cast<byte, float>(_inputsMemory.bytes);
        var y = MemoryMarshal.Cast<byte, long>(_labels.bytes);
        var features = data.Features.AsSpan();
        // One channel: NHWC and NCHW are the same bytes.
        bool interleave = ChannelsLast && SampleShape[0] > 1;
        for (int i = 0; i < indices.Length; i++)
        {
            int s = indices[i];
            if (interleave) ToChannelsLast(features.Slice(s * f, f), x.Slice(i * f, f), SampleShape[0]);
            else features.Slice(s * f, f).CopyTo(x.Slice(i * f, f));
            y[i] = data.Labels[s];
        }
        int n = indices.Length;
        if (_inputsView is null || _labelsView is null || _viewRows != n)
        {
            DisposeViews();
            _inputsView = _inputs.narrow(0, 0, n).DetachFromDisposeScope();
            _labelsView = _labels.narrow(0, 0, n).DetachFromDisposeScope();
            _viewRows = n;
        }
        return (_inputsView, _labelsView);
    }

    private void DisposeViews()
    {
        _inputsView?.Dispose();
        _labelsView?.Dispose();
        _inputsView = _labelsView = null;
    }

    /// <summary>One sample from C×H×W order into H×W×C order.</summary>
    private static void ToChannelsLast(ReadOnlySpan<float> chw, Span<float> hwc, int channels)
    {
        int pixels = chw.Length / channels;
        for (int c = 0; c < channels; c++)
        {
            var plane = chw.Slice(c * pixels, pixels);
            for (int p = 0; p < pixels; p++) hwc[p * channels + c] = plane[p];
        }
    }

    private (Tensor Inputs, Tensor Memory, Tensor Labels) AllocateBatch(int capacity)
    {
        var shape = new long[SampleShape.Length + 1];
        shape[0] = Math.Max(1, capacity);
        for (int i = 0; i < SampleShape.Length; i++) shape[i + 1] = SampleShape[i];
        // Detached: these live as long as the replica, even when allocated inside a batch's scope.
        var labels = zeros(new[] { shape[0] }, ScalarType.Int64).DetachFromDisposeScope();
        if (!ChannelsLast)
        {
            var inputs = zeros(shape, ScalarType.Float32).DetachFromDisposeScope();
            return (inputs, inputs, labels);
        }
        var nhwc = zeros(new[] { shape[0], shape[2], shape[3], shape[1] }, ScalarType.Float32).DetachFromDisposeScope();
        return (nhwc.permute(0, 3, 1, 2).DetachFromDisposeScope(), nhwc, labels);
    }

    private void DisposeBatch()
    {
        if (!ReferenceEquals(_inputs, _inputsMemory)) _inputsMemory.Dispose();
        _inputs.Dispose();
        _labels.Dispose();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _momentum.Dispose();
        _anchor.Dispose();
        foreach (var t in _staging) t?.Dispose();
        DisposeViews();
        DisposeBatch();
        Module.Dispose();
        _gradients.Dispose();
        _weights.Dispose();
    }
}
