using FedActors.Training.Data;

namespace FedActors.Training.Tests.Data;

public sealed class DatasetAcquisitionTests : IDisposable
{
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    /// <summary>Options that can see nothing of this machine: empty cache and system roots, no environment, no apt.</summary>
    private DatasetAcquisitionOptions Isolated(IdxDatasetSpec? spec = null, Dictionary<string, string>? env = null) => new()
    {
        DatasetName = spec?.Name ?? "fashion-mnist",
        Spec = spec,
        CacheDir = _tmp.Sub("cache"),
        SystemDatasetsRoot = _tmp.Sub("system"),
        GetEnvironmentVariable = name => env is not null && env.TryGetValue(name, out var v) ? v : null,
        AllowDownload = false,
        AllowApt = false,
    };

    private static Dictionary<string, byte[]> GzipFiles() =>
        IdxFiles.TinyDataset().ToDictionary(kv => kv.Key + ".gz", kv => IdxFiles.Gzip(kv.Value));

    [Fact]
    public async Task Configured_dir_must_win_over_the_environment_and_the_cache()
    {
        string configured = IdxFiles.WriteTiny(_tmp.Sub("configured"));
        IdxFiles.WriteTiny(_tmp.Sub("env"));
        IdxFiles.WriteTiny(_tmp.Sub("cache/tiny"));
        var options = Isolated(IdxFiles.TinySpec(null), new() { ["FEDACTORS_DATA"] = _tmp.Sub("env") }) with { ConfiguredDir = configured };

        Assert.Equal(configured, await DatasetAcquisition.LocateAsync(options));
    }

    [Fact]
    public async Task Environment_variable_may_name_the_parent_of_the_dataset_dir()
    {
        string dataset = IdxFiles.WriteTiny(_tmp.Sub("data/tiny"));
        IdxFiles.WriteTiny(_tmp.Sub("cache/tiny"));
        var options = Isolated(IdxFiles.TinySpec(null), new() { ["FEDACTORS_DATA"] = _tmp.Sub("data") });

        Assert.Equal(dataset, await DatasetAcquisition.LocateAsync(options));
    }

    [Fact]
    public async Task Environment_variable_may_name_the_dataset_dir_itself()
    {
        string dataset = IdxFiles.WriteTiny(_tmp.Sub("mydata"));
        var options = Isolated(IdxFiles.TinySpec(null), new() { ["FEDACTORS_DATA"] = dataset });

        Assert.Equal(dataset, await DatasetAcquisition.LocateAsync(options));
    }

    [Fact]
    public async Task An_unusable_environment_dir_must_be_an_error_naming_both_places_looked_at()
    {
        string root = IdxFiles.WriteTiny(_tmp.Sub("env"));
        File.Delete(Path.Combine(root, "t10k-labels-idx1-ubyte.gz"));
        var options = Isolated(IdxFiles.TinySpec(null), new() { ["FEDACTORS_DATA"] = root });

        var e = await Assert.ThrowsAsync<DatasetUnavailableException>(() => DatasetAcquisition.LocateAsync(options));

        Assert.Contains($"the data directory {root} named by $FEDACTORS_DATA cannot be used: {root}: missing t10k-labels-idx1-ubyte.gz; {root}/tiny: no such directory", e.Message);
    }

    [Fact]
    public async Task A_named_dir_that_does_not_exist_must_be_an_error_even_when_the_cache_holds_the_dataset()
    {
        IdxFiles.WriteTiny(_tmp.Sub("cache/tiny"));
        string missing = _tmp.Sub("nowhere");
        var options = Isolated(IdxFiles.TinySpec(null)) with { ConfiguredDir = missing };

        var e = await Assert.ThrowsAsync<DatasetUnavailableException>(() => DatasetAcquisition.LocateAsync(options));

        Assert.Contains($"the configured data directory {missing} (--data-dir / fedactors.data.dir) cannot be used: no such directory", e.Message);
        Assert.Single(e.Attempts);
    }

    [Fact]
    public async Task A_configured_dir_with_a_foreign_file_must_be_an_error_naming_the_file_not_a_fall_back_to_the_cache()
    {
        string configured = IdxFiles.WriteTiny(_tmp.Sub("configured"));
        File.WriteAllBytes(Path.Combine(configured, "t10k-images-idx3-ubyte.gz"), [0x89, 0x50, 0x4E, 0x47, 1, 2, 3, 4]);
        IdxFiles.WriteTiny(_tmp.Sub("cache/tiny"));
        var options = Isolated(IdxFiles.TinySpec(null)) with { ConfiguredDir = configured };

        var e = await Assert.ThrowsAsync<DatasetUnavailableException>(() => DatasetAcquisition.LocateAsync(options));

        Assert.Contains($"the configured data directory {configured}", e.Message);
        Assert.Contains("t10k-images-idx3-ubyte.gz", e.Message);
        Assert.Contains("magic 0x89504E47", e.Message);
        Assert.DoesNotContain(e.Attempts, a => a.Source.StartsWith("user cache", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Missing_everything_with_downloads_disabled_must_list_every_attempt_and_the_fixes()
    {
        var options = Isolated();

        var e = await Assert.ThrowsAsync<DatasetUnavailableException>(() => DatasetAcquisition.LocateAsync(options));

        Assert.Equal(6, e.Attempts.Count);
        Assert.All(e.Attempts, a => Assert.False(a.Succeeded));
        string m = e.Message;
        Assert.Contains("1. configured dir (--data-dir / fedactors.data.dir): not set", m);
        Assert.Contains("2. $FEDACTORS_DATA: not set", m);
        Assert.Contains($"3. user cache {_tmp.Sub("cache/fashion-mnist")}: no such directory", m);
        Assert.Contains($"4. Debian package dir {_tmp.Sub("system/fashion-mnist")}: no such directory", m);
        Assert.Contains("5. HTTP download from http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/: disabled", m);
        Assert.Contains("6. apt-get download dataset-fashion-mnist: disabled", m);
        Assert.Contains("--data-dir DIR", m);
        Assert.Contains("--set fedactors.data.dir=DIR", m);
        Assert.Contains("export FEDACTORS_DATA=DIR", m);
        Assert.Contains("sudo apt-get install dataset-fashion-mnist", m);
        Assert.Contains("--set fedactors.data.allow-download=true", m);
    }

    [Fact]
    public async Task Download_must_land_verified_files_in_the_cache_that_then_load()
    {
        using var server = new LocalHttpServer(GzipFiles());
        using var http = new HttpClient();
        var options = Isolated(IdxFiles.TinySpec(server.BaseUri)) with { AllowDownload = true, HttpClient = http };

        string dir = await DatasetAcquisition.LocateAsync(options);

        Assert.Equal(_tmp.Sub("cache/tiny"), dir);
        Assert.Equal(4, server.Requests.Count);
        Assert.Equal(GzipFiles().Keys.Order(), Directory.GetFiles(dir).Select(Path.GetFileName).Order()); // no .part left
        var (train, test) = IdxFiles.TinySpec(null).Load(dir);
        Assert.Equal(new[] { 0, 9, 3, 3 }, train.Labels);
        Assert.Equal(2, test.Count);

        // A second run finds the cache and downloads nothing.
        Assert.Equal(dir, await DatasetAcquisition.LocateAsync(options));
        Assert.Equal(4, server.Requests.Count);
    }

    [Fact]
    public async Task A_corrupted_download_must_be_rejected_and_not_left_in_the_cache()
    {
        var files = GzipFiles();
        files["train-labels-idx1-ubyte.gz"] = IdxFiles.Gzip(IdxFiles.Labels(0, 9, 3, 4)); // valid IDX, wrong content
        using var server = new LocalHttpServer(files);
        using var http = new HttpClient();
        var options = Isolated(IdxFiles.TinySpec(server.BaseUri)) with { AllowDownload = true, HttpClient = http };

        var e = await Assert.ThrowsAsync<DatasetUnavailableException>(() => DatasetAcquisition.LocateAsync(options));

        Assert.Contains("train-labels-idx1-ubyte.gz: checksum mismatch", e.Message);
        Assert.Contains(IdxFiles.Sha256(IdxFiles.TinyDataset()["train-labels-idx1-ubyte"]), e.Message); // the expected hash
        string cache = _tmp.Sub("cache/tiny");
        Assert.False(File.Exists(Path.Combine(cache, "train-labels-idx1-ubyte.gz")));
        Assert.DoesNotContain(Directory.GetFiles(cache), f => f.EndsWith(".part"));
    }

    [Fact]
    public async Task A_missing_remote_file_must_be_reported_with_its_HTTP_status()
    {
        var files = GzipFiles();
        files.Remove("t10k-images-idx3-ubyte.gz");
        using var server = new LocalHttpServer(files);
        using var http = new HttpClient();
        var options = Isolated(IdxFiles.TinySpec(server.BaseUri)) with { AllowDownload = true, HttpClient = http };

        var e = await Assert.ThrowsAsync<DatasetUnavailableException>(() => DatasetAcquisition.LocateAsync(options));

        Assert.Contains($"t10k-images-idx3-ubyte.gz: HTTP 404 Not Found from {server.BaseUri}t10k-images-idx3-ubyte.gz", e.Message);
    }

    [Fact]
    public async Task Without_known_hashes_a_download_must_pass_strict_IDX_validation()
    {
        var files = GzipFiles();
        files["train-images-idx3-ubyte.gz"] = IdxFiles.Gzip(IdxFiles.Images(4, 2, 2)[..^3]);
        using var server = new LocalHttpServer(files);
        using var http = new HttpClient();
        var spec = IdxFiles.TinySpec(server.BaseUri);
        spec = spec with
        {
            TrainImages = spec.TrainImages with { ContentSha256 = null },
            TrainLabels = spec.TrainLabels with { ContentSha256 = null },
        };
        var options = Isolated(spec) with { AllowDownload = true, HttpClient = http };

        var e = await Assert.ThrowsAsync<DatasetUnavailableException>(() => DatasetAcquisition.LocateAsync(options));

        Assert.Contains("train-images-idx3-ubyte.gz: truncated", e.Message);
        Assert.DoesNotContain("train-labels-idx1-ubyte.gz:", e.Message);
    }

    /// <summary>
    /// Fashion-MNIST found the way a run finds it (no directory named): the Debian package directory when installed,
    /// else the user cache, else fetched into it. A fresh machine needs nothing done first.
    /// </summary>
    private static Task<string> RealFashionMnistAsync() => DatasetAcquisition.LocateAsync(new DatasetAcquisitionOptions
    {
        DatasetName = "fashion-mnist",
        GetEnvironmentVariable = name => name == DatasetAcquisitionOptions.DataDirVariable ? null : Environment.GetEnvironmentVariable(name),
    });

    [Fact]
    public async Task Real_FashionMnist_must_load_through_the_acquisition_chain_runs_use()
    {
        string dir = await RealFashionMnistAsync();
        var (train, test) = IdxDatasetSpec.FashionMnist.Load(dir);

        Assert.Equal(60_000, train.Count);
        Assert.Equal(10_000, test.Count);
        Assert.Equal(new[] { 1, 28, 28 }, train.SampleShape);
        Assert.All(train.Labels.CountBy(l => l), kv => Assert.Equal(6000, kv.Value));
        Assert.All(test.Labels.CountBy(l => l), kv => Assert.Equal(1000, kv.Value));
        Assert.Equal(Enumerable.Range(0, 10), train.Labels.Distinct().Order());
        Assert.InRange(train.Features.Min(), 0f, 0f);
        Assert.InRange(train.Features.Max(), 1f, 1f);
    }

    [Fact]
    public async Task Recorded_FashionMnist_pixel_statistics_must_be_those_of_its_training_images()
    {
        string dir = await RealFashionMnistAsync();
        var (train, _) = IdxDatasetSpec.FashionMnist.Load(dir);

        var measured = PixelNormalization.Measure(train.Features);
        var recorded = IdxDatasetSpec.FashionMnist.TrainPixelStatistics!.Value;
        Assert.Equal(0.2860406, measured.Mean, 6);
        Assert.Equal(0.3530242, measured.StdDev, 6);
        Assert.Equal(measured.Mean, recorded.Mean, 6);
        Assert.Equal(measured.StdDev, recorded.StdDev, 6);
    }

    [Fact]
    public async Task Normalized_FashionMnist_must_standardize_the_training_set_and_apply_the_same_map_to_the_test_set()
    {
        string dir = await RealFashionMnistAsync();
        var (rawTrain, rawTest) = IdxDatasetSpec.FashionMnist.Load(dir);
        var (train, test) = IdxDatasetSpec.FashionMnist.Load(dir, normalize: true);

        var standardized = PixelNormalization.Measure(train.Features);
        Assert.Equal(0, standardized.Mean, 5);
        Assert.Equal(1, standardized.StdDev, 5);
        // The test set is mapped with the training statistics, not its own: pixel p becomes (p − 0.2860406) / 0.3530242.
        for (int i = 0; i < rawTest.Features.Length; i += 997)
            Assert.Equal((rawTest.Features[i] - 0.2860406f) / 0.3530242f, test.Features[i], 5);
        Assert.Equal(-0.2860406f / 0.3530242f, test.Features.Min(), 5);
        Assert.Equal(rawTrain.Labels, train.Labels);
    }

    [Fact]
    public async Task Recorded_FashionMnist_hashes_must_match_the_decompressed_files_found()
    {
        string dir = await RealFashionMnistAsync();
        foreach (var file in IdxDatasetSpec.FashionMnist.Files)
        {
            await using var content = IdxReader.OpenContent(file.FindIn(dir)!);
            var hash = Convert.ToHexStringLower(await System.Security.Cryptography.SHA256.HashDataAsync(content));
            Assert.Equal(file.ContentSha256, hash);
        }
    }
}
