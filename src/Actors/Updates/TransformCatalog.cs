using System.Collections.Immutable;
using Akka.Configuration;

namespace FedActors.Actors.Updates;

/// <summary>
/// The update transforms a run can name in <c>fedactors.client.transforms</c>, each with the reader of its settings.
/// Immutable: <see cref="With"/> returns a new catalog, so an application (or a test) adds transforms of its own.
/// </summary>
public sealed class TransformCatalog
{
    private readonly ImmutableList<(string Name, Func<Config, IUpdateTransformSettings> Read)> _readers;

    private TransformCatalog(ImmutableList<(string, Func<Config, IUpdateTransformSettings>)> readers) => _readers = readers;

    /// <summary>The transforms this build ships (none yet: compression, privacy and secure aggregation add theirs).</summary>
    public static TransformCatalog BuiltIn { get; } = new(ImmutableList<(string, Func<Config, IUpdateTransformSettings>)>.Empty);

    /// <summary>The names a config may give, in the order they were added.</summary>
    public IEnumerable<string> Names => _readers.Select(r => r.Name);

    /// <summary>This catalog and <paramref name="name"/>, read by <paramref name="read"/>.</summary>
    /// <exception cref="ArgumentException">The name is taken or empty.</exception>
    public TransformCatalog With(string name, Func<Config, IUpdateTransformSettings> read)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(read);
        if (Names.Contains(name)) throw new ArgumentException($"the transform catalog already holds '{name}'", nameof(name));
        return new TransformCatalog(_readers.Add((name, read)));
    }

    /// <summary>The settings of transform <paramref name="name"/>, or null when the catalog has no such transform.</summary>
    public IUpdateTransformSettings? Read(string name, Config config) =>
        _readers.FirstOrDefault(r => r.Name == name).Read?.Invoke(config);
}
