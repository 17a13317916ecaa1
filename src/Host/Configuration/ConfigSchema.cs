using Akka.Configuration.Hocon;
using FedActors.Actors.Configuration;

namespace FedActors.Host.Configuration;

/// <summary>
/// Checks the <c>fedactors</c> section of an effective config against reference.conf: every key must exist
/// there (so a typo fails instead of being ignored), sections stay sections, and numbers and booleans keep
/// their type. An empty section (<c>{}</c>) in reference.conf is an open map whose keys are not checked.
/// Ranges are the typed settings' job.
/// </summary>
internal static class ConfigSchema
{
    /// <summary>Throws a <see cref="ConfigException"/> for the first key that does not fit.</summary>
    /// <param name="effective">The value to check.</param>
    /// <param name="reference">The same path in reference.conf.</param>
    /// <param name="path">The full path of both, for messages.</param>
    /// <param name="scalarTypes">Also check that numbers and booleans stay so; without it only keys and the section/value shape are checked.</param>
    public static void Check(HoconValue effective, HoconValue reference, string path, bool scalarTypes)
    {
        if (reference.IsObject())
        {
            var known = reference.GetObject().Items;
            if (known.Count == 0) return;
            if (!effective.IsObject())
                throw new ConfigException($"{path}: expected a section {{ ... }}, got {Describe(effective)}");
            foreach (var (key, value) in effective.GetObject().Items)
            {
                var childPath = $"{path}.{key}";
                if (!known.TryGetValue(key, out var expected))
                    throw new ConfigException($"{childPath}: unknown key (valid keys under {path}: {string.Join(", ", known.Keys)})");
                Check(value, expected, childPath, scalarTypes);
            }
            return;
        }

        if (effective.IsObject()) throw new ConfigException($"{path}: expected a value, got a section");
        if (effective.Values.Count == 0) throw new ConfigException($"{path}: missing value");
        if (HoconList.IsList(reference))
        {
            if (!HoconList.IsList(effective)) throw new ConfigException($"{path}: expected a list, got {Describe(effective)}");
            return;
        }
        if (HoconList.IsList(effective)) throw new ConfigException($"{path}: expected a single value, got a list");

        if (!scalarTypes) return;
        var actual = effective.GetString();
        var template = reference.GetString();
        if (actual is null || template is null) return; // null is allowed here; settings decide where it means "off"
        if (IsNumber(template) && !IsNumber(actual)) throw ConfigException.BadValue(path, "a number", actual);
        if (ConfigReader.TryParseBoolean(template.Trim(), out _) && !ConfigReader.TryParseBoolean(actual.Trim(), out _)) throw ConfigException.BadValue(path, "a boolean (true or false)", actual);
    }

    private static string Describe(HoconValue value) =>
        HoconList.IsList(value) ? "a list" : value.GetString() is { } s ? $"'{s}'" : "null";

    private static bool IsNumber(string s) => ConfigReader.TryParseFinite(s.Trim(), out _);
}
