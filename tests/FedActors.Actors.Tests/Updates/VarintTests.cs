using FedActors.Actors.Updates;

namespace FedActors.Actors.Tests.Updates;

public sealed class VarintTests
{
    [Theory(DisplayName = "A varint must be LEB128: seven bits a byte, low bits first, the high bit on all bytes but the last")]
    [InlineData(0u, "00")]
    [InlineData(127u, "7F")]
    [InlineData(128u, "8001")]
    [InlineData(300u, "AC02")]
    [InlineData(16_384u, "808001")]
    [InlineData(uint.MaxValue, "FFFFFFFF0F")]
    public void Values_must_encode_as_LEB128(uint value, string hex)
    {
        var buffer = new byte[Varint.MaxBytes];
        int n = Varint.Write(value, buffer);

        Assert.Equal(hex, Convert.ToHexString(buffer, 0, n));
        Assert.Equal(n, Varint.SizeOf(value));
        Assert.Equal(value, Varint.Read(buffer.AsSpan(0, n), out int consumed));
        Assert.Equal(n, consumed);
    }

    [Theory(DisplayName = "A varint that ends early or runs past 32 bits must fail to read")]
    [InlineData("", "truncated")]
    [InlineData("80", "truncated")]
    [InlineData("FFFFFFFF10", "past 32 bits")]
    [InlineData("FFFFFFFF8F01", "past 32 bits")]
    public void Bad_varints_must_fail(string hex, string message)
    {
        var e = Assert.Throws<InvalidDataException>(() => Varint.Read(Convert.FromHexString(hex), out _));
        Assert.Contains(message, e.Message);
    }
}
