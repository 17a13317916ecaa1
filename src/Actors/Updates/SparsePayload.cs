namespace FedActors.Actors.Updates;

/// <summary>Some values and where they go; every other value is 0 (top-k or random-k sparsification).</summary>
public sealed record SparsePayload : UpdatePayload
{
    /// <summary>Creates a sparse payload, checking that the indices are strictly ascending and inside the vector.</summary>
    /// <param name="length">The vector's length.</param>
    /// <param name="indices">Positions of the values, strictly ascending, each in [0, <paramref name="length"/>).</param>
    /// <param name="values">The values, one per index.</param>
    /// <exception cref="ArgumentException">The lengths disagree or an index is out of order or out of range.</exception>
    public SparsePayload(int length, int[] indices, float[] values)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(values);
        if (indices.Length != values.Length)
            throw new ArgumentException($"a sparse payload needs one value per index, got {indices.Length} indices and {values.Length} values", nameof(values));
        for (int i = 0; i < indices.Length; i++)
            if (indices[i] < (i == 0 ? 0 : indices[i - 1] + 1) || indices[i] >= length)
                throw new ArgumentException(
                    $"sparse index {i} is {indices[i]}: indices must be strictly ascending and in [0, {length})", nameof(indices));
        (_length, Indices, Values) = (length, indices, values);
    }

    private readonly int _length;

    /// <summary>Positions of the values, strictly ascending; shared, read-only.</summary>
    public int[] Indices { get; }

    /// <summary>The values; shared, read-only.</summary>
    public float[] Values { get; }

    /// <inheritdoc />
    public override int Length => _length;

    /// <inheritdoc />
    public override void CopyTo(Span<float> destination)
    {
        RequireDestination(destination);
        destination.Clear();
        for (int i = 0; i < Indices.Length; i++) destination[Indices[i]] = Values[i];
    }
}
