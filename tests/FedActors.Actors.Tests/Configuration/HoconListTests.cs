using Akka.Configuration;
using FedActors.Actors.Configuration;

namespace FedActors.Actors.Tests.Configuration;

public sealed class HoconListTests
{
    private static Akka.Configuration.Hocon.HoconValue Value(string hocon) => ConfigurationFactory.ParseString(hocon).GetValue("k");

    [Theory(DisplayName = "HoconList must see every list, the empty one and lists of sections included, and nothing else")]
    [InlineData("k = []", true, 0)]
    [InlineData("k = [a]", true, 1)]
    [InlineData("k = [1, 2, 3]", true, 3)]
    [InlineData("k = [{ a = 1 }, { a = 2 }]", true, 2)]
    [InlineData("k = a", false, -1)]
    [InlineData("k = \"\"", false, -1)]
    [InlineData("k { a = 1 }", false, -1)]
    public void Lists_must_be_recognised(string hocon, bool isList, int count)
    {
        var value = Value(hocon);

        Assert.Equal(isList, HoconList.IsList(value));
        if (isList) Assert.Equal(count, HoconList.Items(value).Count);
        else Assert.Throws<ArgumentException>(() => HoconList.Items(value));
    }
}
