using FedActors.Host.Configuration;

namespace FedActors.Host.Tests;

public class ConfigOverrideSpecs
{
    [Theory]
    [InlineData("a.b=1", "a.b", "1")]
    [InlineData("a.b = 0.5 ", "a.b", "0.5")]
    [InlineData("a.b=null", "a.b", "null")]
    [InlineData("a.b=abc", "a.b", "abc")]
    [InlineData("a.b=\"quoted\"", "a.b", "\"quoted\"")]
    [InlineData("a.b=[1, 2]", "a.b", "[1, 2]")]
    [InlineData("a.b=Host=db;Port=5432", "a.b", "\"Host=db;Port=5432\"")]
    [InlineData("a.b=akka.tcp://sys@h:1", "a.b", "\"akka.tcp://sys@h:1\"")]
    [InlineData("a.b=x # not a comment", "a.b", "\"x # not a comment\"")]
    [InlineData("a.b=", "a.b", "\"\"")]
    public void Parse_must_split_at_the_first_equals_and_keep_the_value(string text, string path, string hocon)
    {
        var o = ConfigOverride.Parse(text);
        Assert.Equal(path, o.Path);
        Assert.Equal(hocon, o.Hocon);
    }

    [Fact]
    public void A_string_with_equals_must_read_back_unchanged()
    {
        var config = ConfigOverride.Parse("x.conn=Data Source=/tmp/a b.db;Mode=rwc").ToConfig();
        Assert.Equal("Data Source=/tmp/a b.db;Mode=rwc", config.GetString("x.conn"));
    }

    [Theory]
    [InlineData("no-equals")]
    [InlineData("=1")]
    [InlineData("a b=1")]
    public void Parse_must_reject_text_without_a_key_path(string text)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigOverride.Parse(text));
        Assert.StartsWith("--set", e.Message);
    }
}
