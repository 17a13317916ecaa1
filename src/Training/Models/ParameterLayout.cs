using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace FedActors.Training.Models;

/// <summary>One parameter tensor's place in the flat weight vector.</summary>
/// <param name="Name">Parameter name, e.g. <c>_conv1.weight</c>.</param>
/// <param name="Shape">Tensor shape.</param>
/// <param name="Offset">Index of its first value in the flat vector.</param>
/// <param name="Count">Number of values.</param>
public sealed record ParameterSlice(string Name, long[] Shape, int Offset, int Count);

/// <summary>
/// The model-defined layout of weights as one flat float32 vector: parameters in registration order,
/// each row-major. Weights and updates travel and are aggregated in this form.
/// </summary>
public sealed class ParameterLayout
{
    private ParameterLayout(IReadOnlyList<ParameterSlice> slices, int total)
    {
        Slices = slices;
        TotalCount = total;
    }

    /// <summary>Every parameter's slice, in order.</summary>
    public IReadOnlyList<ParameterSlice> Slices { get; }

    /// <summary>Length of the flat vector.</summary>
    public int TotalCount { get; }

    /// <summary>The layout of <paramref name="module"/>'s trainable parameters.</summary>
    public static ParameterLayout Of(nn.Module module)
    {
        var slices = new List<ParameterSlice>();
        int offset = 0;
        foreach (var (name, p) in module.named_parameters())
        {
            int count = checked((int)p.numel());
            slices.Add(new ParameterSlice(name, p.shape, offset, count));
            offset = checked(offset + count);
        }
        return new ParameterLayout(slices, offset);
    }

    /// <summary>The layout of model <paramref name="model"/> for samples of <paramref name="sampleShape"/> and <paramref name="classes"/> classes.</summary>
    public static ParameterLayout For(string model, IReadOnlyList<int> sampleShape, int classes)
    {
        using var module = ModelCatalog.Create(model, sampleShape, classes);
        return Of(module);
    }

    /// <summary>Each parameter tensor's value count, in layout order.</summary>
    public int[] Counts => Slices.Select(s => s.Count).ToArray();

    /// <summary>True when <paramref name="other"/> has the same names, shapes and offsets.</summary>
    public bool SameAs(ParameterLayout other) =>
        TotalCount == other.TotalCount && Slices.Count == other.Slices.Count &&
        Slices.Zip(other.Slices).All(p => p.First.Name == p.Second.Name && p.First.Shape.SequenceEqual(p.Second.Shape));
}

/// <summary>
/// Moves weights between a module's parameter tensors and flat vectors. Copies go through each
/// tensor's memory as a byte span (no per-element calls into native code).
/// </summary>
public static class FlatWeights
{
    /// <summary>Copies the parameters of <paramref name="parameters"/> into <paramref name="destination"/>.</summary>
    public static void Read(IReadOnlyList<Tensor> parameters, Span<float> destination)
    {
        int offset = 0;
        foreach (var p in parameters)
        {
            var src = MemoryMarshal.Cast<byte, float>(p.bytes);
            src.CopyTo(destination.Slice(offset, src.Length));
            offset += src.Length;
        }
        if (offset != destination.Length)
            throw new ArgumentException($"flat vector has {destination.Length} values, the parameters {offset}", nameof(destination));
    }

    /// <summary>Overwrites the parameters of <paramref name="parameters"/> with <paramref name="source"/>.</summary>
    public static void Write(IReadOnlyList<Tensor> parameters, ReadOnlySpan<float> source)
    {
        int total = 0;
        foreach (var p in parameters) total += (int)p.numel();
        if (total != source.Length)
            throw new ArgumentException($"flat vector has {source.Length} values, the model needs {total}", nameof(source));
        int offset = 0;
        foreach (var p in parameters)
        {
            // Writing through the span bypasses autograd, which is what we want for loading weights.
            var dst = MemoryMarshal.Cast<byte, float>(p.bytes);
            source.Slice(offset, dst.Length).CopyTo(dst);
            offset += dst.Length;
        }
    }
}
