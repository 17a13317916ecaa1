using FedActors.Training.Data;

namespace FedActors.Training.Tests.Data;

public sealed class IdxDatasetSpecTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ForName_must_list_the_known_names_for_an_unknown_one()
    {
        var e = Assert.Throws<ArgumentException>(() => IdxDatasetSpec.ForName("cifar10"));

        Assert.Contains("'cifar10'", e.Message);
        Assert.Contains("fashion-mnist, mnist", e.Message);
    }

    [Fact]
    public void ForName_must_describe_where_each_dataset_comes_from()
    {
        var fashion = IdxDatasetSpec.ForName("fashion-mnist");
        var mnist = IdxDatasetSpec.ForName("mnist");

        Assert.Equal("dataset-fashion-mnist", fashion.DebianPackage);
        Assert.Equal("/usr/share/datasets/fashion-mnist", fashion.DebianDir);
        Assert.Equal("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/", fashion.DownloadBase!.ToString());
        Assert.All(fashion.Files, f => Assert.Matches("^[0-9a-f]{64}$", f.ContentSha256!));
        Assert.Null(mnist.DebianPackage);
        Assert.Equal("https://ossci-datasets.s3.amazonaws.com/mnist/", mnist.DownloadBase!.ToString());
        Assert.Equal(
            new[] { "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz" },
            mnist.Files.Select(f => f.FileName));
    }

    [Fact]
    public void Load_must_scale_pixels_to_unit_range_with_image_shape_and_names()
    {
        IdxFiles.WriteTiny(_dir.Path);
        var spec = IdxFiles.TinySpec(null);

        var (train, test) = spec.Load(_dir.Path);

        Assert.Equal("tiny/train", train.Name);
        Assert.Equal("tiny/test", test.Name);
        Assert.Equal(new[] { 1, 2, 2 }, train.SampleShape);
        Assert.Equal(10, train.NumClasses);
        Assert.Equal(new[] { 0, 9, 3, 3 }, train.Labels);
        Assert.Equal(new[] { 5, 1 }, test.Labels);
        // Sample 1 pixels are 7, 8, 9, 10 (see IdxFiles.Images).
        Assert.Equal(new[] { 7 / 255f, 8 / 255f, 9 / 255f, 10 / 255f }, train.Sample(1).ToArray());
    }

    [Fact(DisplayName = "LoadTest must give Load's test split without reading the training files")]
    public void LoadTest_must_not_read_the_training_files()
    {
        IdxFiles.WriteTiny(_dir.Path);
        var spec = IdxFiles.TinySpec(null);
        var (_, expected) = spec.Load(_dir.Path);
        // Training files that cannot be read: Load fails on them, LoadTest never opens them.
        File.WriteAllBytes(_dir.Sub("train-images-idx3-ubyte.gz"), [1, 2, 3]);
        Assert.ThrowsAny<Exception>(() => spec.Load(_dir.Path));

        var test = spec.LoadTest(_dir.Path);

        Assert.Equal(expected.Name, test.Name);
        Assert.Equal(expected.Labels, test.Labels);
        Assert.Equal(expected.Features, test.Features);
        Assert.Equal(expected.SampleShape, test.SampleShape);
    }

    [Fact]
    public void Load_must_accept_uncompressed_file_names()
    {
        foreach (var (name, content) in IdxFiles.TinyDataset())
            File.WriteAllBytes(_dir.Sub(name), content);

        var (train, test) = IdxFiles.TinySpec(null).Load(_dir.Path);

        Assert.Equal(4, train.Count);
        Assert.Equal(2, test.Count);
    }

    [Fact]
    public void Load_must_reject_labels_outside_the_class_range_naming_the_file()
    {
        IdxFiles.WriteTiny(_dir.Path);
        var labels = _dir.Sub("t10k-labels-idx1-ubyte.gz");
        File.WriteAllBytes(labels, IdxFiles.Gzip(IdxFiles.Labels(5, 10)));

        var e = Assert.Throws<DatasetFormatException>(() => IdxFiles.TinySpec(null).Load(_dir.Path));

        Assert.Contains(labels, e.Message);
        Assert.Contains("label 10 of sample 1 is outside [0, 10)", e.Message);
    }

    [Fact]
    public void Load_must_name_a_missing_file()
    {
        IdxFiles.WriteTiny(_dir.Path);
        File.Delete(_dir.Sub("train-labels-idx1-ubyte.gz"));

        var e = Assert.Throws<FileNotFoundException>(() => IdxFiles.TinySpec(null).Load(_dir.Path));

        Assert.Contains("train-labels-idx1-ubyte.gz", e.Message);
    }
}
