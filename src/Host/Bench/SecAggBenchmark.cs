using System.Diagnostics;
using System.Numerics.Tensors;
using FedActors.Actors.SecureAggregation;
using FedActors.Training;

namespace FedActors.Host.Bench;

/// <summary>One cohort size and model measured by <see cref="SecAggBenchmark"/>; times are medians in milliseconds.</summary>
/// <param name="Model">The model whose parameter count sets the input length.</param>
/// <param name="Dimension">Words per input.</param>
/// <param name="CohortSize">Members n.</param>
/// <param name="Neighbours">k, neighbours per member.</param>
/// <param name="Threshold">t.</param>
/// <param name="Dropped">Members that drop before sending their input (10 %).</param>
/// <param name="ClientKeysMs">A member's rounds 0 and 1 and its opening of its neighbours' envelopes: keys, ECDH, Shamir, AES-GCM.</param>
/// <param name="ClientMaskMs">A member's quantization and masking of its input (round 2).</param>
/// <param name="ClientRevealMs">A member's round 3.</param>
/// <param name="ServerUnmaskMs">The server's round 3: checking the revealed shares, rebuilding secrets and removing every mask.</param>
/// <param name="PlainSumMs">The plain sum of the survivors' fp32 updates, in the same run.</param>
/// <param name="ProtocolBytesPerClient">Bytes a member sends besides its input: keys, envelopes and revealed shares.</param>
public sealed record SecAggBenchmarkResult(string Model, int Dimension, int CohortSize, int Neighbours, int Threshold, int Dropped,
    double ClientKeysMs, double ClientMaskMs, double ClientRevealMs, double ServerUnmaskMs, double PlainSumMs, long ProtocolBytesPerClient);

/// <summary>
/// Times a whole SecAgg+ cohort in one thread: every member's rounds, the server's unmasking with 10 % of the members
/// dropped before their input, and the plain sum of the same survivors' updates as the baseline.
/// </summary>
public static class SecAggBenchmark
{
    /// <summary>k for a cohort of <paramref name="members"/>: 2⌈log2 n⌉ (SecAgg+'s O(log n)), or the complete graph when that is smaller.</summary>
    public static int NeighboursFor(int members) => Math.Min(members - 1, 2 * (int)Math.Ceiling(Math.Log2(members)));

    /// <summary>Runs <paramref name="repetitions"/> cohorts of <paramref name="members"/> on inputs of <paramref name="dimension"/> words.</summary>
    public static SecAggBenchmarkResult Run(string model, int dimension, int members, int repetitions, CancellationToken cancellation)
    {
        int k = NeighboursFor(members);
        int t = k / 2 + 1;
        int dropped = members / 10;
        var quantizer = new StochasticQuantizer(1.0, 1u << 16);
        int bits = 32;
        var updates = Enumerable.Range(0, members).Select(i =>
        {
            var random = DeterministicRandom.For(7, (ulong)i, 1);
            return Enumerable.Range(0, dimension).Select(_ => (float)(random.NextNormal() * 0.01)).ToArray();
        }).ToArray();

        var keys = new List<double>();
        var mask = new List<double>();
        var reveal = new List<double>();
        var unmask = new List<double>();
        var plain = new List<double>();
        long protocolBytes = 0;
        var words = new uint[dimension];
        var sum = new float[dimension];
        using var masks = new MaskStream();
        for (int r = 0; r <= repetitions; r++) // repetition 0 warms up and is not recorded
        {
            cancellation.ThrowIfCancellationRequested();
            var cohort = new CohortParameters(r, members, k, t, bits, GraphSeed: (ulong)r);
            var server = new CohortAggregator(cohort, dimension);
            var clients = Enumerable.Range(0, members).Select(i => new CohortMember(cohort, i)).ToArray();
            try
            {
                var clientKeys = new double[members];
                var watch = new Stopwatch();
                long bytes = 0;
                foreach (var c in clients)
                {
                    watch.Restart();
                    var advertised = c.AdvertiseKeys();
                    clientKeys[c.Index] += watch.Elapsed.TotalMilliseconds;
                    bytes += advertised.SharingKey.Length + advertised.MaskingKey.Length;
                    server.ReceiveKeys(advertised);
                }
                server.CloseKeys();
                foreach (var c in clients)
                {
                    var neighbourKeys = server.KeysFor(c.Index);
                    watch.Restart();
                    var envelopes = c.ShareKeys(neighbourKeys);
                    clientKeys[c.Index] += watch.Elapsed.TotalMilliseconds;
                    bytes += envelopes.Sum(e => (long)e.Envelope.Length);
                    server.ReceiveShares(c.Index, envelopes);
                }
                server.CloseShares();
                var random = DeterministicRandom.For(9, (ulong)r, 2);
                var clientMask = new List<double>();
                foreach (var c in clients.Skip(dropped))
                {
                    var inbox = server.SharesFor(c.Index);
                    watch.Restart();
                    c.ReceiveShares(inbox);
                    clientKeys[c.Index] += watch.Elapsed.TotalMilliseconds;
                    watch.Restart();
                    quantizer.Quantize(updates[c.Index], words, random);
                    var masked = c.MaskInput(words, masks);
                    clientMask.Add(watch.Elapsed.TotalMilliseconds);
                    server.ReceiveMaskedInput(masked);
                }
                server.CloseInputs();
                var survivors = server.Survivors;
                var reveals = new List<UnmaskingShares>();
                var clientReveal = new List<double>();
                foreach (var c in clients.Skip(dropped))
                {
                    watch.Restart();
                    reveals.Add(c.Unmask(survivors));
                    clientReveal.Add(watch.Elapsed.TotalMilliseconds);
                    bytes += reveals[^1].Shares.Sum(s => 8L * s.Share.Values.Length + 8);
                }
                watch.Restart();
                foreach (var rv in reveals) server.ReceiveUnmasking(rv);
                var result = server.Finish(masks) ?? throw new InvalidOperationException($"the benchmark cohort was abandoned: {server.AbandonedBecause}");
                double serverMs = watch.Elapsed.TotalMilliseconds;
                watch.Restart();
                sum.AsSpan().Clear();
                foreach (var c in clients.Skip(dropped)) TensorPrimitives.Add(sum, updates[c.Index], sum);
                double plainMs = watch.Elapsed.TotalMilliseconds;
                GC.KeepAlive(result);
                if (r == 0) continue;
                keys.Add(BenchTiming.Median(clientKeys.Skip(dropped).ToArray()));
                mask.Add(BenchTiming.Median(clientMask));
                reveal.Add(BenchTiming.Median(clientReveal));
                unmask.Add(serverMs);
                plain.Add(plainMs);
                protocolBytes = bytes / members;
            }
            finally
            {
                foreach (var c in clients) c.Dispose();
            }
        }
        return new SecAggBenchmarkResult(model, dimension, members, k, t, dropped, BenchTiming.Median(keys), BenchTiming.Median(mask),
            BenchTiming.Median(reveal), BenchTiming.Median(unmask), BenchTiming.Median(plain), protocolBytes);
    }
}
