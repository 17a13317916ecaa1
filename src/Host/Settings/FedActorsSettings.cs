using Akka.Configuration;
using FedActors.Host.Configuration;

namespace FedActors.Host.Settings;

/// <summary>Every typed section the host reads, validated together (<c>fedactors.*</c>).</summary>
public sealed record FedActorsSettings
{
    private FedActorsSettings() { }

    /// <summary>Master seed every random stream derives from. <value>Default 42.</value></summary>
    public long Seed { get; init; }

    /// <summary><c>fedactors.run</c>.</summary>
    public RunSettings Run { get; init; } = null!;

    /// <summary><c>fedactors.data</c>.</summary>
    public DataSettings Data { get; init; } = null!;

    /// <summary><c>fedactors.population</c>.</summary>
    public PopulationSettings Population { get; init; } = null!;

    /// <summary><c>fedactors.model</c>.</summary>
    public ModelSettings Model { get; init; } = null!;

    /// <summary><c>fedactors.client</c>.</summary>
    public ClientSettings Client { get; init; } = null!;

    /// <summary><c>fedactors.centralized</c>.</summary>
    public CentralizedSettings Centralized { get; init; } = null!;

    /// <summary><c>fedactors.trainers</c>.</summary>
    public TrainerSettings Trainers { get; init; } = null!;

    /// <summary>Reads and validates all sections; the first bad value throws a <see cref="ConfigException"/>.</summary>
    public static FedActorsSettings Create(Config config) => new()
    {
        Seed = new ConfigReader(config, FedActorsConfig.Section).Long("seed"),
        Run = RunSettings.Create(config),
        Data = DataSettings.Create(config),
        Population = PopulationSettings.Create(config),
        Model = ModelSettings.Create(config),
        Client = ClientSettings.Create(config),
        Centralized = CentralizedSettings.Create(config),
        Trainers = TrainerSettings.Create(config),
    };
}
