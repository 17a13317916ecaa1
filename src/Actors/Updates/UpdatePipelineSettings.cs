using Akka.Configuration;
using FedActors.Actors.Configuration;

namespace FedActors.Actors.Updates;

/// <summary>The client update pipeline: the transforms <c>fedactors.client.transforms</c> names, in order.</summary>
public sealed record UpdatePipelineSettings
{
    private const string Path = "fedactors.client.transforms";

    private UpdatePipelineSettings(IEnumerable<IUpdateTransformSettings> transforms) => Transforms = new(transforms);

    /// <summary>The transforms, in the order the client applies them. <value>Default none: Δ is sent as it is.</value></summary>
    public ValueList<IUpdateTransformSettings> Transforms { get; }

    /// <summary>No transforms, as in reference.conf.</summary>
    public static UpdatePipelineSettings Identity { get; } = new([]);

    /// <summary>A pipeline of <paramref name="transforms"/>, in client order.</summary>
    public static UpdatePipelineSettings Of(params IUpdateTransformSettings[] transforms) => new(transforms);

    /// <summary>This pipeline followed by <paramref name="more"/> (the compression codecs after the client transforms).</summary>
    /// <exception cref="ArgumentException">A name would appear twice.</exception>
    public UpdatePipelineSettings Then(IEnumerable<IUpdateTransformSettings> more)
    {
        ArgumentNullException.ThrowIfNull(more);
        var all = Transforms.Concat(more).ToList();
        if (all.GroupBy(t => t.Name).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new ArgumentException($"the update pipeline would apply '{twice.Key}' twice", nameof(more));
        return all.Count == Transforms.Count ? this : new UpdatePipelineSettings(all);
    }

    /// <summary>The transforms' names, in client order.</summary>
    public IEnumerable<string> Names => Transforms.Select(t => t.Name);

    /// <summary>A new pipeline (one per trainer and one for the coordinator).</summary>
    public UpdatePipeline Create() => Transforms.Count == 0 ? UpdatePipeline.Identity : new UpdatePipeline(Transforms.Select(t => t.Create()));

    /// <summary>A new client-side pipeline whose transforms keep their per-client vectors in <paramref name="clientState"/>.</summary>
    public UpdatePipeline Create(IClientStateStore? clientState) =>
        Transforms.Count == 0 ? UpdatePipeline.Identity : new UpdatePipeline(Transforms.Select(t => t.Create(clientState)));

    /// <summary>Whether some transform works layer by layer, so that both sides must know the model's layer sizes.</summary>
    public bool NeedsLayers => Transforms.Any(t => t.NeedsLayers);

    /// <summary>Whether some transform keeps per-client vectors (error feedback), so that clients need a <see cref="IClientStateStore"/>.</summary>
    public bool KeepsClientState => Transforms.Any(t => t.KeepsClientState);

    /// <summary>Reads <c>fedactors.client.transforms</c>: a list of names the catalog knows, each at most once.</summary>
    /// <exception cref="ConfigurationException">The value is not a list, or names an unknown or repeated transform.</exception>
    public static UpdatePipelineSettings Create(Config config, TransformCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(catalog);
        if (!config.HasPath(Path)) throw new ConfigurationException($"{Path} is missing; every key has a default in config/reference.conf");
        var value = config.GetValue(Path);
        if (!HoconList.IsList(value))
            throw new ConfigurationException($"{Path} must be a list of transform names, e.g. [] or [name, name], got '{(value.IsString() ? value.GetString() : value)}'");
        var names = HoconList.Items(value).Select(v => v.GetString()?.Trim() ?? "").ToList();
        var transforms = new List<IUpdateTransformSettings>();
        string valid = catalog.Names.Any() ? $"valid names are {string.Join(", ", catalog.Names)}" : "this build has no update transforms, so the list must be empty";
        foreach (var name in names)
        {
            if (transforms.Any(t => t.Name == name)) throw new ConfigurationException($"{Path} names '{name}' twice");
            transforms.Add(catalog.Read(name, config) ?? throw new ConfigurationException($"{Path}: unknown transform '{name}'; {valid}"));
        }
        return new UpdatePipelineSettings(transforms);
    }
}
