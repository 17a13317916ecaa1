namespace FedActors.Actors.SecureAggregation;

/// <summary>Round 0: a member's two public keys, one for encrypting shares to it, one for its pairwise masks.</summary>
/// <param name="Member">The member's index.</param>
/// <param name="SharingKey">P-256 public key for share envelopes (64 bytes).</param>
/// <param name="MaskingKey">P-256 public key for pairwise mask seeds (64 bytes).</param>
public sealed record MemberKeys(int Member, byte[] SharingKey, byte[] MaskingKey);

/// <summary>Round 1: a member's shares of its self-mask seed and masking key for one neighbour, sealed for that neighbour.</summary>
/// <param name="From">The sharing member.</param>
/// <param name="To">The neighbour the envelope is for.</param>
/// <param name="Envelope">AES-GCM envelope (<see cref="ShareEnvelope"/>) of both shares' values.</param>
public sealed record EncryptedShares(int From, int To, byte[] Envelope);

/// <summary>Round 2: a member's input, masked, in Z_(2^b).</summary>
/// <param name="Member">The member's index.</param>
/// <param name="Words">The masked words, each below 2^b.</param>
public sealed record MaskedInput(int Member, uint[] Words);

/// <summary>One share a survivor reveals in round 3: of a surviving owner's self-mask seed, or of a dropped owner's masking key.</summary>
/// <param name="Owner">Whose secret the share is of.</param>
/// <param name="OfSelfMaskSeed">True for a self-mask seed (the owner survived), false for a masking key (the owner dropped).</param>
/// <param name="Share">The share.</param>
public sealed record RevealedShare(int Owner, bool OfSelfMaskSeed, ShamirShare Share);

/// <summary>Round 3: what one survivor reveals so the server can remove the masks.</summary>
/// <param name="From">The revealing member.</param>
/// <param name="Shares">One share per member of its group (its neighbours and itself).</param>
public sealed record UnmaskingShares(int From, IReadOnlyList<RevealedShare> Shares);

/// <summary>A protocol message that breaks the protocol: refused, with the reason, and counted by the caller.</summary>
public sealed class SecAggViolationException(string reason) : Exception(reason);
