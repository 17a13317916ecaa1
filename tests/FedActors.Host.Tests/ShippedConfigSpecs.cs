using FedActors.Host.Configuration;

namespace FedActors.Host.Tests;

/// <summary>Every config the repository ships loads and validates, so a renamed or re-ranged key cannot leave one behind.</summary>
public class ShippedConfigSpecs
{
    public static TheoryData<string> Configs()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "config", "reference.conf"))) root = root.Parent;
        var dir = Path.Combine(root!.FullName, "config");
        return new(Directory.GetFiles(dir, "*.conf", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) != "reference.conf")
            .Select(f => Path.GetRelativePath(dir, f)).Order());
    }

    [Theory(DisplayName = "a shipped config must load and validate")]
    [MemberData(nameof(Configs))]
    public void A_shipped_config_must_load(string relative)
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root!.FullName, "config", "reference.conf"))) root = root.Parent;
        var settings = FedActorsConfig.Load(Path.Combine(root.FullName, "config", relative), Array.Empty<string>()).Settings;
        Assert.True(settings.Population.Clients > 0);
    }

    [Fact(DisplayName = "the reproduction configs must set up what their papers describe")]
    public void Reproduction_configs_must_match_their_papers()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root!.FullName, "config", "reference.conf"))) root = root.Parent;
        var config = Path.Combine(root.FullName, "config");

        var labels2 = FedActorsConfig.Load(Path.Combine(config, "niid-bench", "labels-2.conf"), Array.Empty<string>()).Settings;
        Assert.Equal(("labels-per-client", 2, 10), (labels2.Data.Partition.Kind, labels2.Data.Partition.LabelsPerClient, labels2.Population.Clients));
        Assert.Equal((10, 64, 0.01, 0.9, 1e-5), (labels2.Run.Client.Epochs, labels2.Run.Client.BatchSize, labels2.Run.Client.LearningRate,
            labels2.Run.Client.Momentum, labels2.Run.Client.WeightDecay));
        Assert.False(labels2.Data.Normalize);

        var fedprox = FedActorsConfig.Load(Path.Combine(config, "synthetic-fedprox.conf"), Array.Empty<string>()).Settings;
        Assert.Equal((0.9, FedActors.Actors.Simulation.StragglerMode.Partial, 1.0, 20),
            (fedprox.Simulation.Device.StragglerFraction, fedprox.Simulation.Device.StragglerMode, fedprox.Run.Client.ProximalMu, fedprox.Run.Client.Epochs));

        Assert.True(FedActorsConfig.Load(Path.Combine(config, "flower-tutorial.conf"), Array.Empty<string>()).Settings.Data.Normalize);
    }
}
