namespace FedActors.Actors.Updates;

/// <summary>An update that decodes to a vector whose length is not the model's: counted as <c>wrong_length</c>.</summary>
public sealed class WrongUpdateLengthException : Exception
{
    /// <summary>Creates the exception for an update of <paramref name="length"/> values and a model of <paramref name="dimension"/>.</summary>
    public WrongUpdateLengthException(int length, int dimension)
        : base($"the update decodes to {length} values; the model has {dimension}") => (Length, Dimension) = (length, dimension);

    /// <summary>Values the update decoded to.</summary>
    public int Length { get; }

    /// <summary>The model's parameter count.</summary>
    public int Dimension { get; }
}
