using System.Globalization;
using Akka.Configuration;

namespace FedActors.Actors.Configuration;

/// <summary>
/// The one reader of FedActors' configuration: typed values under one HOCON section, every missing, mistyped or
/// out-of-range value a <see cref="ConfigurationException"/> that names the full key path and the bad value, e.g.
/// <c>fedactors.server.buffer-size must be ≥ 1, got 0</c>. Every settings record reads its section through it, and the
/// host builds its one settings tree from those records.
/// </summary>
public sealed class ConfigReader
{
    private readonly Config _config;
    private readonly string _section;

    /// <summary>Reads keys under <paramref name="section"/> (a HOCON path such as <c>fedactors.client</c>).</summary>
    public ConfigReader(Config config, string section)
    {
        ArgumentNullException.ThrowIfNull(config);
        _config = config;
        _section = section;
    }

    /// <summary>The full path of <paramref name="key"/>: itself when it starts with <c>fedactors.</c>, else inside the section.</summary>
    public string Key(string key) => key.StartsWith("fedactors.", StringComparison.Ordinal) ? key : $"{_section}.{key}";

    /// <summary>A string; HOCON <c>null</c> reads as the empty string.</summary>
    public string String(string key) => Scalar(key) ?? "";

    /// <summary>A name that <paramref name="parse"/> turns into a value; it throws <see cref="FormatException"/> or <see cref="ArgumentException"/> for unknown names, listing the valid ones.</summary>
    public T Enum<T>(string key, Func<string, T> parse)
    {
        var value = String(key).Trim().ToLowerInvariant();
        try
        {
            return parse(value);
        }
        catch (FormatException e)
        {
            throw new ConfigurationException($"{Key(key)}: unknown '{value}'; {e.Message}");
        }
        catch (ArgumentException e)
        {
            // The parser's own message names the value and lists the valid ones; the parameter name means nothing here.
            throw new ConfigurationException($"{Key(key)}: {e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal)}");
        }
    }

    /// <summary>One of <paramref name="allowed"/>, compared exactly; the error lists the valid values, as <see cref="Enum"/>'s does.</summary>
    public string OneOf(string key, IReadOnlyList<string> allowed)
    {
        var value = Scalar(key);
        if (value is null || !allowed.Contains(value))
            throw new ConfigurationException($"{Key(key)}: unknown {(value is null ? "null" : $"'{value}'")}; valid values are {string.Join(", ", allowed)}");
        return value;
    }

    /// <summary>An integer ≥ <paramref name="min"/>.</summary>
    public int Int(string key, int min = int.MinValue)
    {
        var raw = Scalar(key);
        if (raw is null || !double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            throw Bad(key, "an integer", raw);
        if (value != Math.Floor(value) || value < int.MinValue || value > int.MaxValue)
            throw new ConfigurationException($"{Key(key)} must be an integer, got {Format(value)}");
        if (value < min) throw new ConfigurationException($"{Key(key)} must be ≥ {min}, got {Format(value)}");
        return (int)value;
    }

    /// <summary>An integer ≥ <paramref name="min"/>, or HOCON <c>null</c> for "not set".</summary>
    public int? OptionalInt(string key, int min = int.MinValue) => IsNull(key) ? null : Int(key, min);

    /// <summary>A 64-bit integer, read exactly: no value beyond 2^53 loses a digit to a double on the way.</summary>
    public long Long(string key)
    {
        var raw = Scalar(key);
        if (raw is null || !long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            throw Bad(key, $"an integer in [{long.MinValue}, {long.MaxValue}]", raw);
        return value;
    }

    /// <summary>
    /// A finite number in the given bounds: ≥ <paramref name="min"/>, &gt; <paramref name="minExclusive"/>,
    /// ≤ <paramref name="max"/>, &lt; <paramref name="maxExclusive"/> (NaN bounds are unset).
    /// </summary>
    public double Double(string key, double min = double.NegativeInfinity, double minExclusive = double.NaN,
        double max = double.PositiveInfinity, double maxExclusive = double.NaN)
    {
        var raw = Scalar(key);
        if (raw is null || !double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            throw Bad(key, "a number", raw);
        if (value < min) throw new ConfigurationException($"{Key(key)} must be ≥ {Format(min)}, got {Format(value)}");
        if (!double.IsNaN(minExclusive) && !(value > minExclusive))
            throw new ConfigurationException($"{Key(key)} must be > {Format(minExclusive)}, got {Format(value)}");
        if (value > max) throw new ConfigurationException($"{Key(key)} must be ≤ {Format(max)}, got {Format(value)}");
        if (!double.IsNaN(maxExclusive) && !(value < maxExclusive))
            throw new ConfigurationException($"{Key(key)} must be < {Format(maxExclusive)}, got {Format(value)}");
        return value;
    }

    /// <summary>A number in the given bounds (see <see cref="Double"/>), or HOCON <c>null</c> for "not set".</summary>
    public double? OptionalDouble(string key, double min = double.NegativeInfinity, double minExclusive = double.NaN,
        double max = double.PositiveInfinity, double maxExclusive = double.NaN) =>
        IsNull(key) ? null : Double(key, min, minExclusive, max, maxExclusive);

    /// <summary>A boolean: true/yes/on or false/no/off.</summary>
    public bool Bool(string key)
    {
        var raw = Scalar(key);
        return TryParseBoolean(raw, out var value) ? value : throw Bad(key, "true or false", raw);
    }

    /// <summary>True when the value is HOCON <c>null</c>.</summary>
    public bool IsNull(string key) => Scalar(key) is null;

    /// <summary>HOCON booleans: true/yes/on and false/no/off.</summary>
    public static bool TryParseBoolean(string? raw, out bool value)
    {
        value = raw is "true" or "yes" or "on";
        return value || raw is "false" or "no" or "off";
    }

    /// <summary>A finite number in invariant notation.</summary>
    public static bool TryParseFinite(string raw, out double value) =>
        double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    /// <summary>The scalar text at <paramref name="key"/>, trimmed; null for HOCON <c>null</c>.</summary>
    private string? Scalar(string key)
    {
        var path = Key(key);
        if (!_config.HasPath(path)) throw new ConfigurationException($"{path} is missing; every key has a default in config/reference.conf");
        var value = _config.GetValue(path);
        if (value.IsObject()) throw new ConfigurationException($"{path} must be a value, got a section");
        if (HoconList.IsList(value)) throw new ConfigurationException($"{path} must be a single value, got a list");
        return value.GetString()?.Trim();
    }

    private ConfigurationException Bad(string key, string expected, string? raw) =>
        new($"{Key(key)} must be {expected}, got {(raw is null ? "null" : $"'{raw}'")}");

    private static string Format(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
