using System.Globalization;
using System.Text.RegularExpressions;

namespace FedActors.Host.Tests;

public class PrivacyCommandSpecs
{
    [Fact(DisplayName = "privacy epsilon must print the accountant's ε and order for a plan")]
    public async Task Epsilon_must_print_the_guarantee()
    {
        using var dir = new TempDir();
        var (code, output, err) = await CommandRunner.RunAsync(dir.Path, "privacy", "epsilon", "--q", "0.01", "--sigma", "1.1",
            "--steps", "10000", "--delta", "1e-5");
        Assert.True(code == 0, err);
        var m = Regex.Match(output, @"ε = ([0-9.]+) at δ = 1E-05 \(Rényi order ([0-9.]+)\) for 10,000 steps");
        Assert.True(m.Success, output);
        var accountant = new Actors.Privacy.RdpAccountant([new Actors.Privacy.PrivacyCharge(0.01, 1.1, 10_000)]).Epsilon(1e-5);
        Assert.Equal(accountant.Epsilon, double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), 1e-5);
        Assert.Equal(accountant.Order, double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    [Fact(DisplayName = "privacy sigma must print a noise multiplier that meets the target, which epsilon then confirms")]
    public async Task Sigma_must_meet_the_target()
    {
        using var dir = new TempDir();
        var (code, output, err) = await CommandRunner.RunAsync(dir.Path, "privacy", "sigma", "--q=0.01", "--steps=10000", "--delta=1e-5", "--epsilon=2");
        Assert.True(code == 0, err);
        var sigma = Regex.Match(output, @"σ = ([0-9.]+) gives ε = ([0-9.]+)");
        Assert.True(sigma.Success, output);
        Assert.True(double.Parse(sigma.Groups[2].Value, CultureInfo.InvariantCulture) <= 2);

        (code, output, err) = await CommandRunner.RunAsync(dir.Path, "privacy", "epsilon", "--q", "0.01", "--sigma", sigma.Groups[1].Value,
            "--steps", "10000", "--delta", "1e-5");
        Assert.True(code == 0, err);
        var eps = double.Parse(Regex.Match(output, @"ε = ([0-9.]+)").Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.InRange(eps, 1.999, 2.0);
    }

    [Theory(DisplayName = "privacy must name a bad or missing value and exit 2")]
    [InlineData("--q must be a sampling rate", "epsilon", "--q", "1.5", "--sigma", "1", "--steps", "10", "--delta", "1e-5")]
    [InlineData("--sigma is required", "epsilon", "--q", "0.1", "--steps", "10", "--delta", "1e-5")]
    [InlineData("--delta must be in (0, 1)", "epsilon", "--q", "0.1", "--sigma", "1", "--steps", "10", "--delta", "0")]
    [InlineData("--steps must be a whole number", "epsilon", "--q", "0.1", "--sigma", "1", "--steps", "2.5", "--delta", "1e-5")]
    [InlineData("--q must be a number", "epsilon", "--q", "abc", "--sigma", "1", "--steps", "10", "--delta", "1e-5")]
    [InlineData("unknown option '--sigma'", "sigma", "--q", "0.1", "--sigma", "1", "--steps", "10", "--delta", "1e-5", "--epsilon", "1")]
    [InlineData("--epsilon must be finite and > 0", "sigma", "--q", "0.1", "--steps", "10", "--delta", "1e-5", "--epsilon", "-1")]
    [InlineData("unknown privacy calculation 'budget'", "budget")]
    public async Task Bad_input_must_be_named(string named, params string[] args)
    {
        using var dir = new TempDir();
        var (code, _, err) = await CommandRunner.RunAsync(dir.Path, ["privacy", .. args]);
        Assert.Equal(2, code);
        Assert.Contains(named, err);
    }
}
