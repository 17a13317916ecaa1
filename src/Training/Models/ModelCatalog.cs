using TorchSharp;
using static TorchSharp.torch;

namespace FedActors.Training.Models;

/// <summary>What a model name stands for: its architecture, size and cost.</summary>
/// <param name="Name">The config name (<c>fedactors.model.name</c>).</param>
/// <param name="ParameterCount">Number of trainable float32 parameters.</param>
/// <param name="ForwardMacsPerSample">Multiply-accumulates of one forward pass for one sample.</param>
public sealed record ModelDescription(string Name, long ParameterCount, long ForwardMacsPerSample)
{
    /// <summary>
    /// FLOPs of one training step for one sample: forward plus backward, with the usual estimate that
    /// the backward pass costs twice the forward one, and two FLOPs per multiply-accumulate.
    /// </summary>
    public double TrainFlopsPerSample => 3.0 * 2.0 * ForwardMacsPerSample;

    /// <summary>FLOPs of one forward pass for one sample.</summary>
    public double ForwardFlopsPerSample => 2.0 * ForwardMacsPerSample;
}

/// <summary>Builds the models FedActors knows by name (<c>fedactors.model.name</c>).</summary>
public static class ModelCatalog
{
    /// <summary>The valid model names.</summary>
    public static IReadOnlyList<string> Names { get; } = new[] { "logreg", "mlp", "simple-cnn", "cnn" };

    /// <summary>Creates a fresh module (PyTorch default initialization) for samples of <paramref name="sampleShape"/>.</summary>
    /// <exception cref="ArgumentException">Unknown name, or a shape the architecture cannot take.</exception>
    public static nn.Module<Tensor, Tensor> Create(string name, IReadOnlyList<int> sampleShape, int classes)
    {
        int inputs = CheckShape(name, sampleShape);
        return name switch
        {
            "logreg" => new LogisticRegression(inputs, classes),
            "mlp" => new TwoLayerPerceptron(inputs, classes),
            "simple-cnn" => new SimpleCnn(sampleShape[0], classes),
            "cnn" => new McMahanCnn(sampleShape[0], classes),
            _ => throw UnknownName(name),
        };
    }

    /// <summary>Parameter count and compute cost of <paramref name="name"/> on samples of <paramref name="sampleShape"/>.</summary>
    public static ModelDescription Describe(string name, IReadOnlyList<int> sampleShape, int classes)
    {
        long inputs = CheckShape(name, sampleShape);
        long c = sampleShape[0];
        return name switch
        {
            "logreg" => new ModelDescription(name, inputs * classes + classes, inputs * classes),
            "mlp" => new ModelDescription(name,
                inputs * 200 + 200 + 200 * 200 + 200 + 200 * classes + classes,
                inputs * 200 + 200 * 200 + 200 * classes),
            "simple-cnn" => new ModelDescription(name,
                (6 * c * 25 + 6) + (16 * 6 * 25 + 16) + (256 * 120 + 120) + (120 * 84 + 84) + (84 * classes + classes),
                24 * 24 * 6 * c * 25 + 8 * 8 * 16 * 6 * 25 + 256 * 120 + 120 * 84 + 84 * classes),
            "cnn" => new ModelDescription(name,
                (32 * c * 25 + 32) + (64 * 32 * 25 + 64) + (3136 * 512 + 512) + (512 * classes + classes),
                28 * 28 * 32 * c * 25 + 14 * 14 * 64 * 32 * 25 + 3136 * 512 + 512 * classes),
            _ => throw UnknownName(name),
        };
    }

    private static int CheckShape(string name, IReadOnlyList<int> shape)
    {
        if (!Names.Contains(name)) throw UnknownName(name);
        bool image28 = shape.Count == 3 && shape[1] == 28 && shape[2] == 28;
        if ((name == "simple-cnn" || name == "cnn") && !image28)
        {
            throw new ArgumentException(
                $"model '{name}' needs 28×28 image samples [channels, 28, 28], but the dataset's samples have shape [{string.Join(", ", shape)}]; use logreg or mlp for vector data");
        }
        return shape.Aggregate(1, (a, b) => a * b);
    }

    private static ArgumentException UnknownName(string name) =>
        new($"fedactors.model.name: unknown '{name}', valid values are {string.Join(", ", Names)}");
}
