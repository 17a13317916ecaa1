using System.Security.Cryptography;
using System.Text;
using FedActors.Actors.SecureAggregation;

namespace FedActors.Actors.Tests.SecureAggregation;

public class ShareEnvelopeTests
{
    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(32);
    private static readonly byte[] Nonce = RandomNumberGenerator.GetBytes(12);
    private static readonly byte[] FromOneToTwo = Encoding.UTF8.GetBytes("cohort 3, from 1 to 2");

    [Fact]
    public void A_sealed_share_opens_under_the_same_key_and_associated_data()
    {
        byte[] share = [1, 2, 3, 4, 5];
        var envelope = ShareEnvelope.Seal(Key, Nonce, share, FromOneToTwo);
        Assert.Equal(share.Length + ShareEnvelope.Overhead, envelope.Length);
        Assert.Equal(share, ShareEnvelope.Open(Key, envelope, FromOneToTwo, out var reason));
        Assert.Null(reason);
    }

    [Fact]
    public void A_share_for_another_member_another_key_or_altered_bytes_is_refused_with_a_reason()
    {
        var envelope = ShareEnvelope.Seal(Key, Nonce, [1, 2, 3], FromOneToTwo);

        Assert.Null(ShareEnvelope.Open(Key, envelope, Encoding.UTF8.GetBytes("cohort 3, from 1 to 4"), out var reason));
        Assert.StartsWith("the envelope does not authenticate", reason);
        Assert.Null(ShareEnvelope.Open(RandomNumberGenerator.GetBytes(32), envelope, FromOneToTwo, out _));
        var altered = envelope.ToArray();
        altered[13] ^= 0x40;
        Assert.Null(ShareEnvelope.Open(Key, altered, FromOneToTwo, out _));
        Assert.Null(ShareEnvelope.Open(Key, envelope.AsSpan(0, 20), FromOneToTwo, out reason));
        Assert.Equal("an envelope is at least 28 bytes, got 20", reason);
    }
}
