using FedActors.Actors.Privacy;

namespace FedActors.Actors.Tests.Privacy;

public sealed class ClientLevelAccountingTests
{
    [Fact(DisplayName = "Without amplification, k contributions must cost the RDP of k Gaussian mechanisms, kα/(2z²)")]
    public void Contributions_compose_as_unsampled_gaussians()
    {
        var accounting = new ClientLevelAccounting(NoiseMultiplier: 2.0, Delta: 1e-5);
        var byHand = RdpConversion.Epsilon([.. RdpOrders.Default], [.. RdpOrders.Default.Select(a => 7 * a / (2 * 4.0))], 1e-5);
        Assert.Equal(byHand, accounting.After(7));
        Assert.Equal(0, accounting.After(0).Epsilon);
    }

    [Theory(DisplayName = "The participation budget must be the most contributions whose ε stays within the target")]
    [InlineData(2.0, 3.0)]
    [InlineData(1.0, 8.0)]
    [InlineData(5.0, 1.0)]
    [InlineData(20.0, 4.0)]
    public void Budget_is_the_largest_count_within_target(double z, double target)
    {
        var accounting = new ClientLevelAccounting(z, 1e-5, target);
        int k = accounting.ParticipationBudget()!.Value;
        Assert.True(k >= 1);
        Assert.True(accounting.After(k).Epsilon <= target);
        Assert.True(accounting.After(k + 1).Epsilon > target);
    }

    [Fact(DisplayName = "A budget that one contribution already exceeds must allow none, and no target must set no budget")]
    public void Degenerate_budgets()
    {
        Assert.Equal(0, new ClientLevelAccounting(0.3, 1e-5, 0.5).ParticipationBudget());
        Assert.Null(new ClientLevelAccounting(1.0, 1e-5).ParticipationBudget());
    }

    [Fact(DisplayName = "The accounting must use the configured δ, or 1/N^1.1, and be absent without DP")]
    public void From_settings()
    {
        Assert.Null(ClientLevelAccounting.For(PrivacySettings.Default, 1000));
        var on = PrivacySettings.Default with { Mode = PrivacyMode.Central, NoiseMultiplier = 1.3, TargetEpsilon = 4 };
        Assert.Equal(new ClientLevelAccounting(1.3, Math.Pow(6000, -1.1), 4), ClientLevelAccounting.For(on, 6000));
        Assert.Equal(1e-6, ClientLevelAccounting.For(on with { Delta = 1e-6 }, 6000)!.Delta);
    }
}
