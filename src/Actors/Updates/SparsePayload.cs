namespace FedActors.Actors.Updates;

/// <summary>
/// Some values and where they go; every other value is 0 (top-k or random-k sparsification). The values are a payload
/// of their own (float32, fp16 or quantized), so a sparsifier composes with a value codec.
/// </summary>
public sealed record SparsePayload : UpdatePayload
{
    /// <summary>Creates a sparse payload, checking that the indices are strictly ascending and inside the vector.</summary>
    /// <param name="length">The vector's length.</param>
    /// <param name="indices">Positions of the values, strictly ascending, each in [0, <paramref name="length"/>).</param>
    /// <param name="values">The values, one per index: any payload kind but sparse.</param>
    /// <exception cref="ArgumentException">The counts disagree, the values are sparse, or an index is out of order or out of range.</exception>
    public SparsePayload(int length, int[] indices, UpdatePayload values)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(values);
        if (values is SparsePayload) throw new ArgumentException("a sparse payload's values cannot be sparse themselves", nameof(values));
        if (indices.Length != values.Length)
            throw new ArgumentException($"a sparse payload needs one value per index, got {indices.Length} indices and {values.Length} values", nameof(values));
        long indexBytes = 0;
        for (int i = 0; i < indices.Length; i++)
        {
            int floor = i == 0 ? 0 : indices[i - 1] + 1;
            if (indices[i] < floor || indices[i] >= length)
                throw new ArgumentException(
                    $"sparse index {i} is {indices[i]}: indices must be strictly ascending and in [0, {length})", nameof(indices));
            indexBytes += Varint.SizeOf((uint)(indices[i] - floor));
        }
        (_length, Indices, Values, IndexBytes) = (length, indices, values, indexBytes);
    }

    /// <summary>Creates a sparse payload of float32 values.</summary>
    public SparsePayload(int length, int[] indices, float[] values) : this(length, indices, new DensePayload(values)) { }

    private readonly int _length;

    /// <summary>Positions of the values, strictly ascending; shared, read-only.</summary>
    public int[] Indices { get; }

    /// <summary>The values, one per index.</summary>
    public UpdatePayload Values { get; }

    /// <summary>Bytes the indices take encoded: each the gap after the previous one, as a LEB128 varint.</summary>
    public long IndexBytes { get; }

    /// <inheritdoc />
    public override int Length => _length;

    /// <inheritdoc />
    public override void CopyTo(Span<float> destination)
    {
        RequireDestination(destination);
        destination.Clear();
        if (Values is DensePayload dense)
        {
            for (int i = 0; i < Indices.Length; i++) destination[Indices[i]] = dense.Values[i];
            return;
        }
        // The values land in the destination's last k slots, then move to their positions: no scratch array. Indices
        // ascend inside [0, n), so index i is at most n-k+i: each write lands on a slot already read.
        int k = Indices.Length, n = _length;
        var tail = destination[(n - k)..];
        Values.CopyTo(tail);
        for (int i = 0; i < k; i++)
        {
            float v = tail[i];
            tail[i] = 0f;
            destination[Indices[i]] = v;
        }
    }
}
