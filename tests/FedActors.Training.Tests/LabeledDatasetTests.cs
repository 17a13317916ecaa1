using FedActors.Training.Data;

namespace FedActors.Training.Tests;

public class LabeledDatasetTests
{
    [Fact]
    public void LabeledDataset_must_reject_features_that_do_not_match_the_shape()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            new LabeledDataset("bad", new float[5], new[] { 0, 1 }, new[] { 3 }, 2));
        Assert.Contains("5 feature values do not match 2 samples × 3 features", e.Message);
    }

    [Fact]
    public void LabeledDataset_must_reject_labels_outside_the_class_range()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            new LabeledDataset("bad", new float[4], new[] { 0, 2 }, new[] { 2 }, 2));
        Assert.Contains("label 2 of sample 1 is outside [0, 2)", e.Message);
    }

    [Fact]
    public void Sample_must_view_the_row_of_that_sample()
    {
        var ds = new LabeledDataset("ok", new float[] { 1, 2, 3, 4, 5, 6 }, new[] { 0, 1, 1 }, new[] { 2 }, 2);
        Assert.Equal(new float[] { 3, 4 }, ds.Sample(1).ToArray());
    }
}
