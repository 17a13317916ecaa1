using FedActors.Training;
using FedActors.Training.LocalTraining;

namespace FedActors.Actors.Simulation;

/// <summary>
/// What the simulation knows about each virtual device: a fixed speed factor and availability phase
/// per client, and per-job duration jitter and dropout. Everything derives from (seed, client or job,
/// purpose), so nothing is stored per client and a client always behaves the same.
/// </summary>
public sealed class DeviceProfiles
{
    private const ulong SpeedPurpose = 0xDE71_0001;
    private const ulong PhasePurpose = 0xDE71_0002;
    private const ulong JitterPurpose = 0xDE71_0003;
    private const ulong DropoutPurpose = 0xDE71_0004;
    private const ulong StragglerPurpose = 0xDE71_0005;
    private const ulong StragglerEpochsPurpose = 0xDE71_0006;

    private readonly ulong _seed;

    /// <summary>Creates the profiles of a population under <paramref name="seed"/>.</summary>
    public DeviceProfiles(DeviceSettings settings, ulong seed)
    {
        Settings = settings ?? throw new ArgumentNullException(nameof(settings));
        _seed = seed;
    }

    /// <summary>The device model.</summary>
    public DeviceSettings Settings { get; }

    /// <summary>The client's speed factor (1 = nominal; durations scale with 1/speed).</summary>
    public double Speed(int clientId)
    {
        var rng = DeterministicRandom.For(_seed, (ulong)clientId, SpeedPurpose);
        double s = Settings.Speed switch
        {
            SpeedDistribution.Constant => 1.0,
            SpeedDistribution.LogNormal => rng.NextLogNormal(0, Settings.Sigma),
            SpeedDistribution.Exponential => rng.NextExponential(1.0),
            SpeedDistribution.HalfNormal => Math.Abs(rng.NextNormal()) * Math.Sqrt(Math.PI / 2),
            SpeedDistribution.Pareto => Math.Pow(1 - rng.NextDouble(), -1.0 / Settings.Shape),
            _ => throw new InvalidOperationException($"unknown speed distribution {Settings.Speed}"),
        };
        return Math.Max(s, Settings.MinSpeed);
    }

    /// <summary>Virtual seconds job <paramref name="jobId"/> of <paramref name="clientId"/> takes for <paramref name="localSteps"/> SGD steps.</summary>
    public double Duration(int clientId, long jobId, int localSteps)
    {
        double d = localSteps * Settings.SecondsPerStep / Speed(clientId);
        if (Settings.Jitter > 0)
            d *= DeterministicRandom.For(_seed, (ulong)jobId, JitterPurpose).NextLogNormal(0, Settings.Jitter);
        return d;
    }

    /// <summary>True when job <paramref name="jobId"/>'s result is never going to arrive: its device drops out, or it straggles under <see cref="StragglerMode.Drop"/>.</summary>
    public bool DropsOut(long jobId) =>
        (Settings.Dropout > 0 && DeterministicRandom.For(_seed, (ulong)jobId, DropoutPurpose).NextDouble() < Settings.Dropout)
        || (Settings.StragglerMode == StragglerMode.Drop && Straggles(jobId));

    /// <summary>True when job <paramref name="jobId"/> is a straggler's (probability <see cref="DeviceSettings.StragglerFraction"/>).</summary>
    public bool Straggles(long jobId) =>
        Settings.StragglerFraction > 0 && DeterministicRandom.For(_seed, (ulong)jobId, StragglerPurpose).NextDouble() < Settings.StragglerFraction;

    /// <summary>
    /// The local training job <paramref name="jobId"/> does: <paramref name="options"/>, or, for a straggler under
    /// <see cref="StragglerMode.Partial"/>, the same with a number of epochs drawn uniformly from 1 … Epochs − 1 (as
    /// FedProx's code draws it). A function of (seed, job), so a resumed run sends the same work again.
    /// </summary>
    /// <exception cref="InvalidOperationException">A straggler must do partial work but <paramref name="options"/> trains a single epoch.</exception>
    public LocalTrainingOptions OptionsFor(long jobId, LocalTrainingOptions options)
    {
        if (Settings.StragglerMode != StragglerMode.Partial || !Straggles(jobId)) return options;
        if (options.Epochs < 2)
            throw new InvalidOperationException("fedactors.simulation.device.stragglers: partial work needs fedactors.client.local-epochs ≥ 2");
        int epochs = 1 + DeterministicRandom.For(_seed, (ulong)jobId, StragglerEpochsPurpose).NextInt(options.Epochs - 1);
        return options with { Epochs = epochs };
    }

    /// <summary>True when the client is online at <paramref name="seconds"/>: within the first fraction of its own phase-shifted period.</summary>
    public bool IsAvailable(int clientId, double seconds)
    {
        if (Settings.AvailabilityFraction >= 1) return true;
        double phase = DeterministicRandom.For(_seed, (ulong)clientId, PhasePurpose).NextDouble();
        double position = seconds / Settings.AvailabilityPeriod + phase;
        return position - Math.Floor(position) < Settings.AvailabilityFraction;
    }
}
