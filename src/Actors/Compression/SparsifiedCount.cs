namespace FedActors.Actors.Compression;

/// <summary>How many values a sparsifier keeps: a fraction of the model (rounded up) or a fixed count, at least one.</summary>
/// <param name="Fraction">The fraction in (0, 1], or null when <paramref name="Count"/> is given.</param>
/// <param name="Count">The count ≥ 1, or null when <paramref name="Fraction"/> is given.</param>
public readonly record struct SparsifiedCount(double? Fraction, int? Count)
{
    /// <summary>Values kept out of <paramref name="dimension"/>: between 1 and <paramref name="dimension"/>.</summary>
    public int Of(int dimension)
    {
        if (dimension == 0) return 0;
        long k = Count ?? (long)Math.Ceiling(Fraction!.Value * dimension);
        return (int)Math.Clamp(k, 1, dimension);
    }

    /// <summary>As the codec name writes it: the fraction (<c>0.01</c>) or the count (<c>500</c>).</summary>
    public override string ToString() =>
        Count is { } c ? c.ToString(System.Globalization.CultureInfo.InvariantCulture) : Fraction!.Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}
