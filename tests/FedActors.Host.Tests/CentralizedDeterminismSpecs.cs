using FedActors.Host.Runs;

namespace FedActors.Host.Tests;

[Collection(BitwiseTrainingCollection.Name)]
public class CentralizedDeterminismSpecs
{
    [Fact(DisplayName = "centralized must be deterministic for a fixed seed")]
    public async Task Centralized_must_be_deterministic()
    {
        using var dir = new TempDir();
        string[] common = ["centralized", "--plain", "--set", "fedactors.model.name=logreg", "--set", "fedactors.centralized.epochs=1"];
        Assert.Equal(0, (await CommandRunner.RunAsync(dir.Path, [.. common, "--out", "a"])).Code);
        Assert.Equal(0, (await CommandRunner.RunAsync(dir.Path, [.. common, "--out", "b"])).Code);
        var a = await RunSummary.ReadAsync(Path.Combine(dir.Path, "a", "summary.json"), CancellationToken.None);
        var b = await RunSummary.ReadAsync(Path.Combine(dir.Path, "b", "summary.json"), CancellationToken.None);
        Assert.Equal(a.ModelSha256, b.ModelSha256);
    }
}
