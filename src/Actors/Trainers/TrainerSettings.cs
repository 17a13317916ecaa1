using Akka.Configuration;
using FedActors.Actors.Configuration;
using FedActors.Training.LocalTraining;

namespace FedActors.Actors.Trainers;

/// <summary>The trainer pool (<c>fedactors.trainers.*</c>).</summary>
public sealed record TrainerSettings
{
    private TrainerSettings() { }

    /// <summary>Trainer actors, each on its own dedicated thread with its own model replica. <value>Default 1.</value></summary>
    public int Slots { get; init; } = 1;

    /// <summary>
    /// Intra-op threads per slot (torch.set_num_threads on the slot's thread); 0 = processor count / slots.
    /// Results are bit-reproducible only at a fixed value. <value>Default 0.</value>
    /// </summary>
    public int ThreadsPerSlot { get; init; }

    /// <summary>Trainings the pool queues beyond its busy slots; further requests wait for a slot. <value>Default 4.</value></summary>
    public int QueueCapacity { get; init; } = 4;

    /// <summary>
    /// What does the arithmetic of local training: <see cref="TrainingEngine.Auto"/> trains logreg with the managed
    /// engine and other models with TorchSharp. Evaluations always run on TorchSharp. <value>Default auto.</value>
    /// </summary>
    public TrainingEngine Engine { get; init; } = TrainingEngine.Auto;

    /// <summary>Defaults, as in reference.conf.</summary>
    public static TrainerSettings Default { get; } = new();

    /// <summary>Threads each slot really uses: <see cref="ThreadsPerSlot"/>, or an even share of the cores when 0.</summary>
    public int EffectiveThreadsPerSlot => ThreadsPerSlot > 0 ? ThreadsPerSlot : Math.Max(1, Environment.ProcessorCount / Slots);

    /// <summary>Reads and validates <c>fedactors.trainers</c>.</summary>
    public static TrainerSettings Create(Config config)
    {
        var c = new ConfigReader(config, "fedactors.trainers");
        return new TrainerSettings
        {
            Slots = c.Int("slots", min: 1),
            ThreadsPerSlot = c.Int("threads-per-slot", min: 0),
            QueueCapacity = c.Int("queue-capacity", min: 0),
            Engine = c.Enum("engine", TrainingEngines.Parse),
        };
    }
}
