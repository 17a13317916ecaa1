using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using FedActors.Host.Tests.Persistence;

namespace FedActors.Host.Tests.Cluster;

/// <summary>
/// The experiment the cluster specs run as real processes: FedBuff with logistic regression on 200
/// synthetic clients on the virtual clock, the crash specs' setup, with one trainer slot per process (two
/// workers on two cores) and 20 shards.
/// </summary>
public static partial class ClusterExperiment
{
    /// <summary>How long a whole cluster run may take before the spec gives up.</summary>
    public static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(4);

    /// <summary>The experiment config with <paramref name="maxServerSteps"/> steps.</summary>
    public static string Config(int maxServerSteps) => string.Create(CultureInfo.InvariantCulture, $$"""
        fedactors {
          seed = 7
          data {
            dataset = synthetic
            synthetic { alpha = 1.0, beta = 1.0, iid = false }
          }
          population { clients = 200 }
          model { name = logreg }
          client { local-epochs = 1, batch-size = 10, lr = 0.01 }
          run { target-accuracy = null, max-server-steps = {{maxServerSteps}}, eval-every-steps = 50 }
          server { algorithm = fedbuff, concurrency = 20, buffer-size = 5 }
          simulation { clock = virtual }
          # TorchSharp's trainer: slow enough that a killed worker still holds jobs it has not trained (the
          # managed logreg trainer answers almost every job before the kill lands, leaving nothing to resend).
          trainers { slots = 1, threads-per-slot = 1, engine = torch }
          persistence { snapshot-every-steps = 50 }
          cluster { shards = 20, min-workers = 2 }
        }

        """);

    /// <summary>Writes the config as <c>cluster.conf</c> in <paramref name="dir"/> and returns its path.</summary>
    public static string WriteConfig(string dir, int maxServerSteps)
    {
        var path = Path.Combine(dir, "cluster.conf");
        File.WriteAllText(path, Config(maxServerSteps));
        return path;
    }

    /// <summary>The --set pair that makes every client send its update through the test-only sign-flip transform (needs the test host).</summary>
    public static readonly string[] SignFlip = ["--set", "fedactors.client.transforms=[sign-flip]"];

    /// <summary>
    /// The model_sha256 of the one-process <c>fedactors run</c> of the same config (no journal: it does not change the
    /// weights), by <paramref name="host"/> (default: fedactors) with <paramref name="extra"/> arguments.
    /// </summary>
    public static async Task<string> OneProcessHashAsync(string dir, string config, string? host = null, params string[] extra)
    {
        var runDir = Path.Combine(dir, $"one-process-{Guid.NewGuid():N}");
        var (code, output, error, _) = await CrashExperiment.RunToEndAsync(dir,
            ["run", "--config", config, "--out", runDir, "--plain", "--set", "fedactors.persistence.provider=memory", .. extra], host);
        Assert.True(code == 0, $"the one-process run exited {code}:\n{error}\n{FedActorsProcess.Tail(output)}");
        return RunFiles.Summary(runDir).GetProperty("model_sha256").GetString()!;
    }

    /// <summary>A TCP port nobody listens on right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts <c>fedactors node</c> with <paramref name="role"/> on <paramref name="port"/>, joining <paramref name="seeds"/>.</summary>
    public static FedActorsProcess StartNode(string dir, string config, string role, int port, IEnumerable<int> seeds, params string[] extra) =>
        StartNode(FedActorsProcess.HostAssembly, dir, config, role, port, seeds, extra);

    /// <summary>Starts <c>node</c> of <paramref name="host"/> with <paramref name="role"/> on <paramref name="port"/>, joining <paramref name="seeds"/>.</summary>
    public static FedActorsProcess StartNode(string host, string dir, string config, string role, int port, IEnumerable<int> seeds, params string[] extra)
    {
        var args = new List<string>
        {
            "node", "--role", role, "--config", config, "--host", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture),
            "--seed-nodes", string.Join(",", seeds.Select(s => $"127.0.0.1:{s.ToString(CultureInfo.InvariantCulture)}")),
        };
        args.AddRange(extra);
        return FedActorsProcess.Start(dir, args, host);
    }

    /// <summary>The --set pair that journals to <paramref name="connectionString"/>.</summary>
    public static string[] Postgres(string connectionString) =>
        ["--set", "fedactors.persistence.provider=postgresql", "--set", $"fedactors.persistence.connection-string={Actors.Configuration.HoconString.Quote(connectionString)}"];

    /// <summary>Waits until <paramref name="process"/>'s stdout satisfies <paramref name="condition"/>; fails if it exits first or time runs out.</summary>
    public static async Task WaitForOutputAsync(FedActorsProcess process, Func<string, bool> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition(process.Output))
        {
            if (process.HasExited)
                throw new InvalidOperationException($"the process exited before {what}:\nstderr:\n{process.Error}\nstdout:\n{FedActorsProcess.Tail(process.Output, 30)}");
            if (clock.Elapsed > timeout)
                throw new TimeoutException($"no {what} within {timeout}:\nstderr:\n{process.Error}\nstdout:\n{FedActorsProcess.Tail(process.Output, 30)}");
            await Task.Delay(20);
        }
    }

    /// <summary>The highest "step N/M" a coordinator's progress lines show, or -1.</summary>
    public static long LastStep(string output)
    {
        long last = -1;
        foreach (Match m in ProgressStep().Matches(output)) last = Math.Max(last, long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
        return last;
    }

    /// <summary>The highest server step in an update ledger (updates.csv), or -1 while it has none.</summary>
    public static long MaxLedgerStep(string path)
    {
        long max = -1;
        foreach (var line in RunFiles.CompleteLines(path).Skip(1))
        {
            var comma = line.IndexOf(',');
            if (comma > 0 && long.TryParse(line.AsSpan(0, comma), NumberStyles.None, CultureInfo.InvariantCulture, out var step)) max = Math.Max(max, step);
        }
        return max;
    }

    /// <summary>Stops every process that still runs (SIGKILL) and disposes them.</summary>
    public static async Task StopAllAsync(IEnumerable<FedActorsProcess?> processes)
    {
        foreach (var p in processes)
        {
            if (p is null) continue;
            if (!p.HasExited) await p.Kill();
            p.Dispose();
        }
    }

    [GeneratedRegex(@"\bstep (\d+)/\d+")]
    private static partial Regex ProgressStep();
}
