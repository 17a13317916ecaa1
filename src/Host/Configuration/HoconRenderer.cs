using System.Text;
using System.Text.RegularExpressions;
using Akka.Configuration.Hocon;
using FedActors.Actors.Configuration;

namespace FedActors.Host.Configuration;

/// <summary>
/// Writes a config tree as readable HOCON (nested sections, two-space indent, keys in reference.conf order)
/// that parses back to the same values. Akka's own <c>ToString</c> drops quotes and nulls, so it cannot be reused.
/// </summary>
internal static partial class HoconRenderer
{
    /// <summary>Renders a value as one HOCON entry.</summary>
    /// <param name="name">The entry's key.</param>
    /// <param name="value">The value; a section renders as a nested block.</param>
    /// <param name="order">The reference tree whose key order is kept; keys it lacks come last.</param>
    public static string Render(string name, HoconValue value, HoconValue? order)
    {
        var sb = new StringBuilder();
        WriteEntry(sb, name, value, order, 0);
        return sb.ToString();
    }

    /// <summary>Every leaf under <paramref name="name"/> as full path → rendered value.</summary>
    public static void Flatten(string name, HoconValue value, IDictionary<string, string> into)
    {
        if (value.IsObject())
        {
            foreach (var (k, v) in value.GetObject().Items) Flatten(name + "." + Key(k), v, into);
            return;
        }
        into[name] = Value(value);
    }

    private static void WriteEntry(StringBuilder sb, string key, HoconValue value, HoconValue? order, int depth)
    {
        sb.Append(' ', depth * 2).Append(Key(key));
        if (value.IsObject())
        {
            sb.Append(" {\n");
            var items = value.GetObject().Items;
            var known = order is not null && order.IsObject() ? order.GetObject().Items : null;
            var keys = known is null
                ? items.Keys.ToList()
                : known.Keys.Where(items.ContainsKey).Concat(items.Keys.Where(k => !known.ContainsKey(k))).ToList();
            foreach (var k in keys)
            {
                HoconValue? childOrder = null;
                known?.TryGetValue(k, out childOrder);
                WriteEntry(sb, k, items[k], childOrder, depth + 1);
            }
            sb.Append(' ', depth * 2).Append("}\n");
            return;
        }
        sb.Append(" = ").Append(Value(value)).Append('\n');
    }

    /// <summary>A value on one line; sections inside lists render inline as <c>{ k = v, ... }</c>.</summary>
    private static string Value(HoconValue value)
    {
        if (HoconList.IsList(value)) return "[" + string.Join(", ", HoconList.Items(value).Select(Value)) + "]";
        if (value.IsObject())
            return "{ " + string.Join(", ", value.GetObject().Items.Select(kv => $"{Key(kv.Key)} = {Value(kv.Value)}")) + " }";
        var text = value.GetString();
        if (text is null) return "null";
        return IsBareScalar(text) ? text : HoconString.Quote(text);
    }

    /// <summary>Numbers and booleans stay bare; everything else is quoted so it reads back as the same string.</summary>
    private static bool IsBareScalar(string text) =>
        ConfigReader.TryParseBoolean(text, out _) || (ConfigReader.TryParseFinite(text, out _) && BareNumber().IsMatch(text));

    private static string Key(string key) => BareKey().IsMatch(key) ? key : HoconString.Quote(key);

    [GeneratedRegex(@"^[A-Za-z0-9_-]+$")]
    private static partial Regex BareKey();

    [GeneratedRegex(@"^-?[0-9][0-9.eE+-]*$")]
    private static partial Regex BareNumber();
}
