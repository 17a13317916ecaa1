using System.Text.RegularExpressions;
using Akka.Configuration;
using FedActors.Actors.Configuration;

namespace FedActors.Host.Configuration;

/// <summary>
/// One <c>--set path=value</c>. The value is HOCON (so <c>null</c>, numbers, lists and objects work), unless
/// reading it as HOCON would lose text (<c>a=b</c>, <c>x://y</c>, <c>a # b</c>): then it is taken as a literal string.
/// </summary>
/// <param name="Path">The HOCON key path, e.g. <c>fedactors.client.lr</c>.</param>
/// <param name="Hocon">The value as HOCON text, ready to follow <c>path =</c>.</param>
public sealed partial record ConfigOverride(string Path, string Hocon)
{
    private const string Probe = "fedactors-set-probe";

    /// <summary>Parses <c>path=value</c>: the first '=' separates them, later ones belong to the value.</summary>
    /// <exception cref="ConfigException">The text has no '=' or the path is not a plain dotted key path.</exception>
    public static ConfigOverride Parse(string text)
    {
        var eq = text.IndexOf('=');
        if (eq < 0) throw new ConfigException($"--set {text}: expected path=value");
        var path = text[..eq].Trim();
        if (!PathPattern().IsMatch(path))
            throw new ConfigException($"--set {text}: '{path}' is not a key path like fedactors.client.lr");
        return new ConfigOverride(path, ToHocon(text[(eq + 1)..].Trim()));
    }

    /// <summary>This override as a config holding only its key.</summary>
    public Config ToConfig()
    {
        try
        {
            return ConfigurationFactory.ParseString($"{Path} = {Hocon}");
        }
        catch (Exception e) when (e is FormatException or Akka.Configuration.ConfigurationException)
        {
            throw new ConfigException($"--set {Path}: {e.Message}", e);
        }
    }

    /// <summary>HOCON text for <paramref name="value"/> when it reads back unchanged, else a quoted string.</summary>
    private static string ToHocon(string value)
    {
        if (value.Length == 0) return "\"\"";
        try
        {
            var parsed = ConfigurationFactory.ParseString($"{Probe} = {value}");
            if (parsed.Root.GetObject().Items.Count == 1 && parsed.GetValue(Probe) is { } v)
            {
                // Structured values and quoted strings are HOCON on purpose; a bare scalar must keep all its text.
                if (v.IsObject() || HoconList.IsList(v) || value.StartsWith('"')) return value;
                var read = v.GetString();
                if (read is null || read == value) return value;
            }
        }
        catch (Exception e) when (e is FormatException or Akka.Configuration.ConfigurationException)
        {
            // Not HOCON: fall through to a literal string.
        }
        return HoconString.Quote(value);
    }


    [GeneratedRegex(@"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$")]
    private static partial Regex PathPattern();
}
