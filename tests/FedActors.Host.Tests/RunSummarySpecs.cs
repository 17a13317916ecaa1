using System.Text.Json;
using FedActors.Host.Runs;
using FedActors.Training.Models;

namespace FedActors.Host.Tests;

public class RunSummarySpecs
{
    private static RunSummary Sample() => new()
    {
        Status = RunStatus.Completed,
        Algorithm = "fedbuff",
        Dataset = "fashion-mnist",
        Model = "simple-cnn",
        Partition = "dirichlet",
        Seed = 42,
        NumClients = 1000,
        Concurrency = 100,
        BufferSize = 10,
        ServerSteps = 500,
        UpdatesApplied = 5000,
        UpdatesRejected = new Dictionary<string, long> { ["too-stale"] = 3, ["bad-norm"] = 1 },
        UpdatesDroppedStale = 3,
        FinalAccuracy = 0.87,
        FinalLoss = 0.36,
        BestAccuracy = 0.875,
        TargetAccuracy = 0.85,
        VirtualSecondsToTarget = 1234.5,
        UpdatesToTarget = 4000,
        BytesUpToTarget = 123456789,
        VirtualSeconds = 2000.25,
        WallSeconds = 61.5,
        SamplesTrained = 1_200_000,
        TrainSeconds = 55.0,
        BytesUp = 200_000_000,
        BytesDown = 210_000_000,
        Compression = "topk-0.01+q8",
        Attack = "backdoor",
        Defense = "median+norm-bound",
        MaliciousFraction = 0.1,
        BackdoorAccuracy = 0.0625,
        UpdatesFiltered = 40,
        MaliciousUpdatesAccepted = 3,
        MaliciousUpdatesFiltered = 9,
        BytesUpPerUpdate = 40_000,
        Privacy = "central",
        Epsilon = 7.5,
        Delta = 1e-5,
        ModelSha256 = ModelHash.Sha256([1f]),
        Resumed = 1,
    };

    public static TheoryData<string, JsonValueKind> Keys => new()
    {
        { "status", JsonValueKind.String }, { "algorithm", JsonValueKind.String }, { "dataset", JsonValueKind.String },
        { "model", JsonValueKind.String }, { "partition", JsonValueKind.String }, { "seed", JsonValueKind.Number },
        { "num_clients", JsonValueKind.Number }, { "concurrency", JsonValueKind.Number }, { "buffer_size", JsonValueKind.Number },
        { "server_steps", JsonValueKind.Number }, { "updates_applied", JsonValueKind.Number },
        { "updates_rejected", JsonValueKind.Object }, { "updates_dropped_stale", JsonValueKind.Number },
        { "final_accuracy", JsonValueKind.Number }, { "final_loss", JsonValueKind.Number }, { "best_accuracy", JsonValueKind.Number },
        { "target_accuracy", JsonValueKind.Number }, { "virtual_seconds_to_target", JsonValueKind.Number },
        { "updates_to_target", JsonValueKind.Number }, { "bytes_up_to_target", JsonValueKind.Number },
        { "virtual_seconds", JsonValueKind.Number }, { "wall_seconds", JsonValueKind.Number },
        { "samples_trained", JsonValueKind.Number }, { "train_seconds", JsonValueKind.Number },
        { "bytes_up", JsonValueKind.Number }, { "bytes_down", JsonValueKind.Number },
        { "compression", JsonValueKind.String }, { "bytes_up_per_update", JsonValueKind.Number },
        { "attack", JsonValueKind.String }, { "defense", JsonValueKind.String }, { "malicious_fraction", JsonValueKind.Number },
        { "backdoor_accuracy", JsonValueKind.Number },
        // The robustness counts (updates a robust aggregator filtered, malicious updates accepted and filtered).
        { "updates_filtered", JsonValueKind.Number }, { "malicious_updates_accepted", JsonValueKind.Number },
        { "malicious_updates_filtered", JsonValueKind.Number },
        { "privacy", JsonValueKind.String }, { "epsilon", JsonValueKind.Number }, { "delta", JsonValueKind.Number },
        { "model_sha256", JsonValueKind.String }, { "resumed", JsonValueKind.Number },
    };

    [Theory]
    [MemberData(nameof(Keys))]
    public void Summary_json_must_have_each_design_key_with_its_type(string key, JsonValueKind kind)
    {
        using var doc = JsonDocument.Parse(Sample().ToJson());
        Assert.True(doc.RootElement.TryGetProperty(key, out var value), $"missing key {key}");
        Assert.Equal(kind, value.ValueKind);
    }

    [Fact]
    public void Summary_json_must_have_exactly_the_design_keys()
    {
        using var doc = JsonDocument.Parse(Sample().ToJson());
        var expected = Keys.Select(row => (string)row[0]).Order();
        Assert.Equal(expected, doc.RootElement.EnumerateObject().Select(p => p.Name).Order());
    }

    [Fact]
    public async Task Summary_must_be_written_atomically_and_read_back()
    {
        using var dir = new TempDir();
        var path = dir.File("summary.json");
        var summary = Sample();

        await summary.WriteAsync(path, CancellationToken.None);
        var read = await RunSummary.ReadAsync(path, CancellationToken.None);

        Assert.False(File.Exists(path + ".tmp"));
        Assert.Equal(summary.ToJson(), read.ToJson());
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(path));
        Assert.Equal("completed", doc.RootElement.GetProperty("status").GetString());
        Assert.Equal(3, doc.RootElement.GetProperty("updates_rejected").GetProperty("too-stale").GetInt64());
    }

    [Fact]
    public void Not_applicable_and_non_finite_values_must_be_null()
    {
        var centralized = Sample() with
        {
            Status = RunStatus.Stopped, Algorithm = "centralized", Partition = null, NumClients = null, Concurrency = null,
            BufferSize = null, UpdatesApplied = null, UpdatesRejected = new Dictionary<string, long>(), UpdatesDroppedStale = null,
            FinalLoss = double.NaN, TargetAccuracy = null, VirtualSecondsToTarget = null, BytesUp = null, BytesDown = null,
        };
        using var doc = JsonDocument.Parse(centralized.ToJson());
        var root = doc.RootElement;
        Assert.Equal("stopped", root.GetProperty("status").GetString());
        foreach (var key in new[] { "partition", "num_clients", "concurrency", "buffer_size", "updates_applied", "final_loss",
                     "target_accuracy", "virtual_seconds_to_target", "bytes_up", "bytes_down" })
            Assert.Equal(JsonValueKind.Null, root.GetProperty(key).ValueKind);
        Assert.Empty(root.GetProperty("updates_rejected").EnumerateObject());
    }

    [Fact]
    public void Failed_status_must_serialize_lowercase()
    {
        using var doc = JsonDocument.Parse((Sample() with { Status = RunStatus.Failed }).ToJson());
        Assert.Equal("failed", doc.RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public void Model_sha256_must_hash_little_endian_float32_bytes()
    {
        // 1.0f is 0x3F800000: bytes 00 00 80 3f; digest computed independently (Python hashlib).
        Assert.Equal("e00e5eb9444182f352323374ef4e08ebcb784725fdd4fd612d7730540b3e0c8c", ModelHash.Sha256([1f]));
        Assert.Equal("e00e5eb9444182f352323374ef4e08ebcb784725fdd4fd612d7730540b3e0c8c",
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(new byte[] { 0x00, 0x00, 0x80, 0x3f })));
        Assert.Equal("2f9cc761bc2594fa578868daeedc59b0fc115513fae3e5dc09c4e86e50b8aaf6", ModelHash.Sha256([1f, -2.5f, 0.1f]));
    }
}
