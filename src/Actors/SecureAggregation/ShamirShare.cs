namespace FedActors.Actors.SecureAggregation;

/// <summary>
/// One member's share of a secret: the evaluations at <paramref name="X"/> of the sharing polynomials, one polynomial
/// per 7-byte chunk of the secret.
/// </summary>
/// <param name="X">The member's evaluation point: 1 … n, never 0 (the secret sits at 0).</param>
/// <param name="Values">One field element per chunk of the secret, each in [0, 2^61 − 1).</param>
/// <param name="SecretLength">Bytes of the shared secret.</param>
public sealed record ShamirShare(ulong X, ulong[] Values, int SecretLength)
{
    /// <summary>Structural equality: the same point, length and values.</summary>
    public bool Equals(ShamirShare? other) =>
        other is not null && X == other.X && SecretLength == other.SecretLength && Values.AsSpan().SequenceEqual(other.Values);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(X, SecretLength, Values.Length);
}
