using System.Text;

namespace FedActors.Host.Cli;

/// <summary>
/// Dispatches <c>fedactors &lt;command&gt; ...</c>, answers <c>--help</c> for the tool and every command, and
/// turns errors into exit codes with one message: 2 for usage errors, 1 for user-fixable failures
/// (<see cref="FedActorsException"/>, I/O errors), 130 when cancelled.
/// </summary>
public sealed class CommandLineApp
{
    /// <summary>Exit code for a wrong command line.</summary>
    public const int UsageError = 2;

    /// <summary>Exit code for a failure the user can fix (config, data, files).</summary>
    public const int Failure = 1;

    /// <summary>Exit code after Ctrl+C (128 + SIGINT), as shells report it.</summary>
    public const int Cancelled = 130;

    /// <summary>Exit code for a bug: an exception nobody expected (EX_SOFTWARE).</summary>
    public const int InternalError = 70;

    private const string Tool = "fedactors";
    private readonly IReadOnlyList<ICommand> _commands;

    /// <summary>Creates the dispatcher; command names must be unique.</summary>
    public CommandLineApp(IReadOnlyList<ICommand> commands)
    {
        var duplicate = commands.GroupBy(c => c.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"command '{duplicate.Key}' is registered twice", nameof(commands));
        _commands = commands;
    }

    /// <summary>The text of <c>fedactors --help</c>.</summary>
    public string Help
    {
        get
        {
            var sb = new StringBuilder()
                .Append("fedactors: asynchronous federated learning runtime\n\n")
                .Append("Usage: fedactors <command> [options]\n\nCommands:\n");
            var width = _commands.Count == 0 ? 0 : _commands.Max(c => c.Name.Length) + 2;
            foreach (var c in _commands) sb.Append("  ").Append(c.Name.PadRight(width)).Append(c.Summary).Append('\n');
            return sb.Append("\nRun 'fedactors <command> --help' for a command's options.\n").ToString();
        }
    }

    /// <summary>Runs the command named by <c>args[0]</c> and returns the process exit code.</summary>
    public async Task<int> RunAsync(CommandContext ctx, string[] args, CancellationToken ct)
    {
        if (args.Length == 0)
            return Fail(ctx, UsageError, $"{Tool}: no command given (run '{Tool} --help' for the list)");
        if (args[0] is "--help" or "-h" or "help")
        {
            await ctx.Out.WriteAsync(Help);
            return 0;
        }
        var command = _commands.FirstOrDefault(c => c.Name == args[0]);
        if (command is null)
        {
            var what = args[0].StartsWith('-') ? "option" : "command";
            return Fail(ctx, UsageError,
                $"{Tool}: unknown {what} '{args[0]}' (commands: {string.Join(", ", _commands.Select(c => c.Name))})");
        }

        var rest = args[1..];
        if (rest.Any(a => a is "--help" or "-h"))
        {
            await ctx.Out.WriteAsync(command.Usage);
            return 0;
        }

        var prefix = $"{Tool} {command.Name}";
        try
        {
            return await command.RunAsync(ctx, rest, ct);
        }
        catch (UsageException e)
        {
            return Fail(ctx, UsageError, $"{prefix}: {e.Message} (see '{prefix} --help')");
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return Fail(ctx, Cancelled, $"{prefix}: cancelled");
        }
        catch (Exception e) when (IsUserError(e))
        {
            return Fail(ctx, Failure, $"{prefix}: {e.Message}");
        }
        catch (Exception e)
        {
            // A bug: keep the stack trace, it is what a report needs.
            return Fail(ctx, InternalError, $"{prefix}: internal error: {e}");
        }
    }

    /// <summary>Errors the user can act on from the message alone; anything else is a bug.</summary>
    public static bool IsUserError(Exception e) =>
        e is FedActorsException or Akka.Configuration.ConfigurationException or IOException or UnauthorizedAccessException or InvalidDataException;

    private static int Fail(CommandContext ctx, int code, string message)
    {
        ctx.Error.WriteLine(message);
        return code;
    }
}
