using TorchSharp;
using Xunit.Abstractions;

namespace FedActors.Actors.Tests.Trainers;

public class TorchThreadTests(ITestOutputHelper output)
{
    [Fact]
    public void Set_num_threads_must_apply_to_the_calling_thread_and_leave_other_running_threads_alone()
    {
        int before = torch.get_num_threads();
        int onThread = -1, otherThread = -1;
        var setter = new Thread(() =>
        {
            torch.set_num_threads(1);
            onThread = torch.get_num_threads();
        });
        setter.Start();
        setter.Join();
        var reader = new Thread(() => otherThread = torch.get_num_threads());
        reader.Start();
        reader.Join();
        int after = torch.get_num_threads();
        output.WriteLine($"before={before} on-setting-thread={onThread} other-new-thread={otherThread} original-thread={after}");
        // Measured here: before=2 on-setting-thread=1 other-new-thread=1 original-thread=2. The count is
        // per thread (an OpenMP ICV) and new threads start from the last value set, which is why each
        // trainer sets it first thing on its own dedicated thread.
        Assert.Equal(1, onThread);
        Assert.Equal(before, after);
        torch.set_num_threads(before);
    }
}
