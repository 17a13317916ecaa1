namespace FedActors.Training.Data;

/// <summary>
/// An in-memory labeled dataset: features are row-major float32, <see cref="Count"/> rows of
/// <see cref="FeatureSize"/> values each, already normalized for training.
/// </summary>
/// <remarks>
/// Client datasets never copy these arrays: a client sees the pooled dataset through an index list
/// (its partition), so a population of any size costs only its indices.
/// </remarks>
public sealed class LabeledDataset
{
    /// <summary>Creates a dataset and checks that the arrays agree with the sample shape.</summary>
    /// <param name="name">Human-readable name, e.g. <c>fashion-mnist/train</c>.</param>
    /// <param name="features">Row-major features, <c>labels.Length × product(sampleShape)</c> values.</param>
    /// <param name="labels">Class index of every sample, each in <c>[0, numClasses)</c>.</param>
    /// <param name="sampleShape">Shape of one sample, e.g. <c>[1, 28, 28]</c> for images or <c>[60]</c> for vectors.</param>
    /// <param name="numClasses">Number of classes.</param>
    public LabeledDataset(string name, float[] features, int[] labels, int[] sampleShape, int numClasses)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(sampleShape);
        if (sampleShape.Length == 0 || sampleShape.Any(d => d <= 0))
            throw new ArgumentException($"sample shape must have positive dimensions, got [{string.Join(", ", sampleShape)}]", nameof(sampleShape));
        if (numClasses < 1)
            throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, "need at least one class");
        int featureSize = sampleShape.Aggregate(1, (a, b) => checked(a * b));
        if (features.LongLength != (long)labels.Length * featureSize)
            throw new ArgumentException(
                $"{name}: {features.LongLength} feature values do not match {labels.Length} samples × {featureSize} features");
        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)numClasses)
                throw new ArgumentException($"{name}: label {labels[i]} of sample {i} is outside [0, {numClasses})");
        }

        Name = name;
        Features = features;
        Labels = labels;
        SampleShape = sampleShape;
        NumClasses = numClasses;
        FeatureSize = featureSize;
    }

    /// <summary>Human-readable name, e.g. <c>fashion-mnist/train</c>.</summary>
    public string Name { get; }

    /// <summary>Row-major features; treat as read-only (shared by every client that views this dataset).</summary>
    public float[] Features { get; }

    /// <summary>Class index of each sample; treat as read-only.</summary>
    public int[] Labels { get; }

    /// <summary>Shape of one sample (without the batch dimension).</summary>
    public int[] SampleShape { get; }

    /// <summary>Number of classes.</summary>
    public int NumClasses { get; }

    /// <summary>Values per sample: the product of <see cref="SampleShape"/>.</summary>
    public int FeatureSize { get; }

    /// <summary>Number of samples.</summary>
    public int Count => Labels.Length;

    /// <summary>The features of sample <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> Sample(int index) => Features.AsSpan(index * FeatureSize, FeatureSize);
}
