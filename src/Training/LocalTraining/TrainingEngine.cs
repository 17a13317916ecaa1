using FedActors.Training.Data;

namespace FedActors.Training.LocalTraining;

/// <summary>What does the arithmetic of local training (<c>fedactors.trainers.engine</c>).</summary>
public enum TrainingEngine
{
    /// <summary><see cref="Managed"/> for the models it implements (logreg), <see cref="Torch"/> for the others.</summary>
    Auto,

    /// <summary>TorchSharp (libtorch): every model; intra-op threads per <c>trainers.threads-per-slot</c>.</summary>
    Torch,

    /// <summary>
    /// Managed SIMD code (<see cref="SoftmaxRegressionTrainer"/>): the same math as TorchSharp's path without a native call
    /// per tensor operation, which dominates on tiny models. One thread per slot. logreg only.
    /// </summary>
    Managed,
}

/// <summary>Parses, resolves and instantiates <see cref="TrainingEngine"/>s.</summary>
public static class TrainingEngines
{
    /// <summary>The config names, in <see cref="TrainingEngine"/> order.</summary>
    public static IReadOnlyList<string> Names { get; } = ["auto", "torch", "managed"];

    /// <summary>Models the managed engine implements.</summary>
    public static IReadOnlyList<string> ManagedModels { get; } = ["logreg"];

    /// <summary>Parses a config name.</summary>
    /// <exception cref="FormatException">Not one of <see cref="Names"/>.</exception>
    public static TrainingEngine Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "auto" => TrainingEngine.Auto,
        "torch" => TrainingEngine.Torch,
        "managed" => TrainingEngine.Managed,
        _ => throw new FormatException($"valid values are {string.Join(", ", Names)}"),
    };

    /// <summary>The config name of <paramref name="engine"/>.</summary>
    public static string Name(TrainingEngine engine) => Names[(int)engine];

    /// <summary>The engine that trains <paramref name="modelName"/>: <see cref="TrainingEngine.Auto"/> resolved.</summary>
    /// <exception cref="ArgumentException">The managed engine was asked for a model it does not implement.</exception>
    public static TrainingEngine Resolve(TrainingEngine engine, string modelName)
    {
        bool managed = ManagedModels.Contains(modelName);
        return engine switch
        {
            TrainingEngine.Auto => managed ? TrainingEngine.Managed : TrainingEngine.Torch,
            TrainingEngine.Managed when !managed => throw new ArgumentException(
                $"fedactors.trainers.engine = managed trains {string.Join(", ", ManagedModels)} only, not model '{modelName}'; use auto or torch"),
            _ => engine,
        };
    }

    /// <summary>A trainer for <paramref name="modelName"/> on samples shaped like <paramref name="shapeOf"/>'s.</summary>
    /// <param name="engine">The configured engine (resolved here).</param>
    /// <param name="modelName">The model.</param>
    /// <param name="shapeOf">A dataset with the samples' shape and classes.</param>
    /// <param name="batchCapacity">Largest batch the torch replica preallocates for.</param>
    public static IModelTrainer Create(TrainingEngine engine, string modelName, LabeledDataset shapeOf, int batchCapacity)
    {
        ArgumentNullException.ThrowIfNull(shapeOf);
        return Resolve(engine, modelName) == TrainingEngine.Managed
            ? new SoftmaxRegressionTrainer(shapeOf.FeatureSize, shapeOf.NumClasses)
            : new TorchModelTrainer(ModelReplica.For(modelName, shapeOf, batchCapacity), ownsReplica: true);
    }
}
