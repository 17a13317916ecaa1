using System.Text.RegularExpressions;
using FedActors.Host.Tests.Persistence;

namespace FedActors.Host.Tests.Monitoring;

/// <summary>
/// A real <c>fedactors run</c> process of the crash tests' experiment (logistic regression on 200 synthetic clients),
/// made longer so that a browser or a scraper can watch it for a while, with a dashboard or metrics endpoint.
/// </summary>
public static partial class MonitoredRun
{
    /// <summary>Server steps: about half a minute here, evaluated every 60 steps.</summary>
    public const int Steps = 3000;

    /// <summary>How long such a run may take before a test gives up.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);

    /// <summary>Starts the run in <paramref name="runDir"/> with <paramref name="extra"/> arguments.</summary>
    public static FedActorsProcess Start(string workDir, string runDir, params string[] extra)
    {
        var args = CrashExperiment.RunArguments(workDir, runDir, $"fedactors.run.max-server-steps={Steps}");
        args.AddRange(extra);
        return FedActorsProcess.Start(workDir, args);
    }

    /// <summary>Waits for a line of stdout matching <paramref name="pattern"/> and returns its first group.</summary>
    public static async Task<string> WaitForLineAsync(FedActorsProcess process, Regex pattern, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (pattern.Match(process.Output) is { Success: true } m) return m.Groups[1].Value;
            if (process.HasExited) break;
            await Task.Delay(100);
        }
        throw new TimeoutException($"no line matching {pattern} (exited: {process.HasExited}); stdout:\n{process.Output}\nstderr:\n{process.Error}");
    }

    [GeneratedRegex(@"^dashboard(?: of [^:]+)?: (http://\S+)", RegexOptions.Multiline)]
    public static partial Regex DashboardLine();

    [GeneratedRegex(@"^metrics: (http://\S+)", RegexOptions.Multiline)]
    public static partial Regex MetricsLine();
}
