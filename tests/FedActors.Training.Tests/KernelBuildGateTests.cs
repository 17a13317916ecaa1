using FedActors.Training.LocalTraining;
using FedActors.Training.Models;
using TorchSharp;

namespace FedActors.Training.Tests;

public class KernelBuildGateTests
{
    // The gate is process-wide and other test classes train in parallel: every shape here is new to the process.
    private static BatchShape NewShape(bool training = true) => new($"gate-test-{Guid.NewGuid():N}", 7, training);

    private static readonly TimeSpan Held = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    // Threads, not tasks: a scope is left on the thread that entered it.
    private static Thread Start(Action body)
    {
        var thread = new Thread(() => body()) { IsBackground = true };
        thread.Start();
        return thread;
    }

    [Fact]
    public void A_new_shape_must_run_alone_and_count_as_built_afterwards()
    {
        var shape = NewShape();
        Assert.False(KernelBuildGate.HasBuilt(shape));
        using (var first = KernelBuildGate.Enter(shape))
        {
            Assert.True(first.IsExclusive);
            Assert.False(KernelBuildGate.HasBuilt(shape));
        }
        Assert.True(KernelBuildGate.HasBuilt(shape));
        using var second = KernelBuildGate.Enter(shape);
        Assert.False(second.IsExclusive);
        // Evaluation and training of the same rows need different kernels.
        Assert.False(KernelBuildGate.HasBuilt(shape with { Training = false }));
    }

    [Fact]
    public void While_a_new_shape_builds_no_other_batch_may_start()
    {
        var known = NewShape();
        using (KernelBuildGate.Enter(known)) { }
        AssertEntersOnlyAfter(KernelBuildGate.Enter(NewShape()), known, "a batch of a known shape ran while a new shape's kernels were being built");
    }

    [Fact]
    public void A_new_shape_must_wait_for_the_batches_in_progress()
    {
        var known = NewShape();
        using (KernelBuildGate.Enter(known)) { }
        AssertEntersOnlyAfter(KernelBuildGate.Enter(known), NewShape(training: false), "a new shape started building while another batch was running");
    }

    // Another thread's batch of `waiting` must stay out of the gate while `held` is open, and get in once it closes.
    private static void AssertEntersOnlyAfter(KernelBuildGate.Scope held, BatchShape waiting, string enteredTooSoon)
    {
        using var entered = new ManualResetEventSlim();
        var other = Start(() =>
        {
            using var scope = KernelBuildGate.Enter(waiting);
            entered.Set();
        });
        Assert.False(entered.Wait(Held), enteredTooSoon);
        held.Dispose();
        Assert.True(entered.Wait(Patience), "the waiting batch did not get in once the gate was free");
        Assert.True(other.Join(Patience));
    }

    [Fact]
    public void Batches_of_known_shapes_must_run_concurrently()
    {
        var known = NewShape();
        using (KernelBuildGate.Enter(known)) { }
        // Both threads must be inside the gate at once to pass the barrier.
        using var bothInside = new Barrier(2);
        bool[] met = new bool[2];
        var threads = Enumerable.Range(0, 2).Select(i => Start(() =>
        {
            using var scope = KernelBuildGate.Enter(known);
            met[i] = bothInside.SignalAndWait(Patience);
        })).ToArray();
        Assert.All(threads, t => Assert.True(t.Join(Patience)));
        Assert.Equal(new[] { true, true }, met);
    }

    [Fact]
    public void Concurrent_trainers_must_give_the_bits_one_trainer_gives()
    {
        // The property the gate exists for: two replicas training on two threads at once, through batch sizes each
        // meets for the first time, give exactly the updates one thread gives alone. Without the gate, oneDNN's
        // channels-last kernels built during another thread's step came out wrong in about one process in twenty.
        var data = TestData.Blobs(1200, new[] { 1, 28, 28 }, 10, seed: 11);
        float[] weights;
        using (var probe = ModelReplica.For("simple-cnn", data)) weights = WeightInitializer.Initialize(probe.Layout, 5);
        int[] sizes = Enumerable.Range(1, 31).ToArray();
        var options = new LocalTrainingOptions { BatchSize = 32, LearningRate = 0.05 };
        // Each client: one full batch, then a short one of the given size (a shape the other thread may be building).
        int[] Client(int size) => Enumerable.Range(size * 37 % 1000, 32 + size).ToArray();

        float[][] Train(IEnumerable<int> order)
        {
            torch.set_num_threads(1);
            using var replica = ModelReplica.For("simple-cnn", data);
            var result = new float[sizes.Length + 1][];
            foreach (int size in order)
            {
                result[size] = new float[weights.Length];
                LocalTrainer.Train(replica, weights, data, Client(size), options, DeterministicRandom.For(3, (ulong)size, 0), result[size]);
            }
            return result;
        }

        var forward = new Thread[2];
        var results = new float[2][][];
        using var go = new ManualResetEventSlim();
        for (int t = 0; t < 2; t++)
        {
            int k = t;
            var order = k == 0 ? sizes : sizes.Reverse().ToArray();
            forward[k] = new Thread(() =>
            {
                go.Wait();
                results[k] = Train(order);
            });
            forward[k].Start();
        }
        go.Set();
        foreach (var th in forward) th.Join();
        float[][] alone = null!;
        var single = new Thread(() => alone = Train(sizes));
        single.Start();
        single.Join();

        foreach (int size in sizes)
        {
            Assert.True(alone[size].AsSpan().SequenceEqual(results[0][size]), $"thread 0, short batch of {size}: the update differs from one trainer's");
            Assert.True(alone[size].AsSpan().SequenceEqual(results[1][size]), $"thread 1, short batch of {size}: the update differs from one trainer's");
        }
    }
}
