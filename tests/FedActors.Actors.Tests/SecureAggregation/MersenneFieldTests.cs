using FedActors.Actors.SecureAggregation;

namespace FedActors.Actors.Tests.SecureAggregation;

public class MersenneFieldTests
{
    private const ulong P = MersenneField.Prime;

    [Fact]
    public void Addition_and_subtraction_wrap_at_p()
    {
        Assert.Equal(0UL, MersenneField.Add(P - 1, 1));
        Assert.Equal(5UL, MersenneField.Add(P - 1, 6));
        Assert.Equal(P - 1, MersenneField.Subtract(0, 1));
        Assert.Equal(3UL, MersenneField.Subtract(10, 7));
    }

    [Fact]
    public void Multiplication_reduces_122_bit_products()
    {
        Assert.Equal(1UL, MersenneField.Multiply(P - 1, P - 1));     // (−1)² = 1
        Assert.Equal(1UL, MersenneField.Multiply(1UL << 60, 2));      // 2^61 ≡ 1
        Assert.Equal(4UL, MersenneField.Multiply(1UL << 31, 1UL << 32)); // 2^63 = 4 · 2^61 ≡ 4
        Assert.Equal(42UL * 1_000_003UL, MersenneField.Multiply(42, 1_000_003));
    }

    [Fact]
    public void Inverses_multiply_to_one_and_zero_has_none()
    {
        foreach (ulong a in new[] { 1UL, 2UL, 3UL, 12345UL, P - 1, P - 2, 1UL << 40 })
            Assert.Equal(1UL, MersenneField.Multiply(a, MersenneField.Inverse(a)));
        Assert.Equal((P + 1) / 2, MersenneField.Inverse(2)); // 2 · (p + 1)/2 = p + 1 ≡ 1
        Assert.Throws<DivideByZeroException>(() => MersenneField.Inverse(0));
    }

    [Fact]
    public void Random_bytes_map_to_field_elements_or_are_rejected()
    {
        Assert.True(MersenneField.TryFromRandom(BitConverter.GetBytes(P - 1), out ulong v));
        Assert.Equal(P - 1, v);
        Assert.False(MersenneField.TryFromRandom(BitConverter.GetBytes(P), out _));
        Assert.True(MersenneField.TryFromRandom(BitConverter.GetBytes((7UL << 61) | 5), out v)); // the top 3 bits are dropped
        Assert.Equal(5UL, v);
    }
}
