using Akka.Configuration;
using FedActors.Host.Configuration;

namespace FedActors.Host.Settings;

/// <summary>The bounded pool that runs local trainings (<c>fedactors.trainers.*</c>).</summary>
public sealed record TrainerSettings
{
    private TrainerSettings() { }

    /// <summary>Parallel local trainings, each with its own model replica. <value>Default 1.</value></summary>
    public int Slots { get; init; }

    /// <summary>Intra-op threads per training; 0 means all cores divided by <see cref="Slots"/>. <value>Default 0.</value></summary>
    public int ThreadsPerSlot { get; init; }

    /// <summary><see cref="ThreadsPerSlot"/> with 0 resolved against this machine's core count (at least 1).</summary>
    public int EffectiveThreadsPerSlot =>
        ThreadsPerSlot > 0 ? ThreadsPerSlot : Math.Max(1, Environment.ProcessorCount / Slots);

    /// <summary>Reads and validates <c>fedactors.trainers</c>.</summary>
    public static TrainerSettings Create(Config config)
    {
        var r = new ConfigReader(config, "fedactors.trainers");
        return new TrainerSettings
        {
            Slots = r.PositiveInt("slots"),
            ThreadsPerSlot = r.NonNegativeInt("threads-per-slot"),
        };
    }
}
