using System.Numerics.Tensors;

namespace FedActors.Training.Data;

/// <summary>
/// Standardizes pixel features as torchvision's <c>Normalize(mean, std)</c> does: <c>(x − Mean) / StdDev</c>, with the
/// mean and standard deviation of the dataset's training pixels (already scaled to [0, 1]).
/// </summary>
/// <param name="Mean">Mean of every training pixel value, in [0, 1] units.</param>
/// <param name="StdDev">Population standard deviation of every training pixel value; positive.</param>
public readonly record struct PixelNormalization(float Mean, float StdDev)
{
    /// <summary>Standardizes <paramref name="features"/> in place.</summary>
    /// <exception cref="InvalidOperationException">The standard deviation is not positive and finite.</exception>
    public void Apply(Span<float> features)
    {
        if (!(StdDev > 0) || !float.IsFinite(StdDev) || !float.IsFinite(Mean))
            throw new InvalidOperationException($"pixel normalization needs a finite mean and a positive standard deviation, got mean {Mean}, std {StdDev}");
        TensorPrimitives.Subtract(features, Mean, features);
        TensorPrimitives.Multiply(features, 1f / StdDev, features);
    }

    /// <summary>
    /// The mean and population standard deviation of <paramref name="features"/> (every value of every sample), summed in
    /// double precision: how a dataset's constants are measured and checked.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="features"/> is empty.</exception>
    public static PixelNormalization Measure(ReadOnlySpan<float> features)
    {
        if (features.IsEmpty)
            throw new ArgumentException("cannot measure the statistics of no pixels", nameof(features));
        double sum = 0;
        foreach (float x in features)
            sum += x;
        double mean = sum / features.Length;
        double squares = 0;
        foreach (float x in features)
        {
            double d = x - mean;
            squares += d * d;
        }
        return new PixelNormalization((float)mean, (float)Math.Sqrt(squares / features.Length));
    }
}
