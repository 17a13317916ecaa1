using System.Diagnostics;

namespace FedActors.Actors.Simulation;

/// <summary>A source of elapsed seconds, injected so that scheduling code never reads the system clock itself.</summary>
public interface IClock
{
    /// <summary>Seconds since the clock's origin.</summary>
    double Seconds { get; }
}

/// <summary>Real elapsed time since construction (monotonic).</summary>
public sealed class WallClock : IClock
{
    private readonly long _origin = Stopwatch.GetTimestamp();

    /// <inheritdoc />
    public double Seconds => Stopwatch.GetElapsedTime(_origin).TotalSeconds;
}

/// <summary>A clock that moves only when told to: simulated time, and a stand-in for time in tests.</summary>
public sealed class ManualClock : IClock
{
    /// <inheritdoc />
    public double Seconds { get; private set; }

    /// <summary>Moves the clock to <paramref name="seconds"/>; it never goes back.</summary>
    public void AdvanceTo(double seconds)
    {
        if (seconds < Seconds) throw new ArgumentOutOfRangeException(nameof(seconds), $"clock cannot go back from {Seconds} to {seconds}");
        Seconds = seconds;
    }
}

/// <summary>How time flows in a run (<c>fedactors.simulation.clock</c>).</summary>
public enum ClockMode
{
    /// <summary>Simulated: job durations come from device profiles, results apply in virtual finish order; deterministic.</summary>
    Virtual,

    /// <summary>Real: results apply as they arrive; durations are whatever the clients take.</summary>
    Wall,
}
