using Akka.Configuration;
using FedActors.Host.Configuration;
using FedActors.Training.Models;

namespace FedActors.Host.Settings;

/// <summary>Which model is trained (<c>fedactors.model.*</c>).</summary>
public sealed record ModelSettings
{
    private ModelSettings() { }

    /// <summary>A <see cref="ModelCatalog"/> name: logreg | mlp | simple-cnn | cnn. <value>Default simple-cnn.</value></summary>
    public string Name { get; init; } = "";

    /// <summary>Reads and validates <c>fedactors.model</c>.</summary>
    public static ModelSettings Create(Config config)
    {
        var r = new ConfigReader(config, "fedactors.model");
        return new ModelSettings { Name = r.OneOf("name", ModelCatalog.Names) };
    }
}
