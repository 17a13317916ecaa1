using System.Globalization;
using Akka.Configuration;
using FedActors.Actors.Configuration;

namespace FedActors.Host.Configuration;

/// <summary>
/// Reads typed, validated values of one config section. Every failure is a <see cref="ConfigException"/>
/// naming the full key path, what was expected and the value found.
/// </summary>
public sealed class ConfigReader
{
    private readonly Config _config;
    private readonly string _section;

    /// <summary>Reads keys under <paramref name="section"/> (a HOCON path such as <c>fedactors.client</c>).</summary>
    public ConfigReader(Config config, string section)
    {
        _config = config;
        _section = section;
    }

    /// <summary>The full path of <paramref name="key"/> inside this section.</summary>
    public string PathOf(string key) => $"{_section}.{key}";

    /// <summary>An integer ≥ 1.</summary>
    public int PositiveInt(string key) => Int(key, 1, "a positive integer");

    /// <summary>An integer ≥ 0.</summary>
    public int NonNegativeInt(string key) => Int(key, 0, "a non-negative integer");

    /// <summary>A 64-bit integer (any sign).</summary>
    public long Long(string key)
    {
        var raw = Scalar(key, "an integer");
        if (raw is null || !long.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            throw ConfigException.BadValue(PathOf(key), "an integer", raw);
        return value;
    }

    /// <summary>A finite number &gt; 0.</summary>
    public double PositiveDouble(string key) =>
        Double(key, "a positive number", v => v > 0);

    /// <summary>A finite number ≥ 0.</summary>
    public double NonNegativeDouble(string key) =>
        Double(key, "a non-negative number", v => v >= 0);

    /// <summary>A finite number in [<paramref name="min"/>, <paramref name="max"/>) or, with <paramref name="maxInclusive"/>, [min, max].</summary>
    public double DoubleInRange(string key, double min, double max, bool maxInclusive)
    {
        var expected = string.Create(CultureInfo.InvariantCulture, $"a number in [{min}, {max}{(maxInclusive ? "]" : ")")}");
        return Double(key, expected, v => v >= min && (maxInclusive ? v <= max : v < max));
    }

    /// <summary>A number in [0, 1], or <c>null</c> (HOCON <c>null</c>) for "not set".</summary>
    public double? NullableProbability(string key)
    {
        const string expected = "a number in [0, 1] or null";
        var raw = Scalar(key, expected);
        if (raw is null) return null;
        if (!TryParseFinite(raw, out var value) || value is < 0 or > 1)
            throw ConfigException.BadValue(PathOf(key), expected, raw);
        return value;
    }

    /// <summary>A positive integer, or <c>null</c> (HOCON <c>null</c>) for "not set".</summary>
    public int? NullablePositiveInt(string key)
    {
        const string expected = "a positive integer or null";
        return Scalar(key, expected) is null ? null : Int(key, 1, expected);
    }

    /// <summary>A boolean (<c>true</c>/<c>false</c>, also <c>yes</c>/<c>no</c>, <c>on</c>/<c>off</c>).</summary>
    public bool Bool(string key)
    {
        var raw = Scalar(key, "a boolean (true or false)");
        return TryParseBoolean(raw, out var value) ? value : throw ConfigException.BadValue(PathOf(key), "a boolean (true or false)", raw);
    }

    /// <summary>HOCON booleans: true/yes/on and false/no/off.</summary>
    internal static bool TryParseBoolean(string? raw, out bool value)
    {
        value = raw is "true" or "yes" or "on";
        return value || raw is "false" or "no" or "off";
    }

    /// <summary>A finite number in invariant notation.</summary>
    internal static bool TryParseFinite(string raw, out double value) =>
        double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    /// <summary>A string; <c>null</c> reads as the empty string.</summary>
    public string String(string key) => Scalar(key, "a string") ?? "";

    /// <summary>One of <paramref name="allowed"/> (compared exactly), listing the valid values on failure.</summary>
    public string OneOf(string key, IReadOnlyList<string> allowed)
    {
        var expected = "one of " + string.Join(" | ", allowed);
        var raw = Scalar(key, expected);
        if (raw is null || !allowed.Contains(raw)) throw ConfigException.BadValue(PathOf(key), expected, raw);
        return raw;
    }

    private int Int(string key, int min, string expected)
    {
        var raw = Scalar(key, expected);
        if (raw is null || !int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min)
            throw ConfigException.BadValue(PathOf(key), expected, raw);
        return value;
    }

    /// <summary>A finite number for which <paramref name="valid"/> holds; <paramref name="expected"/> words the rule.</summary>
    public double Double(string key, string expected, Func<double, bool> valid)
    {
        var raw = Scalar(key, expected);
        if (raw is null || !TryParseFinite(raw, out var value) || !valid(value))
            throw ConfigException.BadValue(PathOf(key), expected, raw);
        return value;
    }

    /// <summary>The scalar text at <paramref name="key"/>; null for HOCON <c>null</c>.</summary>
    private string? Scalar(string key, string expected)
    {
        var path = PathOf(key);
        var value = _config.GetValue(path);
        if (value is null) throw new ConfigException($"{path}: missing (expected {expected})");
        if (value.IsObject()) throw new ConfigException($"{path}: expected {expected}, got an object");
        if (HoconList.IsList(value)) throw new ConfigException($"{path}: expected {expected}, got a list");
        return value.GetString()?.Trim();
    }
}
