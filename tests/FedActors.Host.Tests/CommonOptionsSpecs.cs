using FedActors.Host.Cli;

namespace FedActors.Host.Tests;

public class CommonOptionsSpecs
{
    [Fact]
    public void Parse_must_read_every_common_option_in_both_forms()
    {
        var o = CommonOptions.Parse(["--config", "a.conf", "--set", "x.y=1", "--set=x.z=a=b", "--out=runs/r1",
            "--data-dir", "/d", "--plain"]);

        Assert.Equal("a.conf", o.ConfigFile);
        Assert.Equal(["x.y=1", "x.z=a=b"], o.Sets);
        Assert.Equal("runs/r1", o.OutDir);
        Assert.Equal("/d", o.DataDir);
        Assert.True(o.Plain);
        Assert.False(o.Help);
        Assert.Empty(o.Remaining);
    }

    [Fact]
    public void Data_dir_must_become_the_last_override()
    {
        var o = CommonOptions.Parse(["--data-dir", "/my data", "--set", "fedactors.data.dir=/other"]);
        var overrides = o.Overrides();
        Assert.Equal("fedactors.data.dir", overrides[^1].Path);
        Assert.Equal("\"/my data\"", overrides[^1].Hocon);
    }

    [Fact]
    public void Options_a_command_does_not_accept_must_stay_remaining_and_be_rejected()
    {
        var o = CommonOptions.Parse(["--out", "x", "--role", "worker"], CommonOption.ConfigOptions);
        Assert.Equal(["--out", "x", "--role", "worker"], o.Remaining);
        var e = Assert.Throws<UsageException>(o.RejectRemaining);
        Assert.Equal("unknown option '--out'", e.Message);
    }

    [Fact]
    public void An_option_without_its_value_must_be_a_usage_error()
    {
        var e = Assert.Throws<UsageException>(() => CommonOptions.Parse(["--set"]));
        Assert.Equal("--set needs a value", e.Message);
    }

    [Fact]
    public void Help_must_be_recognised()
    {
        Assert.True(CommonOptions.Parse(["-h"]).Help);
        Assert.True(CommonOptions.Parse(["--help"]).Help);
    }
}
