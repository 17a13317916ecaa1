using Akka.Configuration;
using FedActors.Actors.Aggregation;
using FedActors.Actors.Coordination;
using FedActors.Actors.Simulation;
using FedActors.Actors.Trainers;

namespace FedActors.Actors.Tests.Coordination;

public class SettingsTests
{
    internal static Config Reference()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "config", "reference.conf"))) dir = dir.Parent;
        Assert.NotNull(dir);
        return ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(dir!.FullName, "config", "reference.conf")));
    }

    private static Config With(string hocon) => ConfigurationFactory.ParseString(hocon).WithFallback(Reference());

    [Fact]
    public void Reference_conf_must_parse_into_the_documented_defaults()
    {
        var c = Reference();
        var server = Assert.IsType<FedBuffSettings>(StrategyCatalog.BuiltIn.Read(c));
        Assert.Equal(FedBuffSettings.Default, server);
        Assert.Equal(100, server.Concurrency);
        Assert.Equal(10, server.BufferSize);
        Assert.Null(server.Staleness.MaxStaleness);
        Assert.IsType<InverseSqrtStaleness>(server.Staleness.Weight);
        Assert.Equal(StalenessNormalization.None, server.Staleness.Normalization);
        Assert.Equal(UpdateWeighting.SampleWeighted, server.Weighting);
        Assert.Equal("sgd", server.Optimizer.Name);
        Assert.Equal(1.0, server.Optimizer.Parameters.Eta);
        Assert.Equal(FedAvgSettings.Default, FedAvgSettings.Create(c));
        Assert.Null(FedAvgSettings.Default.RoundDeadline);
        Assert.Equal(FedAsyncSettings.Default, FedAsyncSettings.Create(c));

        var sim = SimulationSettings.Create(c);
        Assert.Equal(ClockMode.Virtual, sim.Clock);
        Assert.Equal(SpeedDistribution.LogNormal, sim.Device.Speed);
        Assert.Equal(1.0, sim.Device.AvailabilityFraction);

        var run = RunSettings.Create(c);
        Assert.Equal(42UL, run.Seed);
        Assert.Equal(0.85, run.TargetAccuracy);
        Assert.Equal("simple-cnn", run.ModelName);
        Assert.Equal(1, TrainerSettings.Create(c).Slots);
    }

    [Fact]
    public void Settings_must_round_trip_overrides()
    {
        var c = With("""
            fedactors.server { algorithm = fedavg, clients-per-round = 20, over-selection = 0.3, round-deadline = 120, max-staleness = 8
                               staleness { kind = hinge, a = 10, b = 4 }
                               optimizer { name = fedadam, lr = 0.01 } }
            fedactors.simulation { clock = wall, device { speed { distribution = pareto, shape = 1.5 }
                                                dropout = 0.1 } }
            fedactors.run.target-accuracy = null
            """);
        var server = Assert.IsType<FedAvgSettings>(StrategyCatalog.BuiltIn.Read(c));
        Assert.Equal("fedavg", server.Name);
        Assert.Equal(20, server.ClientsPerRound);
        Assert.Equal(0.3, server.OverSelection);
        Assert.Equal(120, server.RoundDeadline);
        Assert.Equal(new Participation.Rounds(20, 0.3, 120), server.Participation);
        Assert.Equal("fedadam", server.Optimizer.Name);
        var asynchronous = FedAsyncSettings.Create(c);
        Assert.Equal(8, asynchronous.Staleness.MaxStaleness);
        Assert.Equal(new HingeStaleness(10, 4), asynchronous.Staleness.Weight);
        var sim = SimulationSettings.Create(c);
        Assert.Equal(ClockMode.Wall, sim.Clock);
        Assert.Equal(SpeedDistribution.Pareto, sim.Device.Speed);
        Assert.Equal(1.5, sim.Device.Shape);
        Assert.Equal(0.1, sim.Device.Dropout);
        Assert.Null(RunSettings.Create(c).TargetAccuracy);
    }

    [Theory]
    [InlineData("fedactors.server.buffer-size = 0", "fedactors.server.buffer-size must be ≥ 1, got 0")]
    [InlineData("fedactors.server.algorithm = fedsgd", "fedactors.server.algorithm: unknown 'fedsgd'; valid values are fedbuff, fedasync, fedavg")]
    [InlineData("fedactors.server { algorithm = fedavg, buffer-size = 0 }", "fedactors.server.buffer-size must be ≥ 1, got 0")]
    [InlineData("fedactors.server.staleness.normalization = mean", "fedactors.server.staleness.normalization: unknown staleness normalization 'mean'; valid values are 'none', 'weighted-mean'")]
    [InlineData("fedactors.simulation.device.dropout = 1", "fedactors.simulation.device.dropout must be < 1, got 1")]
    [InlineData("fedactors.trainers.slots = two", "fedactors.trainers.slots must be an integer, got 'two'")]
    public void Invalid_values_must_fail_naming_the_full_key_and_value(string hocon, string message)
    {
        var e = Assert.Throws<ConfigurationException>(() =>
        {
            var c = With(hocon);
            StrategyCatalog.BuiltIn.Read(c);
            SimulationSettings.Create(c);
            TrainerSettings.Create(c);
        });
        Assert.Equal(message, e.Message);
    }
}
