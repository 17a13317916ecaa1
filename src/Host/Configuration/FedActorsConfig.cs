using Akka.Configuration;
using FedActors.Host.Settings;

namespace FedActors.Host.Configuration;

/// <summary>
/// Builds the effective configuration: <c>--set</c> overrides, then the <c>--config</c> file, then the
/// embedded reference.conf. The <c>fedactors</c> section is checked against reference.conf and read into the one
/// settings tree (<see cref="FedActorsSettings"/>), so a bad config fails before anything runs.
/// </summary>
public static class FedActorsConfig
{
    /// <summary>The root section that the checks and <see cref="Render"/> cover.</summary>
    public const string Section = "fedactors";

    private const string ReferenceResource = "FedActors.Host.reference.conf";

    // Parsed once: it is immutable and every Load falls back to it.
    private static readonly Lazy<Config> ReferenceConfig = new(() => Parse(ReadReferenceText(), "reference.conf"));

    /// <summary>The embedded reference.conf: every key with its default.</summary>
    public static Config Reference => ReferenceConfig.Value;

    /// <summary>Loads and checks the effective config.</summary>
    /// <param name="file">A HOCON file (relative to the current directory), or null for defaults only.</param>
    /// <param name="sets">Overrides <c>path=value</c>, later ones winning.</param>
    /// <param name="extensions">The strategies and transforms the config may name; the built-in ones by default.</param>
    /// <exception cref="ConfigException">The file is missing or malformed, or a key is unknown, mistyped or out of range.</exception>
    public static EffectiveConfig Load(string? file, IReadOnlyList<string> sets, Extensions? extensions = null) =>
        Load(file, sets.Select(ConfigOverride.Parse).ToList(), extensions);

    /// <summary>Loads and checks the effective config from already parsed overrides.</summary>
    public static EffectiveConfig Load(string? file, IReadOnlyList<ConfigOverride> overrides, Extensions? extensions = null)
    {
        var config = Reference;
        if (file is not null) config = ParseFile(file).WithFallback(config);
        foreach (var o in overrides) config = o.ToConfig().WithFallback(config);
        extensions ??= Extensions.BuiltIn;
        return new EffectiveConfig(config, Validate(config, extensions), extensions);
    }

    /// <summary>
    /// Checks keys against reference.conf, reads the settings tree (whose messages say the allowed range), then checks
    /// the types of the keys no setting covers. Returns the tree.
    /// </summary>
    public static FedActorsSettings Validate(Config config, Extensions? extensions = null)
    {
        if (!config.HasPath(Section)) throw new ConfigException($"{Section}: section missing");
        var effective = config.GetValue(Section);
        var reference = Reference.GetValue(Section);
        ConfigSchema.Check(effective, reference, Section, scalarTypes: false);
        FedActorsSettings settings;
        try
        {
            settings = FedActorsSettings.Create(config, extensions);
        }
        catch (ConfigurationException e)
        {
            throw new ConfigException(e.Message, e);
        }
        ConfigSchema.Check(effective, reference, Section, scalarTypes: true);
        return settings;
    }

    /// <summary>
    /// The <c>fedactors</c> section as HOCON text, keys in reference.conf order; it loads back to the same
    /// values with <c>--config</c>.
    /// </summary>
    public static string Render(Config config) =>
        HoconRenderer.Render(Section, config.GetValue(Section), Reference.GetValue(Section));

    /// <summary>Every key of the <c>fedactors</c> section as full HOCON path → rendered value, sorted by path.</summary>
    public static SortedDictionary<string, string> Flatten(Config config)
    {
        var keys = new SortedDictionary<string, string>(StringComparer.Ordinal);
        HoconRenderer.Flatten(Section, config.GetValue(Section), keys);
        return keys;
    }

    private static Config ParseFile(string file)
    {
        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"{file}: cannot read config file ({e.Message})", e);
        }
        return Parse(text, file);
    }

    private static Config Parse(string text, string source)
    {
        HoconSyntaxCheck.Check(text, source);
        try
        {
            // Includes are resolved by nobody: Akka's include callback is null here, which would crash.
            return ConfigurationFactory.ParseString(text, _ => throw new ConfigException($"{source}: include is not supported"));
        }
        catch (ConfigException)
        {
            throw;
        }
        catch (Exception e)
        {
            // Akka's parser throws FormatException, its ConfigurationException and others for bad input.
            throw new ConfigException($"{source}: HOCON syntax error: {e.Message.Split('\n')[0].Trim()}", e);
        }
    }

    private static string ReadReferenceText()
    {
        using var stream = typeof(FedActorsConfig).Assembly.GetManifestResourceStream(ReferenceResource)
            ?? throw new InvalidOperationException($"embedded resource {ReferenceResource} is missing from the build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
