using FedActors.Training;
using TorchSharp;

namespace FedActors.Training.Tests;

public class TorchThreadTests
{
    [Fact(DisplayName = "TorchThread must run the work on a thread of its own with its intra-op thread count")]
    public async Task Work_must_see_its_own_thread_count()
    {
        // The caller is a thread of its own too, so no thread-pool thread keeps a count after the test.
        var (threads, callerId, workerId) = await TorchThread.RunAsync("caller", 1, () =>
        {
            var work = TorchThread.RunAsync("worker", 2, () => (torch.get_num_threads(), Environment.CurrentManagedThreadId));
            var (inside, worker) = work.GetAwaiter().GetResult();
            return (inside, Environment.CurrentManagedThreadId, worker);
        });
        Assert.Equal(2, threads);
        Assert.NotEqual(callerId, workerId);
    }

    [Fact(DisplayName = "TorchThread must hand the work's exception and cancellation to the awaiting task")]
    public async Task Failures_must_reach_the_caller()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            TorchThread.RunAsync<int>("failing", 1, () => throw new InvalidOperationException("bad batch")));
        Assert.Equal("bad batch", failure.Message);

        using var stop = new CancellationTokenSource();
        stop.Cancel();
        var cancelled = TorchThread.RunAsync("cancelled", 1, () => { stop.Token.ThrowIfCancellationRequested(); return 0; });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.True(cancelled.IsCanceled);
    }

    [Fact(DisplayName = "TorchThread must refuse fewer than one intra-op thread")]
    public void Thread_count_must_be_positive() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = TorchThread.RunAsync("none", 0, () => 0); });
}
