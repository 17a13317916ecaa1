using FedActors.Actors.Aggregation;

namespace FedActors.Actors.Tests.Aggregation;

public sealed class AllocationTests
{
    // About the size of McMahan et al.'s CNN (1,663,370 parameters).
    private const int Dimension = 1_663_370;

    [Fact]
    public void UpdateBuffer_add_and_flush_must_not_allocate()
    {
        var buffer = new UpdateBuffer(Dimension,
            new UpdateBufferOptions(10, UpdateWeighting.SampleWeighted, new PolynomialStaleness(0.5), maxStaleness: 100));
        var delta = Enumerable.Range(0, Dimension).Select(i => (i % 7) * 0.01f).ToArray();
        var pseudoGradient = new float[Dimension];
        FillAndFlush(buffer, delta, pseudoGradient); // warm-up: JIT and static initialization

        long before = GC.GetAllocatedBytesForCurrentThread();
        FillAndFlush(buffer, delta, pseudoGradient);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("fedavgm")]
    [InlineData("fedadam")]
    [InlineData("fedyogi")]
    [InlineData("fedadagrad")]
    public void Server_optimizer_step_must_not_allocate(string name)
    {
        var optimizer = ServerOptimizers.Create(name, Dimension, new ServerOptimizerParameters(Eta: 0.1));
        var global = new float[Dimension];
        var delta = Enumerable.Range(0, Dimension).Select(i => (i % 5) * 0.01f).ToArray();
        var next = new float[Dimension];
        optimizer.Step(global, delta, next); // warm-up

        long before = GC.GetAllocatedBytesForCurrentThread();
        optimizer.Step(next, delta, global);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }

    [Fact]
    public void FedAsyncMixing_must_not_allocate()
    {
        var current = new float[Dimension];
        var baseWeights = new float[Dimension];
        var delta = new float[Dimension];
        FedAsyncMixing.Apply(current, baseWeights, delta, 0.5, current); // warm-up

        long before = GC.GetAllocatedBytesForCurrentThread();
        FedAsyncMixing.Apply(current, baseWeights, delta, 0.5, current);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }

    private static void FillAndFlush(UpdateBuffer buffer, float[] delta, float[] pseudoGradient)
    {
        for (int i = 0; i < buffer.Capacity; i++) buffer.TryAdd(delta, 100 + i, i);
        Assert.True(buffer.TryFlush(pseudoGradient));
    }
}
