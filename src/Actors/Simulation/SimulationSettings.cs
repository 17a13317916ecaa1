using Akka.Configuration;
using FedActors.Actors.Configuration;

namespace FedActors.Actors.Simulation;

/// <summary>The simulation's clock and device model (<c>fedactors.simulation.*</c>).</summary>
public sealed record SimulationSettings
{
    private SimulationSettings() { }

    /// <summary>virtual (deterministic simulation) or wall. <value>Default virtual.</value></summary>
    public ClockMode Clock { get; init; } = ClockMode.Virtual;

    /// <summary>The device model.</summary>
    public DeviceSettings Device { get; init; } = DeviceSettings.Default;

    /// <summary>Defaults, as in reference.conf.</summary>
    public static SimulationSettings Default { get; } = new();

    /// <summary>Reads and validates <c>fedactors.simulation</c>.</summary>
    public static SimulationSettings Create(Config config)
    {
        var c = new ConfigReader(config, "fedactors.simulation");
        return new SimulationSettings
        {
            Clock = c.Enum("clock", v => v switch
            {
                "virtual" => ClockMode.Virtual,
                "wall" => ClockMode.Wall,
                _ => throw new FormatException("valid values are virtual, wall"),
            }),
            Device = DeviceSettings.Create(config),
        };
    }
}
