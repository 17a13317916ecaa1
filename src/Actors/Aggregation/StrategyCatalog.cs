using System.Collections.Immutable;
using Akka.Configuration;
using FedActors.Actors.Configuration;

namespace FedActors.Actors.Aggregation;

/// <summary>
/// The aggregation strategies a run can name in <c>fedactors.server.algorithm</c>, each with the reader of its
/// settings. Immutable: <see cref="With"/> returns a new catalog, so an application (or a test) adds strategies of
/// its own without touching the built-in ones.
/// </summary>
public sealed class StrategyCatalog
{
    private const string AlgorithmPath = "fedactors.server.algorithm";

    // In the order they were added, which is the order error messages list them in.
    private readonly ImmutableList<(string Name, Func<Config, IStrategySettings> Read)> _readers;

    private StrategyCatalog(ImmutableList<(string, Func<Config, IStrategySettings>)> readers) => _readers = readers;

    /// <summary>FedBuff, FedAsync and FedAvg.</summary>
    public static StrategyCatalog BuiltIn { get; } = new StrategyCatalog(ImmutableList<(string, Func<Config, IStrategySettings>)>.Empty)
        .With("fedbuff", FedBuffSettings.Create)
        .With("fedasync", FedAsyncSettings.Create)
        .With("fedavg", FedAvgSettings.Create);

    /// <summary>The names a config may give.</summary>
    public IEnumerable<string> Names => _readers.Select(r => r.Name);

    /// <summary>This catalog and <paramref name="name"/>, read by <paramref name="read"/>.</summary>
    /// <param name="name">The config name (lower case, as <c>fedactors.server.algorithm</c> gives it).</param>
    /// <param name="read">Reads and validates the strategy's settings from the whole config.</param>
    /// <exception cref="ArgumentException">The name is taken or empty.</exception>
    public StrategyCatalog With(string name, Func<Config, IStrategySettings> read)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(read);
        if (Names.Contains(name)) throw new ArgumentException($"the strategy catalog already holds '{name}'", nameof(name));
        return new StrategyCatalog(_readers.Add((name, read)));
    }

    /// <summary>
    /// The settings of the strategy <c>fedactors.server.algorithm</c> names. Every strategy's settings are read, so that
    /// a bad value fails even under a key the chosen strategy does not use, as it would once that strategy is chosen.
    /// </summary>
    /// <exception cref="ConfigurationException">An unknown name (the message lists the valid ones) or a bad value.</exception>
    public IStrategySettings Read(Config config)
    {
        var name = new ConfigReader(config, "fedactors.server").Enum("algorithm", n => Names.Contains(n) ? n
            : throw new FormatException($"valid values are {string.Join(", ", Names)}"));
        IStrategySettings? chosen = null;
        foreach (var (key, read) in _readers)
        {
            var settings = read(config);
            if (settings.Name != key)
                throw new InvalidOperationException($"the strategy catalog reads '{key}' into settings named '{settings.Name}'");
            if (key == name) chosen = settings;
        }
        return chosen ?? throw new ConfigurationException($"{AlgorithmPath}: unknown '{name}'");
    }
}
