namespace FedActors.Actors.Simulation;

/// <summary>The distribution a client's speed factor is drawn from (<c>fedactors.simulation.device.speed.distribution</c>).</summary>
public enum SpeedDistribution
{
    /// <summary>Every device has speed 1.</summary>
    Constant,

    /// <summary>exp(N(0, σ)): median 1, heavy right tail of fast devices and left tail of stragglers.</summary>
    LogNormal,

    /// <summary>Exponential with mean 1 (FLSim's exponential duration model, applied to speed).</summary>
    Exponential,

    /// <summary>|N(0, 1)|·√(π/2): mean 1 (FLSim's per-user half-normal).</summary>
    HalfNormal,

    /// <summary>Pareto with x_m = 1 and the given shape: speeds ≥ 1, a few very fast devices.</summary>
    Pareto,
}
