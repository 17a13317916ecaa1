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
            new UpdateBufferOptions(10, UpdateWeighting.SampleWeighted, new PolynomialStaleness(0.5)));
        var delta = Enumerable.Range(0, Dimension).Select(i => (i % 7) * 0.01f).ToArray();
        var pseudoGradient = new float[Dimension];
        Assert.Equal(0, AllocatedByOneCall(() => FillAndFlush(buffer, delta, pseudoGradient)));
    }

    [Theory]
    [InlineData("fedbuff")]
    [InlineData("fedavg")]
    [InlineData("fedasync")]
    public void Strategy_offer_aggregate_and_apply_must_not_allocate(string name)
    {
        IStrategySettings settings = name switch
        {
            "fedbuff" => FedBuffSettings.Default with { BufferSize = 10, Staleness = StalenessSettings.Default with { MaxStaleness = 100 } },
            "fedavg" => FedAvgSettings.Default with { ClientsPerRound = 10 },
            _ => FedAsyncSettings.Default,
        };
        var strategy = settings.Create(Dimension);
        var current = new float[Dimension];
        var delta = Enumerable.Range(0, Dimension).Select(i => (i % 7) * 0.01f).ToArray();
        var aggregate = new float[Dimension];
        var next = new float[Dimension];
        int staleness = name == "fedavg" ? 0 : 3;
        Assert.Equal(0, AllocatedByOneCall(() =>
        {
            for (int i = 0; !strategy.IsStepDue; i++)
                if (strategy.Offer(new ClientContribution(delta, current, 100 + i, staleness, i)).Kind != AdmissionKind.Accepted)
                    throw new InvalidOperationException($"update {i} was not accepted");
            if (strategy.Aggregate(current, aggregate) == AggregateKind.None) throw new InvalidOperationException("no step");
            strategy.Apply(current, aggregate, next);
        }));
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
        Assert.Equal(0, AllocatedByOneCall(() => optimizer.Step(global, delta, next)));
    }

    [Fact]
    public void FedAsyncMixing_must_not_allocate()
    {
        var current = new float[Dimension];
        var baseWeights = new float[Dimension];
        var delta = new float[Dimension];
        Assert.Equal(0, AllocatedByOneCall(() => FedAsyncMixing.Apply(current, baseWeights, delta, 0.5, current)));
    }

    /// <summary>
    /// Managed bytes this thread allocates in one call of <paramref name="call"/>, after enough calls that the runtime has
    /// done its one-time work: JIT, static initialization, and tiered compilation's call counting, which allocates on the
    /// calling thread once a method reaches its threshold of 30 calls (other tests in the process call the same methods,
    /// so that moment could otherwise fall in the measured call: seen once as 3,048 bytes).
    /// </summary>
    private static long AllocatedByOneCall(Action call)
    {
        for (int i = 0; i < 40; i++) call();
        long before = GC.GetAllocatedBytesForCurrentThread();
        call();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private static void FillAndFlush(UpdateBuffer buffer, float[] delta, float[] pseudoGradient)
    {
        for (int i = 0; i < buffer.Capacity; i++) buffer.TryAdd(delta, 100 + i, i);
        Assert.True(buffer.TryFlush(pseudoGradient));
    }
}
