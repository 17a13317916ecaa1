namespace FedActors.Training.Data;

/// <summary>One file of an IDX dataset.</summary>
/// <param name="FileName">Name as published, e.g. <c>train-images-idx3-ubyte.gz</c>; the uncompressed name (without <c>.gz</c>) is accepted too.</param>
/// <param name="ContentSha256">
/// Lower-case hex SHA-256 of the <em>decompressed</em> IDX content, or null when unknown. The content hash is used
/// because repackaged copies (Debian's <c>dataset-fashion-mnist</c>) recompress with different gzip headers, so
/// hashes of the .gz bytes differ between equally valid copies.
/// </param>
public sealed record IdxFileSpec(string FileName, string? ContentSha256)
{
    /// <summary>The name without a trailing <c>.gz</c>.</summary>
    public string UncompressedName =>
        FileName.EndsWith(".gz", StringComparison.Ordinal) ? FileName[..^3] : FileName;

    /// <summary>The path of this file in <paramref name="dir"/> (gzip name first, then uncompressed), or null if neither exists.</summary>
    public string? FindIn(string dir)
    {
        foreach (var name in new[] { FileName, UncompressedName })
        {
            var path = Path.Combine(dir, name);
            if (File.Exists(path))
                return path;
        }
        return null;
    }
}

/// <summary>
/// What identifies an MNIST-style IDX dataset: its four files, where it is published, how it is packaged,
/// and how to load it.
/// </summary>
/// <remarks>
/// Tests build their own spec (a local base URL, hashes of small generated files) with <c>with</c>.
/// </remarks>
public sealed record IdxDatasetSpec
{
    /// <summary>Where Debian-style packages install datasets: <c>/usr/share/datasets/&lt;name&gt;</c>.</summary>
    public const string SystemDatasetsRoot = "/usr/share/datasets";

    /// <summary>Dataset name, e.g. <c>fashion-mnist</c>; also the name of its cache and system directories.</summary>
    public required string Name { get; init; }

    /// <summary>Training images (N × rows × columns, uint8).</summary>
    public required IdxFileSpec TrainImages { get; init; }

    /// <summary>Training labels (N, uint8).</summary>
    public required IdxFileSpec TrainLabels { get; init; }

    /// <summary>Test images.</summary>
    public required IdxFileSpec TestImages { get; init; }

    /// <summary>Test labels.</summary>
    public required IdxFileSpec TestLabels { get; init; }

    /// <summary>Official download location; each file is fetched from this base plus its <see cref="IdxFileSpec.FileName"/>. Null: no download.</summary>
    public Uri? DownloadBase { get; init; }

    /// <summary>Debian package that ships the files, or null when there is none.</summary>
    public string? DebianPackage { get; init; }

    /// <summary>Number of classes (labels must lie in <c>[0, NumClasses)</c>).</summary>
    public int NumClasses { get; init; } = 10;

    /// <summary>
    /// The mean and standard deviation of the training pixels scaled to [0, 1], which <c>normalize</c> loads use for both
    /// splits (as PyTorch code does with <c>transforms.Normalize</c>); null when unknown.
    /// </summary>
    public PixelNormalization? TrainPixelStatistics { get; init; }

    /// <summary>Directory into which <see cref="DebianPackage"/> installs the files.</summary>
    public string DebianDir => Path.Combine(SystemDatasetsRoot, Name);

    /// <summary>The four files, in the order train images, train labels, test images, test labels.</summary>
    public IReadOnlyList<IdxFileSpec> Files => [TrainImages, TrainLabels, TestImages, TestLabels];

    /// <summary>Each file with the IDX magic number it must carry.</summary>
    internal IEnumerable<(IdxFileSpec File, int Magic)> FilesWithMagic =>
    [
        (TrainImages, IdxReader.ImagesMagic), (TrainLabels, IdxReader.LabelsMagic),
        (TestImages, IdxReader.ImagesMagic), (TestLabels, IdxReader.LabelsMagic),
    ];

    /// <summary>Names accepted by <see cref="ForName"/>.</summary>
    public static IReadOnlyList<string> KnownNames { get; } = ["fashion-mnist", "mnist"];

    /// <summary>Fashion-MNIST (Xiao et al. 2017), 60,000 + 10,000 grayscale 28×28 images of 10 clothing classes.</summary>
    /// <remarks>Content hashes were computed from the decompressed files of Debian's <c>dataset-fashion-mnist</c>.</remarks>
    public static IdxDatasetSpec FashionMnist { get; } = new()
    {
        Name = "fashion-mnist",
        TrainImages = new("train-images-idx3-ubyte.gz", "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
        TrainLabels = new("train-labels-idx1-ubyte.gz", "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
        TestImages = new("t10k-images-idx3-ubyte.gz", "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
        TestLabels = new("t10k-labels-idx1-ubyte.gz", "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"),
        DownloadBase = new Uri("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"),
        DebianPackage = "dataset-fashion-mnist",
        // Measured from the training images (a test re-measures them): 0.2860406, 0.3530242.
        TrainPixelStatistics = new PixelNormalization(0.2860406f, 0.3530242f),
    };

    /// <summary>MNIST (LeCun et al.), 60,000 + 10,000 grayscale 28×28 digit images.</summary>
    /// <remarks>
    /// No content hashes are recorded (none could be verified from a trusted local copy), so downloaded MNIST
    /// files are accepted on strict IDX structural validation alone: magic, dimensions, exact payload length,
    /// no trailing data, matching image and label counts. No Debian package ships it.
    /// </remarks>
    public static IdxDatasetSpec Mnist { get; } = new()
    {
        Name = "mnist",
        TrainImages = new("train-images-idx3-ubyte.gz", null),
        TrainLabels = new("train-labels-idx1-ubyte.gz", null),
        TestImages = new("t10k-images-idx3-ubyte.gz", null),
        TestLabels = new("t10k-labels-idx1-ubyte.gz", null),
        DownloadBase = new Uri("https://ossci-datasets.s3.amazonaws.com/mnist/"),
        DebianPackage = null,
        // The constants of PyTorch's MNIST example (no verified copy is at hand to re-measure them).
        TrainPixelStatistics = new PixelNormalization(0.1307f, 0.3081f),
    };

    /// <summary>The spec of a known dataset.</summary>
    /// <exception cref="ArgumentException">The name is not one of <see cref="KnownNames"/>.</exception>
    public static IdxDatasetSpec ForName(string name) => name switch
    {
        "fashion-mnist" => FashionMnist,
        "mnist" => Mnist,
        _ => throw new ArgumentException(
            $"unknown IDX dataset '{name}'; known: {string.Join(", ", KnownNames)}", nameof(name)),
    };

    /// <summary>Paths of the four files in <paramref name="dir"/>, or null for each one missing.</summary>
    public string?[] FindFiles(string dir) => Files.Select(f => f.FindIn(dir)).ToArray();

    /// <summary>
    /// Loads the train and test splits from <paramref name="dir"/> (files raw or gzip), validating them strictly.
    /// </summary>
    /// <remarks>
    /// Features are the pixels scaled to [0, 1] as float32 (<c>pixel / 255f</c>), then standardized with
    /// <see cref="TrainPixelStatistics"/> when <paramref name="normalize"/> is set; sample shape
    /// <c>[1, rows, columns]</c> (<c>[1, 28, 28]</c> for the MNIST family); datasets are named
    /// <c>&lt;name&gt;/train</c> and <c>&lt;name&gt;/test</c>. Checksums are not verified here (acquisition does that).
    /// </remarks>
    /// <param name="dir">Directory holding the four files.</param>
    /// <param name="normalize">Standardize both splits with the training set's pixel statistics.</param>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    /// <exception cref="DatasetFormatException">A file is malformed, or labels are out of range.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="normalize"/> is set and the statistics are unknown.</exception>
    public (LabeledDataset Train, LabeledDataset Test) Load(string dir, bool normalize = false) =>
        (LoadSplit(dir, "train", TrainImages, TrainLabels, normalize), LoadSplit(dir, "test", TestImages, TestLabels, normalize));

    /// <summary>
    /// Loads the test split alone from <paramref name="dir"/>, as <see cref="Load"/> would (the training files are not
    /// read): for a process that evaluates but holds no training data.
    /// </summary>
    /// <exception cref="FileNotFoundException">A test file is missing.</exception>
    /// <exception cref="DatasetFormatException">A test file is malformed, or labels are out of range.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="normalize"/> is set and the statistics are unknown.</exception>
    public LabeledDataset LoadTest(string dir, bool normalize = false) => LoadSplit(dir, "test", TestImages, TestLabels, normalize);

    private LabeledDataset LoadSplit(string dir, string split, IdxFileSpec imagesFile, IdxFileSpec labelsFile, bool normalize)
    {
        // Checked first, so a run that cannot normalize fails before it reads 47 MB.
        var normalization = !normalize ? (PixelNormalization?)null
            : TrainPixelStatistics ?? throw new InvalidOperationException($"{Name}: no training pixel statistics are recorded, so it cannot be normalized");
        string imagesPath = imagesFile.FindIn(dir) ?? throw Missing(dir, imagesFile);
        string labelsPath = labelsFile.FindIn(dir) ?? throw Missing(dir, labelsFile);
        var (images, rawLabels) = IdxReader.ReadPair(imagesPath, labelsPath);

        var features = new float[images.Data.Length];
        for (int i = 0; i < features.Length; i++)
            features[i] = images.Data[i] / 255f;
        normalization?.Apply(features);
        var labels = new int[rawLabels.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            if (rawLabels[i] >= NumClasses)
                throw new DatasetFormatException(labelsPath, $"label {rawLabels[i]} of sample {i} is outside [0, {NumClasses})");
            labels[i] = rawLabels[i];
        }
        int[] shape = [1, images.Dimensions[1], images.Dimensions[2]];
        return new LabeledDataset($"{Name}/{split}", features, labels, shape, NumClasses);
    }

    private static FileNotFoundException Missing(string dir, IdxFileSpec file) =>
        new($"{dir}: neither {file.FileName} nor {file.UncompressedName} exists", Path.Combine(dir, file.FileName));
}
