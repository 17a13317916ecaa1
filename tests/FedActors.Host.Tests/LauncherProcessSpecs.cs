using System.Diagnostics;

namespace FedActors.Host.Tests;

/// <summary>Runs the real <c>./fedactors</c> launcher as a process, as a user would.</summary>
public class LauncherProcessSpecs
{
    // The first call may build src/Host in Release (restore + compile).
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    [Fact]
    public async Task Launcher_must_show_help_and_report_config_errors_with_exit_codes()
    {
        var help = await RunLauncher("--help");
        Assert.True(help.Code == 0, $"--help exited {help.Code}: {help.Err}");
        Assert.Contains("Usage: fedactors <command>", help.Out);
        Assert.Contains("config", help.Out);

        var bad = await RunLauncher("config", "--set", "fedactors.client.lr=abc");
        Assert.Equal(1, bad.Code);
        Assert.Equal("fedactors config: fedactors.client.lr must be a number, got 'abc'", bad.Err.Trim());

        var unknown = await RunLauncher("nope");
        Assert.Equal(2, unknown.Code);
        Assert.StartsWith("fedactors: unknown command 'nope'", unknown.Err);
    }

    [Fact]
    public async Task Launcher_must_resolve_relative_paths_against_the_callers_directory()
    {
        using var dir = new TempDir();
        dir.File("mine.conf", "fedactors.client.lr = 0.375\n");
        var result = await RunLauncherIn(dir.Path, "config", "--config", "mine.conf");
        Assert.True(result.Code == 0, result.Err);
        Assert.Contains("    lr = 0.375\n", result.Out);
    }

    private static Task<(int Code, string Out, string Err)> RunLauncher(params string[] args) =>
        RunLauncherIn(Environment.CurrentDirectory, args);

    private static async Task<(int Code, string Out, string Err)> RunLauncherIn(string cwd, params string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(RepoRoot(), "fedactors"))
        {
            WorkingDirectory = cwd,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"./fedactors {string.Join(' ', args)} did not finish in {Timeout}");
        }
        return (process.ExitCode, await output, await error);
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "FedActors.sln"))) return dir.FullName;
        throw new InvalidOperationException("FedActors.sln not found above " + AppContext.BaseDirectory);
    }
}
