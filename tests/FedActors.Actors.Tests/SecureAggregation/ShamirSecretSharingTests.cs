using System.Security.Cryptography;
using FedActors.Actors.SecureAggregation;

namespace FedActors.Actors.Tests.SecureAggregation;

public class ShamirSecretSharingTests
{
    // Feeds the polynomials' coefficients in order, as little-endian 8-byte draws.
    private static Func<int, byte[]> Coefficients(params ulong[] values)
    {
        int next = 0;
        return _ => BitConverter.GetBytes(values[next++]);
    }

    [Fact]
    public void Two_of_three_shares_of_5_with_slope_7_are_12_19_26_and_any_two_rebuild_5()
    {
        var sharing = new ShamirSecretSharing(threshold: 2, members: 3);
        var shares = sharing.Split([5], Coefficients(7)); // f(x) = 5 + 7x

        Assert.Equal([1UL, 2UL, 3UL], shares.Select(s => s.X));
        Assert.Equal([12UL, 19UL, 26UL], shares.Select(s => s.Values[0]));
        // From x = 2 and 3: λ2 = 3 / (3 − 2) = 3, λ3 = 2 / (2 − 3) = −2, so 3 · 19 − 2 · 26 = 5.
        Assert.Equal([(byte)5], sharing.Reconstruct([shares[1], shares[2]]));
        Assert.Equal([(byte)5], sharing.Reconstruct([shares[2], shares[0]]));
    }

    [Fact]
    public void A_quadratic_with_a_minus_one_coefficient_evaluates_in_the_field()
    {
        // f(x) = 10 − x + 3x²: f(1..4) = 12, 20, 34, 54; the −1 is p − 1 in the field.
        var sharing = new ShamirSecretSharing(threshold: 3, members: 4);
        var shares = sharing.Split([10], Coefficients(MersenneField.Prime - 1, 3));
        Assert.Equal([12UL, 20UL, 34UL, 54UL], shares.Select(s => s.Values[0]));
        Assert.Equal([(byte)10], sharing.Reconstruct([shares[3], shares[0], shares[2]]));
    }

    [Fact]
    public void Every_threshold_subset_rebuilds_a_32_byte_secret()
    {
        var secret = RandomNumberGenerator.GetBytes(32); // 5 chunks, the last of 4 bytes
        var sharing = new ShamirSecretSharing(threshold: 3, members: 5);
        var shares = sharing.Split(secret);
        Assert.All(shares, s => Assert.Equal(5, s.Values.Length));
        for (int a = 0; a < 5; a++)
            for (int b = a + 1; b < 5; b++)
                for (int c = b + 1; c < 5; c++)
                    Assert.Equal(secret, sharing.Reconstruct([shares[c], shares[a], shares[b]]));
    }

    [Fact]
    public void One_share_of_a_two_of_n_sharing_is_uniform_whatever_the_secret()
    {
        // f(1) = s + a with a uniform: the top bit of the share is set half the time for s = 0 and for s = 2^55.
        var sharing = new ShamirSecretSharing(threshold: 2, members: 2);
        foreach (var secret in new[] { new byte[7], BitConverter.GetBytes(1UL << 55)[..7] })
        {
            int high = Enumerable.Range(0, 4000).Count(_ => sharing.Split(secret)[0].Values[0] >= 1UL << 60);
            Assert.InRange(high / 4000.0, 0.46, 0.54); // 5 standard deviations of 0.0079
        }
    }

    [Fact]
    public void Too_few_duplicated_foreign_or_out_of_field_shares_are_refused_with_a_reason()
    {
        var sharing = new ShamirSecretSharing(threshold: 3, members: 5);
        var shares = sharing.Split(RandomNumberGenerator.GetBytes(16));

        Assert.Contains("2 shares cannot rebuild a secret shared 3-of-5", Assert.Throws<ArgumentException>(() => sharing.Reconstruct(shares[..2])).Message);
        Assert.Contains("two shares at point 1", Assert.Throws<ArgumentException>(() => sharing.Reconstruct([shares[0], shares[0], shares[1]])).Message);
        Assert.Contains("outside 1 … 5", Assert.Throws<ArgumentException>(() => sharing.Reconstruct([shares[0] with { X = 9 }, shares[1], shares[2]])).Message);
        var other = new ShamirSecretSharing(3, 5).Split(RandomNumberGenerator.GetBytes(8));
        Assert.Contains("of another secret", Assert.Throws<ArgumentException>(() => sharing.Reconstruct([shares[0], shares[1], other[2]])).Message);
        var corrupt = shares[2] with { Values = [.. shares[2].Values] };
        corrupt.Values[0] = MersenneField.Prime;
        Assert.Contains("outside the field", Assert.Throws<ArgumentException>(() => sharing.Reconstruct([shares[0], shares[1], corrupt])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ShamirSecretSharing(threshold: 4, members: 3));
        Assert.Throws<ArgumentException>(() => sharing.Split([]));
    }
}
