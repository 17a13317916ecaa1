using System.Security.Cryptography;
using FedActors.Actors.SecureAggregation;

namespace FedActors.Actors.Tests.SecureAggregation;

/// <summary>A whole SecAgg+ cohort in one process: members and server passing the protocol's messages by hand.</summary>
public class CohortProtocolTests
{
    private sealed record Outcome(CohortAggregator Server, uint[]? Sum, Dictionary<int, MaskedInput> Received);

    private static uint[][] Inputs(int members, int dimension, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, members).Select(_ => Enumerable.Range(0, dimension).Select(_ => (uint)random.Next(1 << 16)).ToArray()).ToArray();
    }

    private static Outcome Run(CohortParameters cohort, uint[][] inputs, ISet<int>? dropBeforeKeys = null, ISet<int>? dropBeforeShares = null,
        ISet<int>? dropBeforeInput = null, Func<int, byte[]?>? seeds = null)
    {
        dropBeforeKeys ??= new HashSet<int>();
        dropBeforeShares ??= new HashSet<int>();
        dropBeforeInput ??= new HashSet<int>();
        var server = new CohortAggregator(cohort, inputs[0].Length);
        var members = Enumerable.Range(0, cohort.Members).Select(i => new CohortMember(cohort, i, seeds?.Invoke(i))).ToArray();
        try
        {
            var alive = Enumerable.Range(0, cohort.Members).Where(i => !dropBeforeKeys.Contains(i)).ToList();
            foreach (int i in alive) server.ReceiveKeys(members[i].AdvertiseKeys());
            server.CloseKeys();
            alive.RemoveAll(dropBeforeShares.Contains);
            foreach (int i in alive) server.ReceiveShares(i, members[i].ShareKeys(server.KeysFor(i)));
            server.CloseShares();
            alive.RemoveAll(dropBeforeInput.Contains);
            var received = new Dictionary<int, MaskedInput>();
            using var masks = new MaskStream();
            foreach (int i in alive)
            {
                members[i].ReceiveShares(server.SharesFor(i));
                var masked = members[i].MaskInput(inputs[i], masks);
                received[i] = masked;
                server.ReceiveMaskedInput(masked);
            }
            server.CloseInputs();
            if (server.Phase == CohortPhase.Abandoned) return new Outcome(server, null, received);
            foreach (int i in alive) server.ReceiveUnmasking(members[i].Unmask(server.Survivors));
            return new Outcome(server, server.Finish(masks), received);
        }
        finally
        {
            foreach (var m in members) m.Dispose();
        }
    }

    private static uint[] PlainSum(uint[][] inputs, IEnumerable<int> who, int bits)
    {
        var sum = new uint[inputs[0].Length];
        foreach (int i in who)
            for (int d = 0; d < sum.Length; d++) sum[d] += inputs[i][d];
        Modular.Reduce(sum, bits);
        return sum;
    }

    private static double Pearson(uint[] a, uint[] b)
    {
        double ma = a.Average(x => (double)x), mb = b.Average(x => (double)x);
        double cov = 0, va = 0, vb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            cov += (a[i] - ma) * (b[i] - mb);
            va += (a[i] - ma) * (a[i] - ma);
            vb += (b[i] - mb) * (b[i] - mb);
        }
        return cov / Math.Sqrt(va * vb);
    }

    [Fact]
    public void The_server_learns_the_sum_and_no_masked_input_resembles_its_members_input()
    {
        var cohort = new CohortParameters(CohortId: 1, Members: 12, Degree: 6, Threshold: 4, Bits: 24, GraphSeed: 9);
        var inputs = Inputs(12, 20_000, seed: 1);
        var outcome = Run(cohort, inputs);

        Assert.Equal(CohortPhase.Done, outcome.Server.Phase);
        Assert.Equal(PlainSum(inputs, Enumerable.Range(0, 12), 24), outcome.Sum);
        foreach (var (i, masked) in outcome.Received)
        {
            Assert.True(masked.Words.Zip(inputs[i]).Count(p => p.Item1 == p.Item2) < 20, $"member {i}'s masked words equal its input too often");
            // Masked words are uniform over 2^24 whatever the input: the correlation is noise of about 1/√20,000 = 0.007.
            Assert.InRange(Pearson(masked.Words, inputs[i]), -0.03, 0.03);
        }
    }

    [Fact]
    public void Up_to_n_minus_t_members_can_drop_in_any_round_and_the_survivors_sum_is_still_unmasked()
    {
        var cohort = new CohortParameters(2, Members: 10, Degree: 4, Threshold: 3, Bits: 32, GraphSeed: 4);
        var inputs = Inputs(10, 5_000, seed: 2);
        var outcome = Run(cohort, inputs, dropBeforeKeys: new HashSet<int> { 7 }, dropBeforeShares: new HashSet<int> { 2 },
            dropBeforeInput: new HashSet<int> { 0, 5 });

        Assert.Equal(CohortPhase.Done, outcome.Server.Phase);
        int[] survivors = [1, 3, 4, 6, 8, 9];
        Assert.Equal(survivors, outcome.Server.Survivors.Order());
        Assert.Equal(PlainSum(inputs, survivors, 32), outcome.Sum);
    }

    [Fact]
    public void The_complete_graph_of_classic_SecAgg_unmasks_as_well()
    {
        var cohort = new CohortParameters(3, Members: 5, Degree: 4, Threshold: 3, Bits: 20, GraphSeed: 1);
        var inputs = Inputs(5, 1_000, seed: 3);
        var outcome = Run(cohort, inputs, dropBeforeInput: new HashSet<int> { 1, 3 });
        Assert.Equal(PlainSum(inputs, [0, 2, 4], 20), outcome.Sum);
    }

    [Fact]
    public void With_fewer_than_t_survivors_the_cohort_is_abandoned_and_nothing_is_unmasked()
    {
        var cohort = new CohortParameters(4, Members: 6, Degree: 5, Threshold: 4, Bits: 32, GraphSeed: 2);
        var outcome = Run(cohort, Inputs(6, 100, seed: 4), dropBeforeInput: new HashSet<int> { 0, 1, 2 });

        Assert.Equal(CohortPhase.Abandoned, outcome.Server.Phase);
        Assert.Equal("3 masked inputs arrived, below the threshold 4", outcome.Server.AbandonedBecause);
        Assert.Null(outcome.Sum);
        Assert.Throws<SecAggViolationException>(() => outcome.Server.ReceiveUnmasking(new UnmaskingShares(3, [])));
    }

    [Fact]
    public void A_member_reveals_once_and_never_below_the_threshold()
    {
        var cohort = new CohortParameters(5, Members: 4, Degree: 3, Threshold: 3, Bits: 32, GraphSeed: 3);
        var server = new CohortAggregator(cohort, 10);
        var members = Enumerable.Range(0, 4).Select(i => new CohortMember(cohort, i)).ToArray();
        foreach (var m in members) server.ReceiveKeys(m.AdvertiseKeys());
        server.CloseKeys();
        foreach (var m in members) server.ReceiveShares(m.Index, m.ShareKeys(server.KeysFor(m.Index)));
        server.CloseShares();
        using var masks = new MaskStream();
        foreach (var m in members) { m.ReceiveShares(server.SharesFor(m.Index)); server.ReceiveMaskedInput(m.MaskInput(new uint[10], masks)); }

        // A server that asks with two survivor sets could learn a member's seed and key both: the second question is refused.
        Assert.Contains("below the threshold", Assert.Throws<SecAggViolationException>(() => members[0].Unmask(new HashSet<int> { 0, 1 })).Message);
        members[0].Unmask(new HashSet<int> { 0, 1, 2 });
        Assert.Contains("already revealed", Assert.Throws<SecAggViolationException>(() => members[0].Unmask(new HashSet<int> { 0, 1, 2, 3 })).Message);
        Assert.Contains("already sent its masked input", Assert.Throws<SecAggViolationException>(() => members[1].MaskInput(new uint[10], masks)).Message);
        foreach (var m in members) m.Dispose();
    }

    [Fact]
    public void Malformed_messages_are_refused_with_their_reason()
    {
        var cohort = new CohortParameters(6, Members: 4, Degree: 3, Threshold: 2, Bits: 16, GraphSeed: 5);
        var server = new CohortAggregator(cohort, 8);
        var members = Enumerable.Range(0, 4).Select(i => new CohortMember(cohort, i)).ToArray();

        var offCurve = members[0].AdvertiseKeys();
        var bent = offCurve.MaskingKey.ToArray();
        bent[50] ^= 1;
        Assert.StartsWith("member 0: the public key is not a point on P-256",
            Assert.Throws<SecAggViolationException>(() => server.ReceiveKeys(offCurve with { MaskingKey = bent })).Message);
        foreach (var m in members) server.ReceiveKeys(m.AdvertiseKeys());
        Assert.Contains("advertised its keys twice", Assert.Throws<SecAggViolationException>(() => server.ReceiveKeys(members[1].AdvertiseKeys())).Message);
        server.CloseKeys();

        var shares = members.Select(m => m.ShareKeys(server.KeysFor(m.Index))).ToArray();
        foreach (var m in members) server.ReceiveShares(m.Index, shares[m.Index]);
        server.CloseShares();

        // A share for member 2 delivered to member 1 does not open there.
        var forTwo = server.SharesFor(2).First(e => e.From == 0);
        Assert.Contains("an envelope for member 2 was delivered to member 1",
            Assert.Throws<SecAggViolationException>(() => members[1].ReceiveShares([forTwo])).Message);
        // Relabelled as for member 1, it fails authentication: the receiver is bound into the envelope.
        Assert.Contains("does not authenticate",
            Assert.Throws<SecAggViolationException>(() => members[1].ReceiveShares([forTwo with { To = 1 }])).Message);

        using var masks = new MaskStream();
        members[3].ReceiveShares(server.SharesFor(3));
        var input = members[3].MaskInput(new uint[8], masks);
        server.ReceiveMaskedInput(input);
        Assert.Contains("second masked input (a replay?)", Assert.Throws<SecAggViolationException>(() => server.ReceiveMaskedInput(input)).Message);
        Assert.Equal("member 2's masked input has 7 words, the cohort's have 8",
            Assert.Throws<SecAggViolationException>(() => server.ReceiveMaskedInput(new MaskedInput(2, new uint[7]))).Message);
        Assert.Equal("member 2's word 0 is 65536, outside Z_2^16",
            Assert.Throws<SecAggViolationException>(() => server.ReceiveMaskedInput(new MaskedInput(2, [65536, 0, 0, 0, 0, 0, 0, 0]))).Message);
        Assert.Contains("not in cohort 6", Assert.Throws<SecAggViolationException>(() => server.ReceiveMaskedInput(new MaskedInput(9, new uint[8]))).Message);
        foreach (var m in members) m.Dispose();
    }

    [Fact]
    public void Seeded_members_mask_reproducibly_and_differently_per_seed()
    {
        var cohort = new CohortParameters(7, Members: 6, Degree: 2, Threshold: 2, Bits: 32, GraphSeed: 6);
        var inputs = Inputs(6, 64, seed: 7);
        byte[] Seed(int i, byte run) => SHA256.HashData([run, (byte)i]);
        var a = Run(cohort, inputs, seeds: i => Seed(i, 1));
        var b = Run(cohort, inputs, seeds: i => Seed(i, 1));
        var c = Run(cohort, inputs, seeds: i => Seed(i, 2));

        Assert.Equal(a.Received[3].Words, b.Received[3].Words);
        Assert.NotEqual(a.Received[3].Words, c.Received[3].Words);
        Assert.Equal(a.Sum, c.Sum);
        Assert.Equal(PlainSum(inputs, Enumerable.Range(0, 6), 32), a.Sum);
    }

    [Fact]
    public void The_masking_graph_is_symmetric_regular_and_set_by_the_public_seed()
    {
        var cohort = new CohortParameters(8, Members: 100, Degree: 8, Threshold: 5, Bits: 32, GraphSeed: 11);
        var graph = new MaskingGraph(cohort);
        for (int i = 0; i < 100; i++)
        {
            Assert.Equal(8, graph.Neighbours(i).Count);
            Assert.DoesNotContain(i, graph.Neighbours(i));
            Assert.All(graph.Neighbours(i), j => Assert.True(graph.AreNeighbours(j, i)));
        }
        var other = new MaskingGraph(cohort with { GraphSeed = 12 });
        Assert.Contains(Enumerable.Range(0, 100), i => !graph.Neighbours(i).SequenceEqual(other.Neighbours(i)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MaskingGraph(cohort with { Degree = 7 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MaskingGraph(cohort with { Threshold = 10 }));
    }
}
