using TorchSharp;

namespace FedActors.Training;

/// <summary>
/// Runs TorchSharp work on an OS thread of its own with a chosen intra-op thread count.
/// </summary>
/// <remarks>
/// OpenMP's team size and MKL's thread count belong to the OS thread that calls <c>set_num_threads</c> (libtorch's
/// own <c>get_num_threads</c> reports the last value set by any thread). Set on a thread-pool thread, the count leaks
/// into whatever runs there next, and work resumed after an <c>await</c> can land on a thread with another count:
/// its reductions then split differently and the same seed gives different weights.
/// </remarks>
public static class TorchThread
{
    /// <summary>
    /// Starts <paramref name="work"/> on a new background thread named <paramref name="name"/> after setting
    /// its intra-op thread count to <paramref name="intraOpThreads"/>; the task ends with the work's result or exception.
    /// </summary>
    public static Task<T> RunAsync<T>(string name, int intraOpThreads, Func<T> work)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(intraOpThreads, 1);
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                torch.set_num_threads(intraOpThreads);
                done.SetResult(work());
            }
            catch (OperationCanceledException e)
            {
                done.SetCanceled(e.CancellationToken);
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        }) { IsBackground = true, Name = name };
        thread.Start();
        return done.Task;
    }
}
