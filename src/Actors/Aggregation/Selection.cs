namespace FedActors.Actors.Aggregation;

/// <summary>How a FedAvg round's or a FedBuff cohort's members are chosen (<c>selection</c>, <c>cohorts.selection</c>).</summary>
internal static class Selection
{
    /// <summary>True for <c>poisson</c> (a coin flip per client), false for <c>fixed</c> (a set number of free clients).</summary>
    /// <exception cref="FormatException">Any other value, for the config reader to name with its key.</exception>
    public static bool IsPoisson(string value) => value switch
    {
        "fixed" => false,
        "poisson" => true,
        _ => throw new FormatException("valid values are fixed, poisson"),
    };
}
