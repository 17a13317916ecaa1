using System.Text;
using FedActors.Host.Cli;

namespace FedActors.Host.Runs;

/// <summary>One variant of a sweep: the values it sets and the directory (under the sweep's) that holds its run.</summary>
/// <param name="Name">The directory's name: the values, joined by <c>_</c>, made safe for a file name.</param>
/// <param name="Settings">(key, value) pairs, one per varied key, in the order the keys were given.</param>
public sealed record SweepVariant(string Name, IReadOnlyList<(string Key, string Value)> Settings)
{
    /// <summary>The settings as <c>--set key=value</c> arguments.</summary>
    public IEnumerable<string> SetArguments => Settings.SelectMany(s => new[] { "--set", $"{s.Key}={s.Value}" });

    /// <summary>The values as a label: <c>q8</c>, or <c>q8, 0.05</c> for two keys.</summary>
    public string Label => string.Join(", ", Settings.Select(s => s.Value));
}

/// <summary>
/// The variants of <c>fedactors sweep</c>: every combination of the values of each <c>--vary KEY=V1,V2,...</c>, the first
/// key varying slowest. A value may itself hold commas inside brackets or quotes (a HOCON list or string).
/// </summary>
public static class SweepPlan
{
    /// <summary>Parses the <c>--vary</c> arguments into their variants.</summary>
    /// <exception cref="UsageException">A --vary has no '=' or no value, a key is given twice, or two variants would share a directory.</exception>
    public static IReadOnlyList<SweepVariant> Parse(IReadOnlyList<string> varies)
    {
        ArgumentNullException.ThrowIfNull(varies);
        if (varies.Count == 0) throw new UsageException("sweep needs at least one --vary KEY=V1,V2,...");
        var axes = new List<(string Key, List<string> Values)>();
        foreach (var vary in varies)
        {
            int eq = vary.IndexOf('=');
            if (eq <= 0) throw new UsageException($"--vary {vary}: expected KEY=V1,V2,...");
            var key = vary[..eq].Trim();
            if (axes.Any(a => a.Key == key)) throw new UsageException($"--vary names {key} twice");
            var values = SplitTopLevel(vary[(eq + 1)..]).Select(v => v.Trim()).ToList();
            if (values.Count == 0 || values.Any(v => v.Length == 0)) throw new UsageException($"--vary {vary}: every value must be non-empty");
            if (values.Distinct().Count() != values.Count) throw new UsageException($"--vary {vary}: a value is given twice");
            axes.Add((key, values));
        }
        IEnumerable<IReadOnlyList<(string, string)>> combos = [[]];
        foreach (var (key, values) in axes)
            combos = combos.SelectMany(c => values.Select(v => (IReadOnlyList<(string, string)>)[.. c, (key, v)])).ToList();
        var variants = combos.Select(c => new SweepVariant(string.Join("_", c.Select(s => SafeName(s.Item2))), c)).ToList();
        if (variants.GroupBy(v => v.Name).FirstOrDefault(g => g.Count() > 1) is { } clash)
            throw new UsageException($"two variants would share the directory '{clash.Key}': {string.Join(" and ", clash.Select(v => v.Label))}");
        return variants;
    }

    /// <summary>Splits on commas outside brackets, braces and double quotes.</summary>
    private static List<string> SplitTopLevel(string text)
    {
        var parts = new List<string>();
        var current = new StringBuilder();
        int depth = 0;
        bool quoted = false;
        foreach (char ch in text)
        {
            if (ch == '"') quoted = !quoted;
            else if (!quoted && ch is '[' or '{') depth++;
            else if (!quoted && ch is ']' or '}') depth--;
            if (ch == ',' && depth == 0 && !quoted)
            {
                parts.Add(current.ToString());
                current.Clear();
            }
            else current.Append(ch);
        }
        parts.Add(current.ToString());
        return parts;
    }

    /// <summary>A value as a directory name: letters, digits, '.', '-' and '+' kept, anything else '-'.</summary>
    private static string SafeName(string value)
    {
        var name = new string(value.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '+' ? c : '-').ToArray()).Trim('-', '.');
        return name.Length == 0 ? "value" : name;
    }
}
