using System.Collections.Immutable;
using Akka.Configuration;
using FedActors.Actors.Configuration;

namespace FedActors.Actors.Aggregation;

/// <summary>
/// The aggregation strategies a run can name in <c>fedactors.server.algorithm</c>, each with the reader of its
/// settings, and the wrappers that their own config sections switch on around whichever strategy is chosen.
/// Immutable: <see cref="With"/> and <see cref="WithWrapper"/> return a new catalog, so an application (or a test)
/// adds its own without touching the built-in ones.
/// </summary>
public sealed class StrategyCatalog
{
    private const string AlgorithmPath = "fedactors.server.algorithm";

    // In the order they were added, which is the order error messages list them in.
    private readonly ImmutableList<(string Name, Func<Config, IStrategySettings> Read)> _readers;

    // Innermost first.
    private readonly ImmutableList<(string Name, Func<Config, IStrategyWrapperSettings?> Read)> _wrappers;

    private StrategyCatalog(ImmutableList<(string, Func<Config, IStrategySettings>)> readers, ImmutableList<(string, Func<Config, IStrategyWrapperSettings?>)> wrappers)
    {
        _readers = readers;
        _wrappers = wrappers;
    }

    /// <summary>
    /// FedBuff, FedAsync and FedAvg, and around any of them norm bounding (<c>fedactors.server.norm-bound</c>), then central
    /// differential privacy (<c>fedactors.privacy.mode = central</c>: clipping and noise); outermost,
    /// the simulated colluding attackers of <c>fedactors.attack</c> (little-is-enough, ipm), who see what the defenses see.
    /// </summary>
    public static StrategyCatalog BuiltIn { get; } = new StrategyCatalog([], [])
        .With("fedbuff", FedBuffSettings.Create)
        .With("fedasync", FedAsyncSettings.Create)
        .With("fedavg", FedAvgSettings.Create)
        .WithWrapper(NormBoundSettings.WrapperName, NormBoundSettings.Create)
        .WithWrapper(Privacy.CentralDpSettings.WrapperName, Privacy.PrivacySettings.CentralWrapper)
        .WithWrapper(Attacks.ColludingAttackSettings.WrapperName, Attacks.ColludingAttackSettings.Create);

    /// <summary>The names a config may give.</summary>
    public IEnumerable<string> Names => _readers.Select(r => r.Name);

    /// <summary>The wrappers a config may switch on, innermost first.</summary>
    public IEnumerable<string> WrapperNames => _wrappers.Select(w => w.Name);

    /// <summary>This catalog and <paramref name="name"/>, read by <paramref name="read"/>.</summary>
    /// <param name="name">The config name (lower case, as <c>fedactors.server.algorithm</c> gives it).</param>
    /// <param name="read">Reads and validates the strategy's settings from the whole config.</param>
    /// <exception cref="ArgumentException">The name is taken or empty.</exception>
    public StrategyCatalog With(string name, Func<Config, IStrategySettings> read)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(read);
        if (Names.Contains(name)) throw new ArgumentException($"the strategy catalog already holds '{name}'", nameof(name));
        return new StrategyCatalog(_readers.Add((name, read)), _wrappers);
    }

    /// <summary>This catalog and the wrapper <paramref name="name"/>, outside those added before it.</summary>
    /// <param name="name">The wrapper's name.</param>
    /// <param name="read">Reads and validates the wrapper's settings from the whole config; null when its section leaves it off.</param>
    /// <exception cref="ArgumentException">The name is taken or empty.</exception>
    public StrategyCatalog WithWrapper(string name, Func<Config, IStrategyWrapperSettings?> read)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(read);
        if (WrapperNames.Contains(name)) throw new ArgumentException($"the strategy catalog already holds the wrapper '{name}'", nameof(name));
        return new StrategyCatalog(_readers, _wrappers.Add((name, read)));
    }

    /// <summary>
    /// The settings of the strategy <c>fedactors.server.algorithm</c> names, inside the wrappers the config switches on.
    /// Every strategy's settings are read, so that a bad value fails even under a key the chosen strategy does not use,
    /// as it would once that strategy is chosen.
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
        if (chosen is null) throw new ConfigurationException($"{AlgorithmPath}: unknown '{name}'");
        try
        {
            if (chosen is FedBuffSettings buff) buff.Aggregator.RequireStep(buff.StepSize, buff.CohortSize > 0 ? "cohorts.size" : "buffer-size");
            else if (chosen is FedAvgSettings avg) avg.Aggregator.RequireStep(avg.ClientsPerRound, "clients-per-round");
            else if (Combiners.Create(config).Name != Combiners.Mean.Name)
                throw new ArgumentException($"fedactors.server.aggregator combines the updates of a step, and {name} applies one update per step: use mean, or fedbuff or fedavg");
        }
        catch (ArgumentException e)
        {
            throw new ConfigurationException(e.Message);
        }
        foreach (var (key, read) in _wrappers)
        {
            if (read(config) is not { } wrapper) continue;
            if (wrapper.Name != key)
                throw new InvalidOperationException($"the strategy catalog reads the wrapper '{key}' into settings named '{wrapper.Name}'");
            chosen = WrappedStrategySettings.Around(chosen, wrapper);
        }
        return chosen;
    }
}
