using FedActors.Actors.Coordination;
using FedActors.Actors.Updates;
using static FedActors.Actors.Coordination.CoordinatorEffects;

namespace FedActors.Actors.Tests.Coordination;

public sealed class DeltaRecyclingTests
{
    [Fact]
    public void An_applied_update_must_go_back_to_the_pool_only_once_its_step_is_taken()
    {
        var d = new CoreDriver(CoreDriver.FedBuff(concurrency: 4, k: 2));
        var pool = new DeltaBufferPool(2);
        d.Core.RecycleDeltas = pool;

        var first = d.UpdateFor(d.Outstanding[0], value: 1f);
        d.Outstanding.RemoveAt(0);
        d.Send(first);
        Assert.Equal(0, pool.Available); // buffered: the step still reads it (the cosine diagnostics)

        var second = d.UpdateFor(d.Outstanding[0], value: 3f);
        d.Outstanding.RemoveAt(0);
        d.Send(second);
        Assert.Equal(1, d.Core.Current.Number);
        Assert.Equal(new[] { 2f, 2f }, d.Core.Current.Weights);
        Assert.Equal(2, pool.Available);
    }

    [Fact]
    public void A_rejected_update_must_go_back_to_the_pool_at_once()
    {
        var d = new CoreDriver(CoreDriver.FedBuff(concurrency: 2, k: 2));
        var pool = new DeltaBufferPool(2);
        d.Core.RecycleDeltas = pool;
        var job = d.Outstanding[0];
        d.Outstanding.RemoveAt(0);
        d.Send(d.UpdateFor(job, value: float.NaN));
        Assert.Equal(1, d.Core.Counters.UpdatesRejected["non_finite"]);
        Assert.Equal(1, pool.Available);
    }

    [Fact]
    public void Finishing_with_jobs_in_flight_must_tell_the_shell_to_stop_training()
    {
        var run = RunSettings.Default with { MaxServerSteps = 1, EvalEverySteps = 1000, TargetAccuracy = null };
        var d = new CoreDriver(CoreDriver.FedBuff(concurrency: 3, k: 1), run: run);
        var effects = d.Core.OnResult(d.UpdateFor(d.Outstanding[0]));
        Assert.Contains(StopTraining.Instance, effects);
        Assert.Equal(2, d.Core.InFlight); // the rest are never applied
    }
}
