using System.Globalization;
using Akka.Configuration;
using FedActors.Host.Cli;
using FedActors.Host.Configuration;

namespace FedActors.Host.Runs;

/// <summary>
/// The directory a run writes its outputs to (DESIGN.md §4): <c>--out DIR</c>, or a fresh
/// <c>runs/&lt;yyyyMMdd-HHmmss&gt;</c> under the working directory.
/// </summary>
public sealed class RunDirectory : IDisposable
{
    private readonly FileStream? _lock;
    private readonly bool _madeLock;
    private bool _madeRunId;

    private RunDirectory(string path, bool heldRun, bool created, FileStream? runLock, bool madeLock)
    {
        _madeLock = madeLock;
        FullPath = path;
        HeldRun = heldRun;
        Created = created;
        _lock = runLock;
    }

    /// <summary>The directory did not exist before <see cref="Open"/> made it.</summary>
    public bool Created { get; }

    /// <summary><c>run.lock</c>: held exclusively by the process that runs or resumes the run.</summary>
    public string LockPath => Path.Combine(FullPath, "run.lock");

    /// <summary>The absolute directory path.</summary>
    public string FullPath { get; }

    /// <summary>The directory already held a run (a run.conf) when opened: a run command resumes it.</summary>
    public bool HeldRun { get; }

    /// <summary><c>summary.json</c>.</summary>
    public string SummaryPath => Path.Combine(FullPath, "summary.json");

    /// <summary><c>metrics.csv</c>.</summary>
    public string MetricsPath => Path.Combine(FullPath, "metrics.csv");

    /// <summary><c>run.conf</c>, the effective configuration.</summary>
    public string RunConfPath => Path.Combine(FullPath, "run.conf");

    /// <summary><c>accuracy.png</c>.</summary>
    public string PlotPath => Path.Combine(FullPath, "accuracy.png");

    /// <summary><c>run.id</c>: the run's journal id, fixed when the run starts (runs may share one PostgreSQL database).</summary>
    public string RunIdPath => Path.Combine(FullPath, "run.id");

    /// <summary>The run's journal id: read from run.id, or made and written there for a new run.</summary>
    /// <exception cref="FedActorsException">run.id is missing from a run that holds one, or malformed.</exception>
    public async Task<string> RunIdAsync(CancellationToken ct)
    {
        if (File.Exists(RunIdPath))
        {
            var id = (await File.ReadAllTextAsync(RunIdPath, ct)).Trim();
            if (id.Length is 0 or > 100 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
                throw new FedActorsException($"{RunIdPath}: not a run id ('{id}'); nothing was changed");
            return id;
        }
        if (HeldRun)
            throw new FedActorsException($"{FullPath} holds a run but no run.id, so its journal cannot be found; nothing was changed. Choose a new --out.");
        var fresh = "run-" + Guid.NewGuid().ToString("N");
        await AtomicFile.WriteAllTextAsync(RunIdPath, fresh + "\n", ct);
        _madeRunId = true;
        return fresh;
    }

    /// <summary>Opens (creating if needed) <paramref name="outDir"/>, or a new timestamped directory under <c>runs/</c>.</summary>
    /// <param name="outDir">The directory; null for a fresh one under <c>runs/</c>.</param>
    /// <param name="ctx">Resolves relative paths and the time.</param>
    /// <param name="exclusive">
    /// Hold <see cref="LockPath"/> until disposed, so that a second process cannot run or resume the same run
    /// at the same time (two writers would interleave their outputs and journals). The operating system
    /// drops the lock when the process dies, so a killed run never leaves the directory locked.
    /// </param>
    /// <exception cref="FedActorsException">The directory cannot be created, or another process holds it.</exception>
    public static RunDirectory Open(string? outDir, CommandContext ctx, bool exclusive = false)
    {
        var path = outDir is not null ? ctx.ResolvePath(outDir) : FreshDefault(ctx);
        FileStream? runLock = null;
        try
        {
            bool created = !Directory.Exists(path);
            Directory.CreateDirectory(path);
            bool madeLock = exclusive && !File.Exists(Path.Combine(path, "run.lock"));
            runLock = exclusive ? Lock(path) : null;
            // Decided under the lock: a run another process just finished here is seen as held.
            var heldRun = File.Exists(Path.Combine(path, "run.conf"));
            return new RunDirectory(path, heldRun, created, runLock, madeLock);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            runLock?.Dispose();
            throw new FedActorsException($"{path}: cannot create the run directory ({e.Message})", e);
        }
    }

    /// <summary>Releases <see cref="LockPath"/> when the directory was opened exclusively.</summary>
    public void Dispose() => _lock?.Dispose();

    /// <summary>
    /// Undoes <see cref="Open"/> for a run that failed before it started: the run.id and run.lock this instance wrote go,
    /// and so does the directory when this open created it and nothing else is in it. A held run is left alone.
    /// </summary>
    /// <returns>What was left behind, for the operator; null when nothing was.</returns>
    public string? Abandon()
    {
        if (HeldRun) return null;
        _lock?.Dispose();
        try
        {
            if (_madeRunId) File.Delete(RunIdPath);
            if (_madeLock) File.Delete(LockPath);
            if (!Created) return null;
            if (Directory.EnumerateFileSystemEntries(FullPath).Any()) return FullPath;
            Directory.Delete(FullPath);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"{FullPath} ({e.Message})";
        }
    }

    private static FileStream Lock(string path)
    {
        var lockPath = Path.Combine(path, "run.lock");
        try
        {
            // FileShare.None takes an exclusive advisory lock (flock) on Unix, which fails at once if held.
            return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
        }
        catch (IOException e) when (File.Exists(lockPath))
        {
            throw new FedActorsException(
                $"{path} is in use by another fedactors process (it holds {lockPath}); nothing was changed. Wait for it to finish, or choose another --out.", e);
        }
    }

    /// <summary>
    /// Writes the <c>fedactors</c> section of <paramref name="config"/> to run.conf, secrets left out (<see cref="RunConfSecrets"/>);
    /// <c>--config run.conf</c> reproduces the run, with the secrets given again.
    /// </summary>
    public Task WriteRunConfAsync(EffectiveConfig config, CancellationToken ct)
    {
        var (recorded, omitted) = RunConfSecrets.Strip(config);
        var header = "# Effective configuration of this run, written by fedactors. Reuse it with --config.\n" +
            string.Concat(omitted.Select(o => $"# Not written here: {o}.\n"));
        return AtomicFile.WriteAllTextAsync(RunConfPath, header + FedActorsConfig.Render(recorded), ct);
    }

    /// <summary>The file listing a simulated attack's malicious clients, one id per line under a <c>client_id</c> header.</summary>
    public string MaliciousPath => Path.Combine(FullPath, "malicious.csv");

    /// <summary>Lists the malicious clients of <paramref name="attack"/> in malicious.csv; writes nothing when nobody attacks.</summary>
    public Task WriteMaliciousAsync(Actors.Attacks.AttackSettings attack, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(attack);
        if (attack.Kind == Actors.Attacks.AttackKind.None) return Task.CompletedTask;
        var ids = attack.Malicious().Ids;
        return AtomicFile.WriteAllTextAsync(MaliciousPath,
            "client_id\n" + string.Concat(ids.Select(id => id.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n")), ct);
    }

    private static string FreshDefault(CommandContext ctx)
    {
        var stamp = ctx.Time.GetLocalNow().ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var baseDir = ctx.ResolvePath(Path.Combine("runs", stamp));
        // Two runs started in the same second must not share (and so resume) one directory.
        var path = baseDir;
        for (var n = 2; Directory.Exists(path); n++) path = $"{baseDir}-{n}";
        return path;
    }
}
