using FedActors.Actors.Updates;

namespace FedActors.Actors.Tests.Aggregation;

public sealed class DeltaBufferPoolTests
{
    [Fact]
    public void A_returned_array_must_be_rented_again_instead_of_a_new_one()
    {
        var pool = new DeltaBufferPool(8);
        var first = pool.Rent();
        Assert.True(pool.Return(first));
        Assert.Same(first, pool.Rent());
        Assert.Equal(0, pool.Available);
        Assert.NotSame(first, pool.Rent()); // empty: a fresh array
    }

    [Fact]
    public void An_array_of_another_length_must_not_be_kept()
    {
        var pool = new DeltaBufferPool(8);
        Assert.False(pool.Return(new float[7]));
        Assert.Equal(0, pool.Available);
        Assert.Equal(8, pool.Rent().Length);
    }

    [Fact]
    public void The_pool_must_keep_at_most_its_capacity()
    {
        var pool = new DeltaBufferPool(8, capacity: 2);
        Assert.True(pool.Return(new float[8]));
        Assert.True(pool.Return(new float[8]));
        Assert.False(pool.Return(new float[8]));
        Assert.Equal(2, pool.Available);
    }

    [Fact]
    public void The_default_capacity_must_bound_the_bytes_kept()
    {
        int length = 1_663_370; // McMahan et al.'s CNN
        var pool = new DeltaBufferPool(length);
        int kept = 0;
        while (pool.Return(new float[length])) kept++;
        Assert.True(kept * (long)length * sizeof(float) <= DeltaBufferPool.MaxRetainedBytes, $"{kept} arrays kept");
        Assert.True(kept >= 2);
    }

    [Fact]
    public void Returning_an_array_twice_must_throw_rather_than_let_two_trainings_share_it()
    {
        var pool = new DeltaBufferPool(8);
        var array = pool.Rent();
        pool.Return(array);
        var e = Assert.Throws<InvalidOperationException>(() => pool.Return(array));
        Assert.Contains("twice", e.Message);
    }
}
