using System.Security.Cryptography;
using System.Text;
using FedActors.Actors.SecureAggregation;

namespace FedActors.Actors.Tests.SecureAggregation;

public class AgreementKeyTests
{
    private static readonly byte[] Context = Encoding.UTF8.GetBytes("cohort 7: members 1 and 2");

    [Fact]
    public void Two_members_derive_the_same_seed_and_a_third_another()
    {
        using var a = AgreementKey.Generate();
        using var b = AgreementKey.Generate();
        using var c = AgreementKey.Generate();

        var ab = a.SharedSeed(b.PublicKey, Context);
        Assert.Equal(32, ab.Length);
        Assert.Equal(ab, b.SharedSeed(a.PublicKey, Context));
        Assert.NotEqual(ab, a.SharedSeed(c.PublicKey, Context));
        Assert.NotEqual(ab, a.SharedSeed(b.PublicKey, Encoding.UTF8.GetBytes("cohort 8: members 1 and 2")));
    }

    [Fact]
    public void A_key_derived_from_a_seed_is_reproducible_and_a_rebuilt_private_key_agrees_like_the_original()
    {
        var seed = RandomNumberGenerator.GetBytes(32);
        using var first = AgreementKey.FromSeed(seed, Context);
        using var again = AgreementKey.FromSeed(seed, Context);
        using var other = AgreementKey.FromSeed(seed, Encoding.UTF8.GetBytes("another member"));
        Assert.Equal(first.PublicKey, again.PublicKey);
        Assert.NotEqual(first.PublicKey, other.PublicKey);

        // A dropped member's key rebuilt from its scalar (as its Shamir shares give it) derives the seeds it would have.
        var scalar = first.ExportPrivateKey();
        Assert.Equal(AgreementKey.PrivateKeyLength, scalar.Length);
        using var rebuilt = AgreementKey.FromPrivateKey(scalar);
        Assert.Equal(first.PublicKey, rebuilt.PublicKey);
        Assert.Equal(first.SharedSeed(other.PublicKey, Context), rebuilt.SharedSeed(other.PublicKey, Context));
    }

    [Fact]
    public void A_public_key_off_the_curve_or_of_the_wrong_length_is_refused_with_a_reason()
    {
        using var a = AgreementKey.Generate();
        var offCurve = a.PublicKey.ToArray();
        offCurve[40] ^= 1;

        Assert.Null(AgreementKey.Validate(a.PublicKey));
        Assert.StartsWith("the public key is not a point on P-256", AgreementKey.Validate(offCurve));
        Assert.Equal("a public key is 64 bytes, got 63", AgreementKey.Validate(a.PublicKey.AsSpan(1)));
        Assert.StartsWith("the public key is not a point", Assert.Throws<ArgumentException>(() => a.SharedSeed(offCurve, Context)).Message);
        Assert.Throws<ArgumentException>(() => AgreementKey.FromPrivateKey(new byte[32]));           // 0 is no scalar
        Assert.Throws<ArgumentException>(() => AgreementKey.FromPrivateKey(Enumerable.Repeat((byte)0xFF, 32).ToArray())); // above n
    }
}
