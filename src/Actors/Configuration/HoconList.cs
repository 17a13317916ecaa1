using Akka.Configuration.Hocon;

namespace FedActors.Actors.Configuration;

/// <summary>
/// Lists in Akka's HOCON: <see cref="HoconValue.IsArray"/> answers false for an empty list (<c>[]</c>), which holds one
/// empty <see cref="HoconArray"/>, so a key whose default is <c>[]</c> would look like a scalar. These helpers see it.
/// </summary>
public static class HoconList
{
    /// <summary>True when <paramref name="value"/> is a list, the empty one included.</summary>
    public static bool IsList(HoconValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.IsArray() || value.Values is [HoconArray];
    }

    /// <summary>The elements of the list <paramref name="value"/>; empty for <c>[]</c>.</summary>
    /// <exception cref="ArgumentException">The value is not a list.</exception>
    public static IList<HoconValue> Items(HoconValue value)
    {
        if (!IsList(value)) throw new ArgumentException("the value is not a list", nameof(value));
        return value.IsArray() ? value.GetArray() : [];
    }
}
