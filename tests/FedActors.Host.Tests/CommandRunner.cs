using FedActors.Host.Cli;

namespace FedActors.Host.Tests;

/// <summary>Runs the real command line in-process, capturing what it prints.</summary>
public static class CommandRunner
{
    public static async Task<(int Code, string Out, string Err)> RunAsync(string workingDirectory, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var ctx = new CommandContext(output, error, workingDirectory, IsInteractive: false, TimeProvider.System);
        var code = await new CommandLineApp(Program.Commands()).RunAsync(ctx, args, CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }
}
