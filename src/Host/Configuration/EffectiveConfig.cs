using Akka.Configuration;
using FedActors.Host.Settings;

namespace FedActors.Host.Configuration;

/// <summary>
/// A checked configuration: the HOCON (for run.conf, a run's fingerprint and child processes) and the one settings tree
/// read from it (for everything else). Built once per configuration by <see cref="FedActorsConfig.Load(string?, IReadOnlyList{ConfigOverride}, Extensions?)"/>.
/// </summary>
/// <param name="Hocon">The effective HOCON: overrides over the file over reference.conf.</param>
/// <param name="Settings">Every section, typed and validated.</param>
/// <param name="Extensions">The strategies and transforms it was read with.</param>
public sealed record EffectiveConfig(Config Hocon, FedActorsSettings Settings, Extensions Extensions)
{
    /// <summary>This configuration with <paramref name="overrides"/> (HOCON) on top, checked and read again.</summary>
    /// <exception cref="ConfigException">The result is not a usable configuration.</exception>
    public EffectiveConfig With(string overrides)
    {
        var hocon = ConfigurationFactory.ParseString(overrides).WithFallback(Hocon);
        return new EffectiveConfig(hocon, FedActorsConfig.Validate(hocon, Extensions), Extensions);
    }
}
