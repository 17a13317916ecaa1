using System.Globalization;
using Akka.Configuration;
using FedActors.Host.Cli;
using FedActors.Host.Configuration;

namespace FedActors.Host.Runs;

/// <summary>
/// The directory a run writes its outputs to (DESIGN.md §4): <c>--out DIR</c>, or a fresh
/// <c>runs/&lt;yyyyMMdd-HHmmss&gt;</c> under the working directory.
/// </summary>
public sealed class RunDirectory
{
    private RunDirectory(string path, bool heldRun)
    {
        FullPath = path;
        HeldRun = heldRun;
    }

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
        return fresh;
    }

    /// <summary>Opens (creating if needed) <paramref name="outDir"/>, or a new timestamped directory under <c>runs/</c>.</summary>
    /// <exception cref="FedActorsException">The directory cannot be created.</exception>
    public static RunDirectory Open(string? outDir, CommandContext ctx)
    {
        var path = outDir is not null ? ctx.ResolvePath(outDir) : FreshDefault(ctx);
        try
        {
            var heldRun = File.Exists(Path.Combine(path, "run.conf"));
            Directory.CreateDirectory(path);
            return new RunDirectory(path, heldRun);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FedActorsException($"{path}: cannot create the run directory ({e.Message})", e);
        }
    }

    /// <summary>Writes the <c>fedactors</c> section of <paramref name="config"/> to run.conf; <c>--config run.conf</c> reproduces the run.</summary>
    public Task WriteRunConfAsync(Config config, CancellationToken ct) =>
        AtomicFile.WriteAllTextAsync(RunConfPath,
            "# Effective configuration of this run, written by fedactors. Reuse it with --config.\n" + FedActorsConfig.Render(config), ct);

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
