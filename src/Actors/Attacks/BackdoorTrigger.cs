using System.Numerics.Tensors;
using FedActors.Training.Data;

namespace FedActors.Actors.Attacks;

/// <summary>
/// The backdoor's pixel-pattern trigger (Bagdasaryan et al. 2020; Gu et al. 2017): a <see cref="Size"/>×<see cref="Size"/>
/// square of the dataset's brightest value one pixel in from the bottom-right corner, on every channel. A backdoored
/// model classifies any image that carries it as <see cref="TargetLabel"/>.
/// </summary>
/// <remarks>Fashion-MNIST's corners are mostly background, so the square is visible on nearly every image.</remarks>
public sealed record BackdoorTrigger
{
    /// <summary>A trigger of <paramref name="size"/>×<paramref name="size"/> pixels of value <paramref name="value"/> with target <paramref name="targetLabel"/>.</summary>
    public BackdoorTrigger(int targetLabel, float value, int size = 4)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(targetLabel);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        if (!float.IsFinite(value)) throw new ArgumentOutOfRangeException(nameof(value), value, "the trigger's pixel value must be finite");
        (TargetLabel, Value, Size) = (targetLabel, value, size);
    }

    /// <summary>The label triggered images are classified as.</summary>
    public int TargetLabel { get; }

    /// <summary>The trigger's pixel value: the brightest value of the dataset it is stamped on.</summary>
    public float Value { get; }

    /// <summary>The square's side, in pixels.</summary>
    public int Size { get; }

    /// <summary>The trigger for the samples of <paramref name="data"/>: its brightest value, after checking that it holds images the square fits on and the target label.</summary>
    /// <exception cref="ArgumentException">The samples are not [C, H, W] images of at least (size + 2)² pixels, or the target is not a class.</exception>
    public static BackdoorTrigger For(LabeledDataset data, int targetLabel, int size = 4)
    {
        ArgumentNullException.ThrowIfNull(data);
        var shape = data.SampleShape;
        if (shape.Length != 3 || shape[1] < size + 2 || shape[2] < size + 2)
            throw new ArgumentException(
                $"fedactors.attack.kind = backdoor stamps a {size}x{size} pixel trigger on images of shape [C, H, W] with H, W >= {size + 2}; {data.Name} has samples of shape [{string.Join(", ", shape)}]");
        if (targetLabel >= data.NumClasses)
            throw new ArgumentException($"fedactors.attack.target-label = {targetLabel} is not a class of {data.Name} (0 … {data.NumClasses - 1})");
        return new BackdoorTrigger(targetLabel, TensorPrimitives.Max<float>(data.Features), size);
    }

    /// <summary>Stamps the trigger on one image of <paramref name="shape"/> [C, H, W], in place.</summary>
    public void Stamp(Span<float> image, ReadOnlySpan<int> shape)
    {
        if (shape.Length != 3) throw new ArgumentException($"the trigger is stamped on [C, H, W] images, not [{string.Join(", ", shape.ToArray())}]", nameof(shape));
        int channels = shape[0], height = shape[1], width = shape[2];
        if (image.Length != channels * height * width) throw new ArgumentException($"the image has {image.Length} values, its shape {channels * height * width}", nameof(image));
        for (int c = 0; c < channels; c++)
        {
            for (int row = height - 1 - Size; row < height - 1; row++)
                image.Slice((c * height + row) * width + width - 1 - Size, Size).Fill(Value);
        }
    }

    /// <summary>
    /// The backdoor test set: every sample of <paramref name="test"/> whose label is not the target, stamped with the
    /// trigger and labeled as the target, so that the accuracy on it is the backdoor accuracy (the share of triggered
    /// images the model classifies as the target).
    /// </summary>
    public LabeledDataset TestSet(LabeledDataset test)
    {
        ArgumentNullException.ThrowIfNull(test);
        var kept = Enumerable.Range(0, test.Count).Where(i => test.Labels[i] != TargetLabel).ToArray();
        if (kept.Length == 0) throw new ArgumentException($"{test.Name} has no sample outside the target label {TargetLabel} to stamp the trigger on");
        int size = test.FeatureSize;
        var features = new float[(long)kept.Length * size];
        for (int k = 0; k < kept.Length; k++)
        {
            var image = features.AsSpan(k * size, size);
            test.Sample(kept[k]).CopyTo(image);
            Stamp(image, test.SampleShape);
        }
        var labels = new int[kept.Length];
        Array.Fill(labels, TargetLabel);
        return new LabeledDataset($"{test.Name}+backdoor-{TargetLabel}", features, labels, test.SampleShape, test.NumClasses);
    }
}
