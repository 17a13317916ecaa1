namespace FedActors.Host.Tests.Monitoring;

/// <summary>A run that cannot start says why and leaves no run directory behind; a named data directory is never bypassed.</summary>
public sealed class FailedStartSpecs
{
    [Fact]
    public async Task A_missing_data_dir_must_be_an_error_naming_it_and_leave_no_run_directory()
    {
        using var dir = new TempDir();
        var missing = Path.Combine(dir.Path, "no-such-data");

        var (code, _, err) = await CommandRunner.RunAsync(dir.Path, "run", "--data-dir", missing, "--plain");

        Assert.Equal(1, code);
        Assert.Contains($"the configured data directory {missing}", err);
        Assert.Contains("no such directory", err);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "runs")) && Directory.EnumerateFileSystemEntries(Path.Combine(dir.Path, "runs")).Any(),
            "a run that failed before it started left a directory under runs/");
    }

    [Fact]
    public async Task A_data_dir_of_random_bytes_must_be_an_error_even_when_the_dataset_is_found_elsewhere()
    {
        using var dir = new TempDir();
        var data = Directory.CreateDirectory(Path.Combine(dir.Path, "junk")).FullName;
        var random = new Random(3);
        foreach (var name in new[] { "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz" })
        {
            var bytes = new byte[4096];
            random.NextBytes(bytes);
            File.WriteAllBytes(Path.Combine(data, name), bytes);
        }
        var outDir = Path.Combine(dir.Path, "out");

        var (code, _, err) = await CommandRunner.RunAsync(dir.Path, "run", "--data-dir", data, "--out", outDir, "--plain");

        Assert.Equal(1, code);
        Assert.Contains($"the configured data directory {data}", err);
        Assert.False(Directory.Exists(outDir), "the --out directory this run created was left behind");
    }

    [Fact]
    public async Task A_failed_start_in_an_existing_directory_must_remove_only_what_it_wrote()
    {
        using var dir = new TempDir();
        var outDir = Directory.CreateDirectory(Path.Combine(dir.Path, "mine")).FullName;
        File.WriteAllText(Path.Combine(outDir, "notes.txt"), "the user's own file");

        var (code, _, _) = await CommandRunner.RunAsync(dir.Path, "run", "--data-dir", Path.Combine(dir.Path, "none"), "--out", outDir, "--plain");

        Assert.Equal(1, code);
        Assert.Equal(["notes.txt"], Directory.EnumerateFileSystemEntries(outDir).Select(Path.GetFileName));
    }
}
