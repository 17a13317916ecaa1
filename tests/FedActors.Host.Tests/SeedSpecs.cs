using System.Text.Json;

namespace FedActors.Host.Tests;

/// <summary>The seed is a signed 64-bit integer from the config to the run to summary.json, read exactly.</summary>
public class SeedSpecs
{
    private static async Task<(long Seed, string Hash, string RunConf)> RunAsync(TempDir dir, string seed)
    {
        var outDir = "s" + seed.Replace('-', 'm');
        var (code, _, err) = await CommandRunner.RunAsync(dir.Path, "run", "--plain", "--out", outDir,
            "--set", "fedactors.data.dataset=synthetic", "--set", "fedactors.model.name=logreg", "--set", "fedactors.population.clients=20",
            "--set", "fedactors.run.max-server-steps=4", "--set", "fedactors.run.eval-every-steps=4", "--set", "fedactors.server.concurrency=4",
            "--set", "fedactors.server.buffer-size=2", "--set", "fedactors.persistence.provider=memory", "--set", "fedactors.client.local-steps=2",
            "--set", $"fedactors.seed={seed}");
        Assert.True(code == 0, err);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.Path, outDir, "summary.json")));
        return (summary.RootElement.GetProperty("seed").GetInt64(), summary.RootElement.GetProperty("model_sha256").GetString()!,
            File.ReadAllText(Path.Combine(dir.Path, outDir, "run.conf")));
    }

    [Theory(DisplayName = "A seed must reach the run and summary.json exactly as written: negative, zero, and beyond 2^53")]
    [InlineData("-5")]
    [InlineData("0")]
    [InlineData("9007199254740993")]  // 2^53 + 1: a double would make it 2^53
    [InlineData("-9223372036854775808")]
    public async Task Seed_must_round_trip(string seed)
    {
        using var dir = new TempDir();

        var (written, _, runConf) = await RunAsync(dir, seed);

        Assert.Equal(long.Parse(seed, System.Globalization.CultureInfo.InvariantCulture), written);
        Assert.Contains($"\n  seed = {seed}\n", runConf);
    }

    [Fact(DisplayName = "Seeds 2^53 and 2^53 + 1 must give different runs: the run reads the seed as an integer, not a double")]
    public async Task Adjacent_large_seeds_must_differ()
    {
        using var dir = new TempDir();

        var (_, a, _) = await RunAsync(dir, "9007199254740992");
        var (_, b, _) = await RunAsync(dir, "9007199254740993");
        var (_, again, _) = await RunAsync(dir, "9007199254740993");

        Assert.NotEqual(a, b);
        Assert.Equal(b, again);
    }

    [Theory(DisplayName = "A seed that is not a 64-bit integer must be refused, naming the key")]
    [InlineData("9223372036854775808")]
    [InlineData("1.5")]
    [InlineData("abc")]
    public async Task Bad_seeds_must_be_refused(string seed)
    {
        using var dir = new TempDir();

        var (code, _, err) = await CommandRunner.RunAsync(dir.Path, "config", "--set", $"fedactors.seed={seed}");

        Assert.Equal(1, code);
        Assert.Equal($"fedactors config: fedactors.seed must be an integer in [-9223372036854775808, 9223372036854775807], got '{seed}'\n", err);
    }

    [Fact(DisplayName = "fedactors config must print the seed as given")]
    public async Task Config_must_print_the_seed_as_given()
    {
        using var dir = new TempDir();

        var (code, output, _) = await CommandRunner.RunAsync(dir.Path, "config", "--set", "fedactors.seed=-9007199254740993");

        Assert.Equal(0, code);
        Assert.Contains("\n  seed = -9007199254740993\n", output);
    }
}
