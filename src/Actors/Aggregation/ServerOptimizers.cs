namespace FedActors.Actors.Aggregation;

/// <summary>Hyperparameters for <see cref="ServerOptimizers.Create"/>; each optimizer reads the ones it uses.</summary>
/// <param name="Eta">η, the server learning rate. Default 1 (FedAvg).</param>
/// <param name="Momentum">β of FedAvgM. Default 0.9.</param>
/// <param name="Beta1">β1 of FedAdam/FedYogi/FedAdagrad. Default 0.9 (Reddi et al. 2021).</param>
/// <param name="Beta2">β2 of FedAdam/FedYogi. Default 0.99 (Reddi et al. 2021).</param>
/// <param name="Tau">τ, adaptivity of FedAdam/FedYogi/FedAdagrad. Default 1e-3 (the paper's usual best).</param>
/// <param name="InitialV">v_{−1}; null means τ² (the paper), 0 reproduces Flower.</param>
public sealed record ServerOptimizerParameters(
    double Eta = 1.0,
    double Momentum = 0.9,
    double Beta1 = 0.9,
    double Beta2 = 0.99,
    double Tau = 1e-3,
    double? InitialV = null);

/// <summary>Builds a server optimizer from its config name.</summary>
public static class ServerOptimizers
{
    /// <summary>The names <see cref="Create"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = ["sgd", "fedavgm", "fedadam", "fedyogi", "fedadagrad"];

    /// <summary>Creates the optimizer named <paramref name="name"/> for vectors of <paramref name="dimension"/> values.</summary>
    /// <param name="name">sgd | fedavgm | fedadam | fedyogi | fedadagrad (case-insensitive).</param>
    /// <param name="dimension">Length of the weight vectors.</param>
    /// <param name="parameters">Hyperparameters; defaults when null.</param>
    /// <exception cref="ArgumentException">Unknown name; the message lists the valid ones.</exception>
    public static IServerOptimizer Create(string name, int dimension, ServerOptimizerParameters? parameters = null)
    {
        var p = parameters ?? new ServerOptimizerParameters();
        return name?.Trim().ToLowerInvariant() switch
        {
            "sgd" => new ServerSgd(dimension, p.Eta),
            "fedavgm" => new ServerMomentum(dimension, p.Eta, p.Momentum),
            "fedadam" => new FedAdam(dimension, p.Eta, p.Beta1, p.Beta2, p.Tau, p.InitialV),
            "fedyogi" => new FedYogi(dimension, p.Eta, p.Beta1, p.Beta2, p.Tau, p.InitialV),
            "fedadagrad" => new FedAdagrad(dimension, p.Eta, p.Beta1, p.Tau, p.InitialV),
            _ => throw new ArgumentException(
                $"unknown server optimizer '{name}'; valid values are {string.Join(", ", Names.Select(n => $"'{n}'"))}",
                nameof(name)),
        };
    }
}
