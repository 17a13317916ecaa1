using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace FedActors.Host.Tests.Persistence;

/// <summary>
/// The real <c>fedactors</c> command as an operating-system process, to be killed with SIGKILL and started
/// again as a user would after a crash.
/// </summary>
/// <remarks>
/// It runs the host that the test project's build put next to the tests (<c>dotnet fedactors.dll</c>), not
/// the <c>./fedactors</c> launcher: the launcher would rebuild <c>src/Host</c> in Release whenever a source
/// is newer than its last build, which costs a build inside a timed test and could change the code between
/// the sessions of one run. The launcher ends in <c>exec dotnet</c>, so both put the same single process in
/// charge of the database; here its id is the one we kill, and <see cref="Kill"/> takes its whole tree anyway.
/// </remarks>
public sealed partial class FedActorsProcess : IDisposable
{
    private readonly Process _process;
    private readonly Stopwatch _age = Stopwatch.StartNew();
    private readonly StringBuilder _out = new();
    private readonly StringBuilder _err = new();
    private readonly object _gate = new();
    private long? _lastReportedStep;
    private long? _resumedAfterStep;

    private FedActorsProcess(Process process) => _process = process;

    /// <summary>The process id.</summary>
    public int Id => _process.Id;

    /// <summary>True once the process has ended.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Time since the process was started.</summary>
    public TimeSpan Age => _age.Elapsed;

    /// <summary>The highest server step the progress lines on stdout have named so far (best effort, for logs).</summary>
    public long? LastReportedStep { get { lock (_gate) return _lastReportedStep; } }

    /// <summary>The server step this session resumed after, as its progress line says; null before that line or for a new run.</summary>
    public long? ResumedAfterStep { get { lock (_gate) return _resumedAfterStep; } }

    /// <summary>Everything written to stdout so far.</summary>
    public string Output { get { lock (_gate) return _out.ToString(); } }

    /// <summary>Everything written to stderr so far.</summary>
    public string Error { get { lock (_gate) return _err.ToString(); } }

    /// <summary>The built host next to the test assembly.</summary>
    public static string HostAssembly => Built("fedactors.dll");

    /// <summary>The same host with the tests' extensions (tests/FedActors.TestHost: the coordinate-median strategy and the sign-flip transform).</summary>
    public static string TestHostAssembly => Built("fedactors-testhost.dll");

    /// <summary>Starts <c>fedactors <paramref name="args"/></c> in <paramref name="workingDirectory"/>.</summary>
    /// <param name="workingDirectory">The process's working directory.</param>
    /// <param name="args">The command line.</param>
    /// <param name="host">The host assembly to run. <value>Default: <see cref="HostAssembly"/>.</value></param>
    public static FedActorsProcess Start(string workingDirectory, IEnumerable<string> args, string? host = null)
    {
        // Through env, which execs in place (same pid): a test run started in the background inherits an
        // ignored SIGINT, and the child would rightly keep ignoring it; the signal specs need the default.
        var start = new ProcessStartInfo("env")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--default-signal=INT,TERM");
        start.ArgumentList.Add(DotnetHost());
        start.ArgumentList.Add(host ?? HostAssembly);
        foreach (var a in args) start.ArgumentList.Add(a);
        var process = new Process { StartInfo = start };
        var self = new FedActorsProcess(process);
        process.OutputDataReceived += (_, e) => self.OnLine(e.Data, self._out, parseProgress: true);
        process.ErrorDataReceived += (_, e) => self.OnLine(e.Data, self._err, parseProgress: false);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return self;
    }

    private static string Built(string assembly)
    {
        var path = Path.Combine(AppContext.BaseDirectory, assembly);
        if (!File.Exists(path)) throw new InvalidOperationException($"the built host is missing: {path}");
        return path;
    }

    /// <summary>Sends <paramref name="signal"/> (e.g. <c>TERM</c>, <c>INT</c>) to the process, as <c>kill -SIGNAL pid</c> does.</summary>
    public async Task Signal(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        await kill.WaitForExitAsync();
        if (kill.ExitCode != 0) throw new InvalidOperationException($"kill -{signal} {Id} exited {kill.ExitCode}");
    }

    /// <summary>Sends SIGKILL to the process and its descendants and waits until it is gone; returns its exit code (137 when the signal ended it).</summary>
    public async Task<int> Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It had already exited; the exit code tells.
        }
        await _process.WaitForExitAsync();
        return _process.ExitCode;
    }

    /// <summary>Waits for the process to end by itself; kills it and throws after <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            await Kill();
            throw new TimeoutException($"fedactors (pid {Id}) did not finish within {timeout}; stderr:\n{Error}\nstdout tail:\n{Tail(Output)}");
        }
        // The parameterless wait also drains the redirected streams.
        await _process.WaitForExitAsync();
        return _process.ExitCode;
    }

    /// <summary>True when the process has <paramref name="file"/> open (read from /proc; false where that is unavailable).</summary>
    public bool HoldsOpen(string file)
    {
        var full = Path.GetFullPath(file);
        try
        {
            foreach (var fd in Directory.EnumerateFileSystemEntries($"/proc/{Id}/fd"))
                if (new FileInfo(fd).LinkTarget == full) return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return false;
    }

    /// <summary>The last lines of <paramref name="text"/>.</summary>
    public static string Tail(string text, int lines = 15) =>
        string.Join('\n', text.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(lines));

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException) { }
        _process.Dispose();
    }

    private void OnLine(string? line, StringBuilder into, bool parseProgress)
    {
        if (line is null) return;
        lock (_gate)
        {
            into.Append(line).Append('\n');
            if (!parseProgress) return;
            if (_resumedAfterStep is null && ResumedAfter().Match(line) is { Success: true } resumed)
                _resumedAfterStep = long.Parse(resumed.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            foreach (Match m in ProgressStep().Matches(line))
            {
                var step = long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                if (step > (_lastReportedStep ?? -1)) _lastReportedStep = step;
            }
        }
    }

    // The muxer that runs the tests runs the host too; DOTNET_HOST_PATH names it under `dotnet test`.
    private static string DotnetHost()
    {
        var self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet") return self;
        return Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
    }

    [GeneratedRegex(@"\bstep (\d+)/\d+")]
    private static partial Regex ProgressStep();

    [GeneratedRegex(@"\bresumed after step (\d+)")]
    private static partial Regex ResumedAfter();
}
