namespace FedActors.Actors.Aggregation;

/// <summary>Builds an <see cref="IStalenessWeight"/> from its config name.</summary>
public static class StalenessWeights
{
    /// <summary>The kinds <see cref="Create"/> accepts.</summary>
    public static IReadOnlyList<string> Kinds { get; } = ["constant", "polynomial", "hinge", "inverse-sqrt"];

    /// <summary>Creates the staleness function named <paramref name="kind"/>.</summary>
    /// <param name="kind">constant | polynomial | hinge | inverse-sqrt (case-insensitive).</param>
    /// <param name="a">a: the exponent (polynomial) or slope (hinge); ignored by the others.</param>
    /// <param name="b">b: the hinge threshold; ignored by the others.</param>
    /// <exception cref="ArgumentException">The kind is unknown; the message lists the valid ones.</exception>
    public static IStalenessWeight Create(string kind, double a, double b) =>
        kind?.Trim().ToLowerInvariant() switch
        {
            "constant" => new ConstantStaleness(),
            "polynomial" => new PolynomialStaleness(a),
            "hinge" => new HingeStaleness(a, b),
            "inverse-sqrt" => new InverseSqrtStaleness(),
            _ => throw new ArgumentException(
                $"unknown staleness function '{kind}'; valid values are {string.Join(", ", Kinds.Select(k => $"'{k}'"))}",
                nameof(kind)),
        };
}
