namespace FedActors.Actors.Simulation;

/// <summary>What a straggling device does with its job (<c>fedactors.simulation.device.stragglers.mode</c>).</summary>
public enum StragglerMode
{
    /// <summary>
    /// Partial work, as FedProx tolerates it: the job trains a number of local epochs drawn uniformly from
    /// 1 … local-epochs − 1, and its update is used.
    /// </summary>
    Partial,

    /// <summary>No result, as FedAvg treats stragglers in the FedProx paper: the job is never computed and times out.</summary>
    Drop,
}
