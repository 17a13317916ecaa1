using System.Collections.Concurrent;

namespace FedActors.Training;

/// <summary>
/// Keeps libtorch's CPU kernels from being built while another thread computes: oneDNN builds and caches a kernel per
/// new batch shape, and on AVX-512 a channels-last kernel built while another trainer thread trains can come out wrong
/// and stay wrong in the cache (measurements: docs/2026-11-30-kernel-build-gate.md).
/// </summary>
/// <remarks>
/// The first batch of each shape runs alone: it waits for the steps in progress to end and holds the others off until
/// its kernels are built and cached. Shapes already seen run concurrently. The gate is process-wide because oneDNN's
/// cache is.
/// </remarks>
public static class KernelBuildGate
{
    // Process-wide on purpose: it guards oneDNN's process-wide kernel cache, whoever trains in this process.
    private static readonly ReaderWriterLockSlim Lock = new(LockRecursionPolicy.NoRecursion);
    private static readonly ConcurrentDictionary<BatchShape, byte> Built = new();

    /// <summary>
    /// Enters the gate for one batch of <paramref name="shape"/>: shared when the shape ran before in this process,
    /// exclusive when it is new. Dispose the returned scope on the same thread once the batch's forward, backward
    /// and step are done.
    /// </summary>
    public static Scope Enter(BatchShape shape)
    {
        if (Built.ContainsKey(shape))
        {
            Lock.EnterReadLock();
            return new Scope(shape, exclusive: false);
        }
        Lock.EnterWriteLock();
        return new Scope(shape, exclusive: true);
    }

    /// <summary>True when a batch of <paramref name="shape"/> has run through the gate in this process.</summary>
    public static bool HasBuilt(BatchShape shape) => Built.ContainsKey(shape);

    /// <summary>One batch inside the gate.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly BatchShape _shape;
        private readonly bool _exclusive;

        internal Scope(BatchShape shape, bool exclusive)
        {
            _shape = shape;
            _exclusive = exclusive;
        }

        /// <summary>True when this batch runs alone (its shape is new).</summary>
        public bool IsExclusive => _exclusive;

        /// <summary>Leaves the gate; a new shape counts as built from now on.</summary>
        public void Dispose()
        {
            if (_exclusive)
            {
                Built.TryAdd(_shape, 0);
                Lock.ExitWriteLock();
            }
            else
            {
                Lock.ExitReadLock();
            }
        }
    }
}

/// <summary>What decides which kernels a batch needs: the model, its input shape and rows, and whether it trains.</summary>
/// <param name="Model">The model's identity and sample shape (<see cref="LocalTraining.ModelReplica.KernelKey"/>).</param>
/// <param name="Rows">Samples in the batch.</param>
/// <param name="Training">True for forward, backward and step; false for an evaluation's forward.</param>
public readonly record struct BatchShape(string Model, int Rows, bool Training);
