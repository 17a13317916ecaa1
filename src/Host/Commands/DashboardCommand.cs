using System.Globalization;
using FedActors.Host.Cli;
using FedActors.Host.Dashboard;

namespace FedActors.Host.Commands;

/// <summary>
/// <c>fedactors dashboard [DIR]</c>: the dashboard of a run directory, finished or still being written by another
/// process, served until Ctrl+C.
/// </summary>
public sealed class DashboardCommand : ICommand
{
    /// <inheritdoc />
    public string Name => "dashboard";

    /// <inheritdoc />
    public string Summary => "serve the web dashboard of a run directory (finished, or written by a running process)";

    /// <inheritdoc />
    public string Usage =>
        "Usage: fedactors dashboard [DIR] [--port P] [--bind H]\n\n" +
        "Serves the dashboard of the run in DIR (default: the newest directory under runs/) on a local port, printed\n" +
        "at start, until Ctrl+C: accuracy and loss against virtual and wall time, staleness, drift diagnostics and bytes,\n" +
        "read from its metrics.csv, diagnostics.csv and summary.json, and read again as they change. A run in this\n" +
        "process shows the same page live with `fedactors run --dashboard`.\n\n" +
        "Options:\n" +
        "  --port P        the port (default 0: a free one)\n" +
        "  --bind H        the host to listen on (default 127.0.0.1; + for every address)\n" +
        "  --help          show this help\n";

    /// <inheritdoc />
    public async Task<int> RunAsync(CommandContext ctx, string[] args, CancellationToken ct)
    {
        var options = CommonOptions.Parse(args, CommonOption.None);
        string? dir = null;
        int port = 0;
        string bind = "127.0.0.1";
        for (int i = 0; i < options.Remaining.Count; i++)
        {
            var arg = options.Remaining[i];
            string Value(string name)
            {
                if (arg.StartsWith(name + "=", StringComparison.Ordinal)) return arg[(name.Length + 1)..];
                if (i + 1 >= options.Remaining.Count) throw new UsageException($"{name} needs a value");
                return options.Remaining[++i];
            }
            if (arg == "--port" || arg.StartsWith("--port=", StringComparison.Ordinal))
            {
                var text = Value("--port");
                if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port > 65535)
                    throw new UsageException($"--port: expected a port number 0-65535, got '{text}'");
            }
            else if (arg == "--bind" || arg.StartsWith("--bind=", StringComparison.Ordinal)) bind = Value("--bind");
            else if (arg.StartsWith('-')) throw new UsageException($"unknown option '{arg}'");
            else if (dir is not null) throw new UsageException($"unexpected argument '{arg}': one run directory at a time");
            else dir = arg;
        }
        var path = dir is not null ? ctx.ResolvePath(dir) : Newest(ctx);
        var feed = new RunDirectoryFeed(path);
        await using var server = DashboardServer.Start(feed, bind, port);
        await ctx.Out.WriteLineAsync($"dashboard of {path}: {server.Url}  (Ctrl+C stops)");
        try
        {
            await Task.Delay(Timeout.Infinite, ct);
        }
        catch (OperationCanceledException)
        {
        }
        return 0;
    }

    private static string Newest(CommandContext ctx)
    {
        var runs = ctx.ResolvePath("runs");
        var newest = Directory.Exists(runs)
            ? new DirectoryInfo(runs).EnumerateDirectories().Where(d => File.Exists(Path.Combine(d.FullName, "metrics.csv")))
                .OrderByDescending(d => d.LastWriteTimeUtc).FirstOrDefault()
            : null;
        return newest?.FullName ?? throw new UsageException($"no run directory under {runs}: name one (fedactors dashboard DIR)");
    }
}
