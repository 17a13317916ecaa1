using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Akka.Configuration;
using FedActors.Host.Configuration;
using FedActors.Host.Runs;

namespace FedActors.Host.Bench;

/// <summary>One timed run on a loopback cluster of OS processes.</summary>
/// <param name="Nodes">Processes: one coordinator-role node and <c>Nodes − 1</c> worker-role nodes.</param>
/// <param name="Updates">Updates applied between the first and the last row of the run's metrics.csv.</param>
/// <param name="Seconds">The coordinator's wall seconds between those rows (its first evaluation, before any job, and its last).</param>
/// <param name="StartSeconds">Wall seconds from starting the processes to the end of the coordinator (start-up and shutdown included).</param>
/// <param name="ModelSha256">Hash of the run's final weights.</param>
public sealed record ClusterRunSample(int Nodes, long Updates, double Seconds, double StartSeconds, string ModelSha256)
{
    /// <summary>Applied updates per wall second.</summary>
    public double UpdatesPerSecond => Updates / Seconds;
}

/// <summary>
/// Client updates applied per second by a loopback cluster of real <c>fedactors node</c> processes: a coordinator-role
/// node (the singleton coordinator, state in memory) and worker-role nodes holding the sharded client actors and
/// trainers, all on this machine. The same effective config as the one-node measurement is written to a file that
/// every node reads, so the cluster run is the same run: its final weights must hash as the one-node run's do.
/// </summary>
public static class ClusterOrchestrationBenchmark
{
    /// <summary>Longest a run may take before its processes are killed and the benchmark fails.</summary>
    public static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(15);

    /// <summary>Runs <paramref name="repetitions"/> cluster runs of <paramref name="config"/> on <paramref name="nodes"/> processes.</summary>
    /// <param name="config">The run's effective config (no persistence store: the coordinator keeps its state in memory).</param>
    /// <param name="nodes">Processes, at least 2: one coordinator and the rest workers.</param>
    /// <param name="repetitions">Runs to time.</param>
    /// <param name="progress">One line per finished run.</param>
    /// <param name="ct">Kills the processes and stops.</param>
    public static async Task<IReadOnlyList<ClusterRunSample>> RunAsync(Config config, int nodes, int repetitions, Action<string> progress,
        CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nodes, 2);
        var samples = new List<ClusterRunSample>();
        for (int r = 0; r < repetitions; r++)
        {
            ct.ThrowIfCancellationRequested();
            var sample = await RunOnceAsync(config, nodes, ct).ConfigureAwait(false);
            samples.Add(sample);
            progress(string.Create(CultureInfo.InvariantCulture,
                $"cluster of {nodes} processes: {sample.Updates:N0} updates in {sample.Seconds:F2} s, {sample.UpdatesPerSecond:F0} updates/s " +
                $"({sample.StartSeconds:F1} s from process start to the coordinator's exit), model_sha256 {sample.ModelSha256[..12]}…"));
        }
        return samples;
    }

    private static async Task<ClusterRunSample> RunOnceAsync(Config config, int nodes, CancellationToken ct)
    {
        var work = Directory.CreateTempSubdirectory("fedactors-bench-cluster-");
        var processes = new List<Process>();
        try
        {
            var conf = Path.Combine(work.FullName, "bench.conf");
            await File.WriteAllTextAsync(conf, FedActorsConfig.Render(config), ct).ConfigureAwait(false);
            var ports = Enumerable.Range(0, nodes).Select(_ => FreePort()).ToArray();
            var seed = $"127.0.0.1:{ports[0]}";
            var run = Path.Combine(work.FullName, "run");
            var started = Stopwatch.StartNew();
            string[] Common(int port) => ["--config", conf, "--set", $"fedactors.cluster.min-workers={nodes - 1}", "--seed-nodes", seed,
                "--port", port.ToString(CultureInfo.InvariantCulture)];
            var coordinator = Start(work.FullName, "coordinator", ["node", "--role", "coordinator", .. Common(ports[0]), "--out", run]);
            processes.Add(coordinator);
            for (int w = 1; w < nodes; w++) processes.Add(Start(work.FullName, $"worker{w}", ["node", "--role", "worker", .. Common(ports[w])]));

            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                timeout.CancelAfter(RunTimeout);
                try
                {
                    await coordinator.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    throw new FedActorsException($"the benchmark's cluster run did not end within {RunTimeout.TotalMinutes} minutes; logs in {work.FullName}");
                }
            }
            double startSeconds = started.Elapsed.TotalSeconds;
            if (coordinator.ExitCode != 0)
                throw new FedActorsException($"the benchmark's coordinator node exited {coordinator.ExitCode}: {Tail(Path.Combine(work.FullName, "coordinator.log"))}");

            var summary = await RunSummary.ReadAsync(Path.Combine(run, "summary.json"), ct).ConfigureAwait(false);
            if (summary.Status != RunStatus.Completed)
                throw new FedActorsException($"the benchmark's cluster run ended {summary.Status}");
            var (updates, seconds) = AppliedBetweenFirstAndLastRow(Path.Combine(run, "metrics.csv"));
            return new ClusterRunSample(nodes, updates, seconds, startSeconds, summary.ModelSha256 ?? "");
        }
        finally
        {
            // Workers stay up until told to leave; a failed run may also leave the coordinator.
            foreach (var p in processes.Where(p => !p.HasExited)) await Signal(p, "TERM").ConfigureAwait(false);
            foreach (var p in processes)
            {
                using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                try
                {
                    await p.WaitForExitAsync(grace.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    p.Kill(entireProcessTree: true);
                }
                p.Dispose();
            }
            if (!ct.IsCancellationRequested) TryDelete(work);
        }
    }

    /// <summary>Updates applied and coordinator wall seconds between the first and the last row of a run's metrics.csv.</summary>
    /// <exception cref="FedActorsException">The file has fewer than two rows or lacks the columns.</exception>
    public static (long Updates, double Seconds) AppliedBetweenFirstAndLastRow(string metricsCsv)
    {
        var lines = File.ReadAllLines(metricsCsv).Where(l => l.Length > 0).ToArray();
        if (lines.Length < 3) throw new FedActorsException($"{metricsCsv} holds {Math.Max(0, lines.Length - 1)} row(s); the benchmark needs the first and the last evaluation");
        var header = lines[0].Split(',');
        int wall = Array.IndexOf(header, "wall_seconds"), applied = Array.IndexOf(header, "updates_applied");
        if (wall < 0 || applied < 0) throw new FedActorsException($"{metricsCsv} has no wall_seconds or updates_applied column");
        var first = lines[1].Split(',');
        var last = lines[^1].Split(',');
        long updates = long.Parse(last[applied], CultureInfo.InvariantCulture) - long.Parse(first[applied], CultureInfo.InvariantCulture);
        double seconds = double.Parse(last[wall], CultureInfo.InvariantCulture) - double.Parse(first[wall], CultureInfo.InvariantCulture);
        if (updates <= 0 || seconds <= 0) throw new FedActorsException($"{metricsCsv}: no updates were applied between its first and last rows");
        return (updates, seconds);
    }

    private static Process Start(string directory, string name, string[] args)
    {
        // This very host, as the process that runs the benchmark was started (dotnet fedactors.dll, or the apphost).
        var host = Environment.ProcessPath ?? throw new FedActorsException("cannot tell which executable runs fedactors");
        var dll = typeof(ClusterOrchestrationBenchmark).Assembly.Location;
        bool viaDotnet = Path.GetFileNameWithoutExtension(host) == "dotnet";
        var start = new ProcessStartInfo(host)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (viaDotnet) start.ArgumentList.Add(dll);
        foreach (var a in args) start.ArgumentList.Add(a);
        var log = new StreamWriter(Path.Combine(directory, name + ".log")) { AutoFlush = true };
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var gate = new Lock();
        void Write(string? line)
        {
            if (line is null) return;
            lock (gate) log.WriteLine(line);
        }
        process.OutputDataReceived += (_, e) => Write(e.Data);
        process.ErrorDataReceived += (_, e) => Write(e.Data);
        process.Exited += (_, _) =>
        {
            process.WaitForExit(); // drains the redirected streams
            lock (gate) log.Dispose();
        };
        if (!process.Start()) throw new FedActorsException($"could not start {host}");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task Signal(Process process, string signal)
    {
        try
        {
            using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, process.Id.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false });
            if (kill is not null) await kill.WaitForExitAsync().ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // Ended meanwhile.
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Tail(string log)
    {
        try
        {
            return string.Join(" | ", File.ReadAllLines(log).TakeLast(5));
        }
        catch (IOException)
        {
            return "(no log)";
        }
    }

    private static void TryDelete(DirectoryInfo directory)
    {
        try
        {
            directory.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A log still open by an exiting process; the temporary directory is left behind.
        }
    }
}
