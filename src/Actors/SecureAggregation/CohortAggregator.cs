using System.Security.Cryptography;

namespace FedActors.Actors.SecureAggregation;

/// <summary>
/// The server's side of a SecAgg+ cohort: it relays keys and sealed shares between neighbours, collects masked inputs, and
/// from the survivors' revealed shares removes every mask, learning only the sum of the survivors' inputs in Z_(2^b).
/// Rounds close explicitly (<see cref="CloseKeys"/>, <see cref="CloseShares"/>, <see cref="CloseInputs"/>): whoever has
/// not answered by then has dropped. Every message is checked; one that breaks the protocol throws a
/// <see cref="SecAggViolationException"/> naming the problem and changes nothing.
/// </summary>
public sealed class CohortAggregator
{
    private readonly CohortParameters _cohort;
    private readonly MaskingGraph _graph;
    private readonly int _dimension;
    private readonly Dictionary<int, MemberKeys> _keys = [];
    private readonly Dictionary<int, List<EncryptedShares>> _envelopesTo = [];
    private readonly HashSet<int> _shared = [];
    private readonly Dictionary<int, uint[]> _inputs = [];
    private readonly Dictionary<int, UnmaskingShares> _reveals = [];

    /// <summary>A cohort whose inputs have <paramref name="dimension"/> words.</summary>
    public CohortAggregator(CohortParameters cohort, int dimension)
    {
        _cohort = cohort.Validate();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        _dimension = dimension;
        _graph = new MaskingGraph(cohort);
    }

    /// <summary>Where the protocol stands.</summary>
    public CohortPhase Phase { get; private set; } = CohortPhase.Keys;

    /// <summary>Why the cohort was abandoned; null unless <see cref="Phase"/> is <see cref="CohortPhase.Abandoned"/>.</summary>
    public string? AbandonedBecause { get; private set; }

    /// <summary>The members whose masked inputs the sum holds (fixed by <see cref="CloseInputs"/>).</summary>
    public IReadOnlySet<int> Survivors => _inputs.Keys.ToHashSet();

    /// <summary>Round 0: a member's advertised keys.</summary>
    public void ReceiveKeys(MemberKeys keys)
    {
        Expect(CohortPhase.Keys);
        CheckMember(keys.Member);
        if (_keys.ContainsKey(keys.Member)) throw new SecAggViolationException($"member {keys.Member} advertised its keys twice");
        if ((AgreementKey.Validate(keys.SharingKey) ?? AgreementKey.Validate(keys.MaskingKey)) is { } reason)
            throw new SecAggViolationException($"member {keys.Member}: {reason}");
        _keys[keys.Member] = keys;
    }

    /// <summary>Ends round 0: members that have not advertised keys are out.</summary>
    public void CloseKeys()
    {
        Expect(CohortPhase.Keys);
        Phase = CohortPhase.Shares;
        if (_keys.Count < _cohort.Threshold) Abandon($"{_keys.Count} members advertised keys, below the threshold {_cohort.Threshold}");
    }

    /// <summary>What <paramref name="member"/> receives after round 0: the keys of its neighbours that advertised.</summary>
    public IReadOnlyDictionary<int, MemberKeys> KeysFor(int member)
    {
        Expect(CohortPhase.Shares);
        CheckMember(member);
        return _graph.Neighbours(member).Where(_keys.ContainsKey).ToDictionary(j => j, j => _keys[j]);
    }

    /// <summary>Round 1: one member's sealed shares, one envelope per neighbour that advertised keys.</summary>
    public void ReceiveShares(int from, IReadOnlyList<EncryptedShares> envelopes)
    {
        Expect(CohortPhase.Shares);
        CheckMember(from);
        if (!_keys.ContainsKey(from)) throw new SecAggViolationException($"member {from} sends shares without having advertised keys");
        if (!_shared.Add(from)) throw new SecAggViolationException($"member {from} sent its shares twice");
        try
        {
            var expected = _graph.Neighbours(from).Where(_keys.ContainsKey).ToHashSet();
            foreach (var e in envelopes)
            {
                if (e.From != from) throw new SecAggViolationException($"an envelope from member {e.From} came in member {from}'s shares");
                if (!expected.Remove(e.To)) throw new SecAggViolationException($"member {from} sent an envelope to member {e.To}, not an expected neighbour or a second one");
            }
            if (expected.Count > 0) throw new SecAggViolationException($"member {from} sent no envelope to neighbour {expected.Min()}");
        }
        catch
        {
            _shared.Remove(from);
            throw;
        }
        foreach (var e in envelopes)
        {
            if (!_envelopesTo.TryGetValue(e.To, out var list)) _envelopesTo[e.To] = list = [];
            list.Add(e);
        }
    }

    /// <summary>Ends round 1: members that have not shared are out, and nobody masks with them.</summary>
    public void CloseShares()
    {
        Expect(CohortPhase.Shares);
        Phase = CohortPhase.Inputs;
        if (_shared.Count < _cohort.Threshold) Abandon($"{_shared.Count} members shared their keys, below the threshold {_cohort.Threshold}");
    }

    /// <summary>What <paramref name="member"/> receives after round 1: the envelopes its sharing neighbours sealed for it.</summary>
    public IReadOnlyList<EncryptedShares> SharesFor(int member)
    {
        Expect(CohortPhase.Inputs);
        CheckMember(member);
        return _envelopesTo.TryGetValue(member, out var list) ? list.Where(e => _shared.Contains(e.From)).ToArray() : [];
    }

    /// <summary>Round 2: a member's masked input.</summary>
    public void ReceiveMaskedInput(MaskedInput input)
    {
        Expect(CohortPhase.Inputs);
        CheckMember(input.Member);
        if (!_shared.Contains(input.Member)) throw new SecAggViolationException($"member {input.Member} sends an input without having shared its keys");
        if (_inputs.ContainsKey(input.Member)) throw new SecAggViolationException($"member {input.Member} sent a second masked input (a replay?)");
        if (input.Words.Length != _dimension)
            throw new SecAggViolationException($"member {input.Member}'s masked input has {input.Words.Length} words, the cohort's have {_dimension}");
        if (_cohort.Bits < 32)
        {
            uint limit = 1u << _cohort.Bits;
            int bad = Array.FindIndex(input.Words, w => w >= limit);
            if (bad >= 0) throw new SecAggViolationException($"member {input.Member}'s word {bad} is {input.Words[bad]}, outside Z_2^{_cohort.Bits}");
        }
        _inputs[input.Member] = input.Words;
    }

    /// <summary>Ends round 2: members without an input have dropped; below the threshold the cohort is abandoned, never unmasked.</summary>
    public void CloseInputs()
    {
        Expect(CohortPhase.Inputs);
        Phase = CohortPhase.Unmasking;
        if (_inputs.Count < _cohort.Threshold) Abandon($"{_inputs.Count} masked inputs arrived, below the threshold {_cohort.Threshold}");
    }

    /// <summary>Round 3: one survivor's revealed shares.</summary>
    public void ReceiveUnmasking(UnmaskingShares reveal)
    {
        Expect(CohortPhase.Unmasking);
        CheckMember(reveal.From);
        if (!_inputs.ContainsKey(reveal.From)) throw new SecAggViolationException($"member {reveal.From} is not a survivor and cannot reveal shares");
        if (_reveals.ContainsKey(reveal.From)) throw new SecAggViolationException($"member {reveal.From} revealed its shares twice");
        var owners = new HashSet<int>();
        foreach (var r in reveal.Shares)
        {
            bool inGroup = r.Owner == reveal.From || (_shared.Contains(r.Owner) && _graph.AreNeighbours(reveal.From, r.Owner));
            if (!inGroup) throw new SecAggViolationException($"member {reveal.From} reveals a share of member {r.Owner}, whose secrets it does not hold");
            if (!owners.Add(r.Owner)) throw new SecAggViolationException($"member {reveal.From} reveals two shares of member {r.Owner}");
            if (r.OfSelfMaskSeed != _inputs.ContainsKey(r.Owner))
                throw new SecAggViolationException($"member {reveal.From} reveals the wrong secret of member {r.Owner}: a survivor's self-mask seed or a dropped member's key, never the other");
            if (r.Share.X != (ulong)(reveal.From + 1)) throw new SecAggViolationException($"member {reveal.From} reveals a share at point {r.Share.X}, not its own");
        }
        _reveals[reveal.From] = reveal;
    }

    /// <summary>
    /// Removes every mask and returns the survivors' sum in Z_(2^b); null when some secret has fewer than t revealed
    /// shares, and the cohort is abandoned (never unmasked in part).
    /// </summary>
    public uint[]? Finish(MaskStream masks)
    {
        ArgumentNullException.ThrowIfNull(masks);
        Expect(CohortPhase.Unmasking);
        var sharing = new ShamirSecretSharing(_cohort.Threshold, _cohort.Members);
        var byOwner = _reveals.Values.SelectMany(r => r.Shares).GroupBy(r => r.Owner).ToDictionary(g => g.Key, g => g.Select(r => r.Share).ToList());
        var dropped = _shared.Where(i => !_inputs.ContainsKey(i)).Order().ToArray();
        foreach (int owner in _inputs.Keys.Concat(dropped))
        {
            int count = byOwner.TryGetValue(owner, out var list) ? list.Count : 0;
            if (count < _cohort.Threshold)
            {
                Abandon($"only {count} shares of member {owner}'s {(_inputs.ContainsKey(owner) ? "self-mask seed" : "masking key")} were revealed, below the threshold {_cohort.Threshold}");
                return null;
            }
        }

        var sum = new uint[_dimension];
        foreach (var words in _inputs.Values) System.Numerics.Tensors.TensorPrimitives.Add(sum, words, sum);
        foreach (int survivor in _inputs.Keys)
        {
            var seed = Rebuild(sharing, byOwner[survivor], survivor, "self-mask seed");
            masks.Subtract(sum, seed);
            CryptographicOperations.ZeroMemory(seed);
        }
        foreach (int gone in dropped)
        {
            var scalar = Rebuild(sharing, byOwner[gone], gone, "masking key");
            using var key = AgreementKey.FromPrivateKey(scalar);
            CryptographicOperations.ZeroMemory(scalar);
            if (!key.PublicKey.AsSpan().SequenceEqual(_keys[gone].MaskingKey))
            {
                Abandon($"the shares of member {gone}'s masking key rebuild a key that is not the one it advertised");
                return null;
            }
            // Each surviving neighbour that took gone's shares added +mask if gone's index is higher, −mask if lower.
            foreach (int j in _graph.Neighbours(gone).Where(_inputs.ContainsKey))
            {
                var pairwise = CohortMember.PairwiseSeed(_cohort, key, _keys[j].MaskingKey, gone, j);
                if (gone > j) masks.Subtract(sum, pairwise);
                else masks.Add(sum, pairwise);
                CryptographicOperations.ZeroMemory(pairwise);
            }
        }
        Modular.Reduce(sum, _cohort.Bits);
        Phase = CohortPhase.Done;
        return sum;
    }

    private byte[] Rebuild(ShamirSecretSharing sharing, List<ShamirShare> shares, int owner, string what)
    {
        try
        {
            return sharing.Reconstruct(shares);
        }
        catch (ArgumentException e)
        {
            throw new SecAggViolationException($"member {owner}'s {what} cannot be rebuilt: {e.Message}");
        }
    }

    private void Abandon(string reason)
    {
        Phase = CohortPhase.Abandoned;
        AbandonedBecause = reason;
    }

    private void Expect(CohortPhase phase)
    {
        if (Phase != phase)
            throw new SecAggViolationException(Phase == CohortPhase.Abandoned
                ? $"cohort {_cohort.CohortId} was abandoned: {AbandonedBecause}"
                : $"cohort {_cohort.CohortId} is in its {Phase} round, not {phase}");
    }

    private void CheckMember(int member)
    {
        if ((uint)member >= (uint)_cohort.Members) throw new SecAggViolationException($"member {member} is not in cohort {_cohort.CohortId} of {_cohort.Members}");
    }
}

/// <summary>The rounds of a cohort, in order, and how it ends.</summary>
public enum CohortPhase
{
    /// <summary>Round 0: collecting public keys.</summary>
    Keys,
    /// <summary>Round 1: relaying sealed shares.</summary>
    Shares,
    /// <summary>Round 2: collecting masked inputs.</summary>
    Inputs,
    /// <summary>Round 3: collecting revealed shares.</summary>
    Unmasking,
    /// <summary>The sum is unmasked.</summary>
    Done,
    /// <summary>Too few members remained: nothing is unmasked.</summary>
    Abandoned,
}
