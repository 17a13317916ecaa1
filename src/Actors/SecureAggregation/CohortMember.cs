using System.Security.Cryptography;

namespace FedActors.Actors.SecureAggregation;

/// <summary>
/// One client's side of a SecAgg+ cohort (Bell et al., CCS 2020; Bonawitz et al., CCS 2017). In order:
/// <list type="number">
/// <item><see cref="AdvertiseKeys"/>: two fresh P-256 public keys.</item>
/// <item><see cref="ShareKeys"/>: with its neighbours' keys, draws a self-mask seed and Shamir-shares it and its masking key
/// among its group (neighbours and itself), each neighbour's shares sealed for that neighbour.</item>
/// <item><see cref="ReceiveShares"/>: opens the envelopes its neighbours sealed for it.</item>
/// <item><see cref="MaskInput"/>: input + self mask ± one pairwise mask per neighbour, in Z_(2^b).</item>
/// <item><see cref="Unmask"/>: given who survived, reveals for each group member the share of its self-mask seed (it
/// survived) or of its masking key (it dropped), never both, and only once.</item>
/// </list>
/// </summary>
public sealed class CohortMember : IDisposable
{
    private const int SecretLength = 32;

    private readonly CohortParameters _cohort;
    private readonly MaskingGraph _graph;
    private readonly AgreementKey _sharingKey;
    private readonly AgreementKey _maskingKey;
    private readonly Func<int, byte[]> _random;
    private readonly ShamirSecretSharing _sharing;
    private readonly Dictionary<int, MemberKeys> _neighbourKeys = [];
    // Derived once per neighbour in round 1 (the elliptic-curve work is most of a member's cost): the keys of the
    // envelopes to and from it, and the seed of the pairwise mask.
    private readonly Dictionary<int, (byte[] ToIt, byte[] FromIt)> _envelopeKeys = [];
    private readonly Dictionary<int, byte[]> _pairwiseSeeds = [];
    // The shares this member holds, by owner (itself included): of the owner's self-mask seed and of its masking key.
    private readonly Dictionary<int, (ShamirShare Seed, ShamirShare Key)> _held = [];
    private byte[]? _selfMaskSeed;
    private bool _masked;
    private bool _unmasked;

    /// <summary>Member <paramref name="index"/> of <paramref name="cohort"/>.</summary>
    /// <param name="cohort">The cohort's public parameters.</param>
    /// <param name="index">This member's index.</param>
    /// <param name="seed">32 bytes from which all of this member's randomness derives (a simulated run); null draws it from the OS.</param>
    public CohortMember(CohortParameters cohort, int index, byte[]? seed = null)
    {
        _cohort = cohort.Validate();
        if ((uint)index >= (uint)cohort.Members) throw new ArgumentOutOfRangeException(nameof(index), index, $"a member index is in [0, {cohort.Members})");
        if (seed is { Length: not 32 }) throw new ArgumentException("a member seed is 32 bytes", nameof(seed));
        Index = index;
        _graph = new MaskingGraph(cohort);
        _sharing = new ShamirSecretSharing(cohort.Threshold, cohort.Members);
        if (seed is null)
        {
            _random = RandomNumberGenerator.GetBytes;
            _sharingKey = AgreementKey.Generate();
            _maskingKey = AgreementKey.Generate();
        }
        else
        {
            _random = new SeededBytes(seed, cohort.Context("member-randomness", index, 0)).Next;
            _sharingKey = AgreementKey.FromSeed(seed, cohort.Context("sharing-key", index, 0));
            _maskingKey = AgreementKey.FromSeed(seed, cohort.Context("masking-key", index, 0));
        }
    }

    /// <summary>This member's index.</summary>
    public int Index { get; }

    /// <summary>Round 0: the public keys to advertise.</summary>
    public MemberKeys AdvertiseKeys() => new(Index, _sharingKey.PublicKey, _maskingKey.PublicKey);

    /// <summary>
    /// Round 1: from every neighbour's advertised keys, this member's sealed shares for each neighbour (its own share it keeps).
    /// </summary>
    /// <exception cref="SecAggViolationException">A neighbour's keys are missing, misattributed or not on the curve, or a key is reused.</exception>
    public IReadOnlyList<EncryptedShares> ShareKeys(IReadOnlyDictionary<int, MemberKeys> neighbourKeys)
    {
        ArgumentNullException.ThrowIfNull(neighbourKeys);
        if (_selfMaskSeed is not null) throw new SecAggViolationException($"member {Index} has already shared its keys in cohort {_cohort.CohortId}");
        var seen = new HashSet<string> { Convert.ToHexString(_sharingKey.PublicKey), Convert.ToHexString(_maskingKey.PublicKey) };
        // A neighbour without keys dropped out before round 1: it is left out of this member's group and masks.
        foreach (int j in _graph.Neighbours(Index))
        {
            if (!neighbourKeys.TryGetValue(j, out var keys)) continue;
            if (keys.Member != j) throw new SecAggViolationException($"the keys listed for neighbour {j} name member {keys.Member}");
            if (keys.SharingKey.Length != AgreementKey.PublicKeyLength || keys.MaskingKey.Length != AgreementKey.PublicKeyLength)
                throw new SecAggViolationException($"neighbour {j}: a public key is {AgreementKey.PublicKeyLength} bytes");
            // A repeated key would let the server (or a copied member) pair masks that should be independent.
            if (!seen.Add(Convert.ToHexString(keys.SharingKey)) || !seen.Add(Convert.ToHexString(keys.MaskingKey)))
                throw new SecAggViolationException($"neighbour {j} advertises a key already in use in the cohort");
            try
            {
                var envelope = _sharingKey.SharedSeeds(keys.SharingKey,
                    [_cohort.Context("share-envelope", Index, j), _cohort.Context("share-envelope", j, Index)]);
                _envelopeKeys[j] = (envelope[0], envelope[1]);
                _pairwiseSeeds[j] = _maskingKey.SharedSeeds(keys.MaskingKey, [_cohort.Context("pairwise-mask", Math.Min(Index, j), Math.Max(Index, j))])[0];
            }
            catch (ArgumentException e)
            {
                throw new SecAggViolationException($"neighbour {j}: {e.Message}");
            }
            _neighbourKeys[j] = keys;
        }
        if (neighbourKeys.Keys.FirstOrDefault(j => j != Index && !_graph.AreNeighbours(Index, j), -1) is var stranger and >= 0)
            throw new SecAggViolationException($"member {stranger} is not a neighbour of member {Index}");
        if (_neighbourKeys.Count + 1 < _cohort.Threshold)
            throw new SecAggViolationException($"member {Index} has {_neighbourKeys.Count} neighbours left, too few to share its secrets {_cohort.Threshold}-of-n");

        _selfMaskSeed = _random(SecretLength);
        var group = Group();
        var points = group.Select(m => (ulong)(m + 1)).ToArray();
        var seedShares = _sharing.SplitAt(_selfMaskSeed, points, _random);
        var keyBytes = _maskingKey.ExportPrivateKey();
        ShamirShare[] keyShares;
        try
        {
            keyShares = _sharing.SplitAt(keyBytes, points, _random);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(keyBytes);
        }

        var sealedShares = new List<EncryptedShares>(group.Length - 1);
        for (int g = 0; g < group.Length; g++)
        {
            int to = group[g];
            if (to == Index)
            {
                _held[Index] = (seedShares[g], keyShares[g]);
                continue;
            }
            var plaintext = SharePayload.Write(seedShares[g], keyShares[g]);
            sealedShares.Add(new EncryptedShares(Index, to, ShareEnvelope.Seal(_envelopeKeys[to].ToIt, _random(ShareEnvelope.NonceLength), plaintext,
                _cohort.Context("share-envelope", Index, to))));
            CryptographicOperations.ZeroMemory(plaintext);
        }
        return sealedShares;
    }

    /// <summary>Round 1, receiving side: opens the envelopes neighbours sealed for this member.</summary>
    /// <exception cref="SecAggViolationException">An envelope is for another member, from a non-neighbour, repeated, or does not authenticate.</exception>
    public void ReceiveShares(IEnumerable<EncryptedShares> envelopes)
    {
        ArgumentNullException.ThrowIfNull(envelopes);
        foreach (var e in envelopes)
        {
            if (e.To != Index) throw new SecAggViolationException($"an envelope for member {e.To} was delivered to member {Index}");
            if (!_envelopeKeys.TryGetValue(e.From, out var keys)) throw new SecAggViolationException($"member {e.From} is not a neighbour of member {Index}");
            if (_held.ContainsKey(e.From)) throw new SecAggViolationException($"a second envelope from member {e.From}");
            var plaintext = ShareEnvelope.Open(keys.FromIt, e.Envelope, _cohort.Context("share-envelope", e.From, Index), out var reason)
                ?? throw new SecAggViolationException($"the envelope from member {e.From}: {reason}");
            _held[e.From] = SharePayload.Read(plaintext, (ulong)(Index + 1), SecretLength)
                ?? throw new SecAggViolationException($"the envelope from member {e.From} does not hold two {SecretLength}-byte shares");
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    /// <summary>
    /// Round 2: <paramref name="input"/> (words below 2^b) plus this member's self mask, plus the pairwise mask of each neighbour
    /// with a higher index, minus that of each with a lower one, reduced modulo 2^b.
    /// </summary>
    public MaskedInput MaskInput(ReadOnlySpan<uint> input, MaskStream masks)
    {
        ArgumentNullException.ThrowIfNull(masks);
        if (_selfMaskSeed is null) throw new SecAggViolationException($"member {Index} cannot mask before it has shared its keys");
        if (_masked) throw new SecAggViolationException($"member {Index} has already sent its masked input");
        _masked = true;
        var words = input.ToArray();
        masks.Add(words, _selfMaskSeed);
        // Pairwise masks with the neighbours whose shares arrived: exactly those the server can unmask if they drop.
        foreach (int j in _held.Keys.Where(j => j != Index).Order())
        {
            if (j > Index) masks.Add(words, _pairwiseSeeds[j]);
            else masks.Subtract(words, _pairwiseSeeds[j]);
        }
        Modular.Reduce(words, _cohort.Bits);
        return new MaskedInput(Index, words);
    }

    /// <summary>
    /// Round 3: for each member of this member's group, the share that removes its masks: of its self-mask seed when it
    /// survived, of its masking key when it dropped. Answers once; refuses a survivor set below the threshold or without it.
    /// </summary>
    public UnmaskingShares Unmask(IReadOnlySet<int> survivors)
    {
        ArgumentNullException.ThrowIfNull(survivors);
        if (_unmasked) throw new SecAggViolationException($"member {Index} has already revealed its shares in cohort {_cohort.CohortId}");
        if (!survivors.Contains(Index)) throw new SecAggViolationException($"member {Index} is asked to unmask but is not listed as a survivor");
        if (survivors.Count < _cohort.Threshold)
            throw new SecAggViolationException($"{survivors.Count} survivors are below the threshold {_cohort.Threshold}: the cohort must be abandoned");
        _unmasked = true;
        var revealed = new List<RevealedShare>();
        foreach (var (owner, (seed, key)) in _held.OrderBy(h => h.Key))
            revealed.Add(survivors.Contains(owner) ? new RevealedShare(owner, true, seed) : new RevealedShare(owner, false, key));
        return new UnmaskingShares(Index, revealed);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _sharingKey.Dispose();
        _maskingKey.Dispose();
        if (_selfMaskSeed is not null) CryptographicOperations.ZeroMemory(_selfMaskSeed);
        foreach (var (toIt, fromIt) in _envelopeKeys.Values)
        {
            CryptographicOperations.ZeroMemory(toIt);
            CryptographicOperations.ZeroMemory(fromIt);
        }
        foreach (var seed in _pairwiseSeeds.Values) CryptographicOperations.ZeroMemory(seed);
    }

    /// <summary>The seed two neighbours' pairwise mask comes from; the context orders the pair, so both derive one seed.</summary>
    internal static byte[] PairwiseSeed(CohortParameters cohort, AgreementKey own, byte[] peerMaskingKey, int a, int b) =>
        own.SharedSeed(peerMaskingKey, cohort.Context("pairwise-mask", Math.Min(a, b), Math.Max(a, b)));

    private int[] Group() => [.. _neighbourKeys.Keys.Append(Index).Order()];
}
