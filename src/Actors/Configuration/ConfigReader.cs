using System.Globalization;
using Akka.Configuration;

namespace FedActors.Actors.Configuration;

/// <summary>
/// Reads values under one HOCON section and turns every missing or out-of-range value into an error
/// that names the full key path and the bad value, e.g. <c>fedactors.server.buffer-size must be ≥ 1, got 0</c>.
/// </summary>
internal sealed class ConfigReader
{
    private readonly Config _config;
    private readonly string _section;

    public ConfigReader(Config config, string section)
    {
        ArgumentNullException.ThrowIfNull(config);
        _config = config;
        _section = section;
    }

    public string Key(string key) => key.StartsWith("fedactors.", StringComparison.Ordinal) ? key : $"{_section}.{key}";

    public string String(string key)
    {
        var raw = Raw(key);
        return raw ?? throw Missing(key);
    }

    public T Enum<T>(string key, Func<string, T> parse)
    {
        var value = String(key).Trim().ToLowerInvariant();
        try { return parse(value); }
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

    public int Int(string key, int min = int.MinValue)
    {
        var value = Number(key);
        if (value != Math.Floor(value) || value < int.MinValue || value > int.MaxValue)
            throw new ConfigurationException($"{Key(key)} must be an integer, got {Format(value)}");
        if (value < min) throw new ConfigurationException($"{Key(key)} must be ≥ {min}, got {Format(value)}");
        return (int)value;
    }

    public int? OptionalInt(string key, int min = int.MinValue) => IsNull(key) ? null : Int(key, min);

    public double Double(string key, double min = double.NegativeInfinity, double minExclusive = double.NaN,
        double max = double.PositiveInfinity, double maxExclusive = double.NaN)
    {
        var value = Number(key);
        if (value < min) throw new ConfigurationException($"{Key(key)} must be ≥ {Format(min)}, got {Format(value)}");
        if (!double.IsNaN(minExclusive) && !(value > minExclusive))
            throw new ConfigurationException($"{Key(key)} must be > {Format(minExclusive)}, got {Format(value)}");
        if (value > max) throw new ConfigurationException($"{Key(key)} must be ≤ {Format(max)}, got {Format(value)}");
        if (!double.IsNaN(maxExclusive) && !(value < maxExclusive))
            throw new ConfigurationException($"{Key(key)} must be < {Format(maxExclusive)}, got {Format(value)}");
        return value;
    }

    public double? OptionalDouble(string key, double min = double.NegativeInfinity, double minExclusive = double.NaN,
        double max = double.PositiveInfinity) =>
        IsNull(key) ? null : Double(key, min, minExclusive, max);

    public bool Bool(string key)
    {
        var raw = String(key).Trim().ToLowerInvariant();
        return raw switch
        {
            "true" or "on" or "yes" => true,
            "false" or "off" or "no" => false,
            _ => throw new ConfigurationException($"{Key(key)} must be true or false, got '{raw}'"),
        };
    }

    public bool IsNull(string key)
    {
        var raw = Raw(key);
        return raw is null || raw.Length == 0 || raw is "null" or "none" or "off";
    }

    private double Number(string key)
    {
        var raw = String(key).Trim();
        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            throw new ConfigurationException($"{Key(key)} must be a number, got '{raw}'");
        return value;
    }

    private string? Raw(string key)
    {
        var path = Key(key);
        if (!_config.HasPath(path)) return null;
        var value = _config.GetValue(path);
        if (value is null || value.IsEmpty) return "";
        return value.GetString();
    }

    private ConfigurationException Missing(string key) => new($"{Key(key)} is missing; every key has a default in config/reference.conf");

    private static string Format(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
