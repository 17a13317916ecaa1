using System.Diagnostics;
using System.Globalization;

namespace FedActors.Host.Tests.Persistence;

/// <summary>
/// The experiment the crash tests kill and resume: FedBuff with logistic regression on 200 synthetic
/// clients, small enough to run uninterrupted in about 10 s here (2 cores), long enough to be killed many
/// times while it trains, with snapshots (and so journal pruning) every 20 server steps.
/// </summary>
public static class CrashExperiment
{
    /// <summary>fedactors.run.max-server-steps.</summary>
    public const int MaxServerSteps = 1200;

    /// <summary>fedactors.run.eval-every-steps: 21 metrics rows, steps 0 to 1,200.</summary>
    public const int EvalEverySteps = 60;

    /// <summary>fedactors.server.concurrency: jobs out at once.</summary>
    public const int Concurrency = 20;

    /// <summary>fedactors.server.buffer-size: updates per FedBuff step.</summary>
    public const int BufferSize = 5;

    /// <summary>The experiment config.</summary>
    public static readonly string Config = string.Create(CultureInfo.InvariantCulture, $$"""
        fedactors {
          seed = 7
          data {
            dataset = synthetic
            synthetic { alpha = 1.0, beta = 1.0, iid = false }
          }
          population { clients = 200 }
          model { name = logreg }
          client { local-epochs = 1, batch-size = 10, lr = 0.01 }
          run { target-accuracy = null, max-server-steps = {{MaxServerSteps}}, eval-every-steps = {{EvalEverySteps}} }
          server { algorithm = fedbuff, concurrency = {{Concurrency}}, buffer-size = {{BufferSize}} }
          simulation { clock = virtual }
          # TorchSharp's trainer: the kill points assume its pace (120-170 steps a second here since the C heap's
          # thresholds are fixed; 40-50 before); the managed logreg trainer would finish before most of them.
          trainers { slots = 2, threads-per-slot = 1, engine = torch }
          persistence { snapshot-every-steps = 20 }
        }

        """);

    /// <summary>The header of updates.csv, the ledger of applied updates.</summary>
    public const string UpdatesHeader = "server_step,job,client_id,base_version,staleness";

    /// <summary>The header of metrics.csv (DESIGN.md §4).</summary>
    public const string MetricsHeader = "server_step,virtual_seconds,wall_seconds,updates_applied,accuracy,loss,mean_staleness,max_staleness,bytes_up,bytes_down";

    /// <summary>How long one session may take before the test gives up on it.</summary>
    public static readonly TimeSpan SessionTimeout = TimeSpan.FromMinutes(3);

    /// <summary>Writes the config as <c>crash.conf</c> into <paramref name="dir"/> and returns the arguments of <c>run</c> into <paramref name="runDir"/>.</summary>
    public static List<string> RunArguments(string dir, string runDir, params string[] sets)
    {
        var conf = Path.Combine(dir, "crash.conf");
        if (!File.Exists(conf)) File.WriteAllText(conf, Config);
        var args = new List<string> { "run", "--config", conf, "--out", runDir, "--plain" };
        foreach (var s in sets) args.AddRange(["--set", s]);
        return args;
    }

    /// <summary>Runs once, uninterrupted, with <paramref name="host"/> (default: fedactors), and returns its exit code and output.</summary>
    public static async Task<(int Code, string Out, string Err, TimeSpan Wall)> RunToEndAsync(string workDir, IReadOnlyList<string> args, string? host = null)
    {
        var clock = Stopwatch.StartNew();
        using var process = FedActorsProcess.Start(workDir, args, host);
        var code = await process.WaitForExitAsync(SessionTimeout);
        return (code, process.Output, process.Error, clock.Elapsed);
    }

    /// <summary>
    /// Starts the run, kills it with SIGKILL <paramref name="kills"/> times while it trains, starting it
    /// again with the same arguments after each kill, then lets the last session finish.
    /// </summary>
    /// <remarks>
    /// Kill points come from <c>new Random(seed)</c>. The run's steps from 10 % to 80 % of max-server-steps
    /// are cut into one segment per kill and a target step is drawn in each, so the kills spread over the
    /// run. A session is killed once metrics.csv shows an evaluation at or past its target that this
    /// session wrote (a step beyond every row the file held when it started, so the process is training,
    /// not starting or replaying), plus a random 0–400 ms: at the 120–170 steps a second measured here, that
    /// moves the kill up to about one evaluation interval past the evaluation, off evaluation and snapshot
    /// boundaries. A session that ends before its kill fails the test.
    /// </remarks>
    public static async Task<CrashRun> RunWithKillsAsync(string workDir, string runDir, IReadOnlyList<string> args, int kills, int seed, Action<string> log,
        Action<int>? afterKill = null)
    {
        var random = new Random(seed);
        var metrics = Path.Combine(runDir, "metrics.csv");
        var points = new List<KillPoint>();
        var clock = Stopwatch.StartNew();
        double low = MaxServerSteps * 0.10, high = MaxServerSteps * 0.80, width = (high - low) / kills;
        for (var session = 0; session < kills; session++)
        {
            var planned = (long)(low + width * session + random.NextDouble() * width);
            var before = RunFiles.MaxMetricsStep(metrics);
            var target = Math.Max(planned, before + 1);
            using var process = FedActorsProcess.Start(workDir, args);
            long seen;
            while ((seen = RunFiles.MaxMetricsStep(metrics)) < target)
            {
                if (process.HasExited)
                    throw new InvalidOperationException(
                        $"session {session} exited with {await process.WaitForExitAsync(SessionTimeout)} before its kill point (step {target}); " +
                        $"kills so far:\n{string.Join('\n', points)}\nstderr:\n{process.Error}\nstdout tail:\n{FedActorsProcess.Tail(process.Output)}");
                if (process.Age > SessionTimeout)
                    throw new TimeoutException($"session {session} did not reach step {target} within {SessionTimeout}; metrics at {seen}");
                await Task.Delay(25);
            }
            var delay = random.Next(0, 400);
            await Task.Delay(delay);
            if (process.HasExited)
                throw new InvalidOperationException($"session {session} exited with {await process.WaitForExitAsync(SessionTimeout)} during the {delay} ms before its kill; choose an earlier kill point");
            var age = process.Age;
            var reported = process.LastReportedStep;
            var heldDb = process.HoldsOpen(Path.Combine(runDir, "state.db"));
            var code = await process.Kill();
            var point = new KillPoint(session, process.ResumedAfterStep, planned, seen, delay, age.TotalSeconds, reported, RunFiles.MaxMetricsStep(metrics), code, heldDb);
            points.Add(point);
            log(point.ToString());
            afterKill?.Invoke(session);
        }
        var ackBefore = Math.Max(0, RunFiles.CompleteLines(Path.Combine(runDir, "acknowledged.csv")).Count);
        using var last = FedActorsProcess.Start(workDir, args);
        var exit = await last.WaitForExitAsync(SessionTimeout);
        log(string.Create(CultureInfo.InvariantCulture,
            $"final session (resumed after step {last.ResumedAfterStep?.ToString(CultureInfo.InvariantCulture) ?? "-"}) exited {exit} after {last.Age.TotalSeconds:F1} s; {clock.Elapsed.TotalSeconds:F1} s in all"));
        return new CrashRun(points, exit, last.Output, last.Error, ackBefore, clock.Elapsed);
    }
}

/// <summary>One SIGKILL of a session.</summary>
/// <param name="Session">0 for the first process.</param>
/// <param name="ResumedAfterStep">The step the session resumed after (where the kill before it left the journal), null for the first.</param>
/// <param name="PlannedStep">The drawn target step.</param>
/// <param name="SeenStep">The evaluation step metrics.csv showed when the wait ended.</param>
/// <param name="DelayMs">The random wait after that, before the kill.</param>
/// <param name="SecondsAfterStart">When the kill was sent, from the start of the process.</param>
/// <param name="ReportedStep">The last server step the process printed before the kill.</param>
/// <param name="MetricsStepAfterKill">The last evaluation step in metrics.csv after the kill.</param>
/// <param name="ExitCode">The killed process's exit code: 137 (128 + SIGKILL) when the signal ended it.</param>
/// <param name="HeldStateDb">Whether the killed process had state.db open.</param>
public sealed record KillPoint(int Session, long? ResumedAfterStep, long PlannedStep, long SeenStep, int DelayMs, double SecondsAfterStart,
    long? ReportedStep, long MetricsStepAfterKill, int ExitCode, bool HeldStateDb)
{
    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"session {Session} (resumed after step {ResumedAfterStep?.ToString(CultureInfo.InvariantCulture) ?? "-"}): " +
        $"planned step {PlannedStep}, metrics at {SeenStep}, +{DelayMs} ms, {SecondsAfterStart:F1} s after start, " +
        $"last printed step {ReportedStep?.ToString(CultureInfo.InvariantCulture) ?? "-"}, metrics after kill {MetricsStepAfterKill}, exit {ExitCode}, state.db open {HeldStateDb}");
}

/// <summary>The outcome of <see cref="CrashExperiment.RunWithKillsAsync"/>.</summary>
/// <param name="Kills">The kills, in order.</param>
/// <param name="ExitCode">The exit code of the last session, the one that was not killed.</param>
/// <param name="Out">Its stdout.</param>
/// <param name="Err">Its stderr.</param>
/// <param name="AcknowledgedLinesBeforeLastSession">Complete lines of acknowledged.csv (header included) when the last session started: those the killed sessions wrote.</param>
/// <param name="Elapsed">Wall time of all sessions.</param>
public sealed record CrashRun(IReadOnlyList<KillPoint> Kills, int ExitCode, string Out, string Err, int AcknowledgedLinesBeforeLastSession, TimeSpan Elapsed);

/// <summary>One uninterrupted run of <see cref="CrashExperiment"/> (SQLite, durability step), made when a test first asks for it.</summary>
public sealed class UninterruptedRun : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly Lazy<Task<Reference>> _run;

    public UninterruptedRun() => _run = new(RunAsync);

    /// <summary>The finished run.</summary>
    public Task<Reference> GetAsync() => _run.Value;

    /// <inheritdoc />
    public void Dispose() => _dir.Dispose();

    private async Task<Reference> RunAsync()
    {
        var runDir = Path.Combine(_dir.Path, "run0");
        var (code, output, error, wall) = await CrashExperiment.RunToEndAsync(_dir.Path, CrashExperiment.RunArguments(_dir.Path, runDir));
        Assert.True(code == 0, $"the uninterrupted run exited {code}:\n{error}\n{FedActorsProcess.Tail(output)}");
        var summary = RunFiles.Summary(runDir);
        Assert.Equal("completed", summary.GetProperty("status").GetString());
        return new Reference(runDir, summary.GetProperty("model_sha256").GetString()!,
            RunFiles.Rows(Path.Combine(runDir, "metrics.csv"), CrashExperiment.MetricsHeader),
            File.Exists(Path.Combine(runDir, "updates.csv")) ? RunFiles.Rows(Path.Combine(runDir, "updates.csv"), CrashExperiment.UpdatesHeader) : null,
            wall);
    }

    /// <summary>What the crash tests compare against.</summary>
    /// <param name="RunDir">Its run directory.</param>
    /// <param name="ModelSha256">summary.json's model_sha256.</param>
    /// <param name="Metrics">metrics.csv rows.</param>
    /// <param name="Updates">updates.csv rows (null while the host does not write it).</param>
    /// <param name="Wall">Wall time of the process.</param>
    public sealed record Reference(string RunDir, string ModelSha256, IReadOnlyList<string[]> Metrics, IReadOnlyList<string[]>? Updates, TimeSpan Wall);
}
