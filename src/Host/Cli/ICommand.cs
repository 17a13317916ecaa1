namespace FedActors.Host.Cli;

/// <summary>One <c>fedactors &lt;name&gt;</c> command.</summary>
public interface ICommand
{
    /// <summary>The word after <c>fedactors</c>, e.g. <c>config</c>.</summary>
    string Name { get; }

    /// <summary>One line for the command list of <c>fedactors --help</c>.</summary>
    string Summary { get; }

    /// <summary>The full text of <c>fedactors &lt;name&gt; --help</c>: usage line, description, options.</summary>
    string Usage { get; }

    /// <summary>Runs the command; <paramref name="args"/> are the arguments after its name.</summary>
    /// <returns>The process exit code: 0 success, 1 failure, 2 usage error.</returns>
    /// <exception cref="UsageException">The arguments are wrong (exit code 2).</exception>
    /// <exception cref="FedActorsException">A user-fixable problem such as a bad config (exit code 1).</exception>
    Task<int> RunAsync(CommandContext ctx, string[] args, CancellationToken ct);
}
