using FedActors.Training.Data;

namespace FedActors.Training.Tests.Data;

public class PixelNormalizationTests
{
    [Fact]
    public void Measure_gives_the_population_mean_and_standard_deviation()
    {
        // Mean 0.5; deviations ±0.5, ±0.25: variance (0.25 + 0.25 + 0.0625 + 0.0625) / 4 = 0.15625.
        var stats = PixelNormalization.Measure([0f, 1f, 0.25f, 0.75f]);
        Assert.Equal(0.5f, stats.Mean);
        Assert.Equal((float)Math.Sqrt(0.15625), stats.StdDev, 6);
    }

    [Fact]
    public void Apply_subtracts_the_mean_and_divides_by_the_standard_deviation()
    {
        float[] pixels = [0f, 0.5f, 1f, 0.25f, 0.75f];
        new PixelNormalization(0.25f, 0.5f).Apply(pixels);
        Assert.Equal([-0.5f, 0.5f, 1.5f, 0f, 1f], pixels);
    }

    [Fact]
    public void A_zero_or_non_finite_deviation_is_refused()
    {
        Assert.Contains("positive standard deviation", Assert.Throws<InvalidOperationException>(() => new PixelNormalization(0.5f, 0f).Apply(new float[3])).Message);
        Assert.Throws<InvalidOperationException>(() => new PixelNormalization(float.NaN, 1f).Apply(new float[3]));
        Assert.Throws<ArgumentException>(() => PixelNormalization.Measure([]));
    }

    [Fact]
    public void A_dataset_without_recorded_statistics_cannot_be_loaded_normalized()
    {
        var spec = IdxDatasetSpec.FashionMnist with { Name = "unknown", TrainPixelStatistics = null };
        var error = Assert.Throws<InvalidOperationException>(() => spec.Load(Path.GetTempPath(), normalize: true));
        Assert.Contains("unknown: no training pixel statistics", error.Message);
    }
}
