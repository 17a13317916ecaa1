using FedActors.Host.Cli;
using FedActors.Host.Commands;
using FedActors.Host.Settings;
using FedActors.Training;

namespace FedActors.Host;

/// <summary>The <c>fedactors</c> entry point.</summary>
public static class Program
{
    /// <summary>Every command, in the order <c>fedactors --help</c> lists them. Adding one is one line here.</summary>
    public static IReadOnlyList<ICommand> Commands() =>
    [
        new RunCommand(),
        new CentralizedCommand(),
        new PartitionCommand(),
        new BenchCommand(),
        new ConfigCommand(),
        new NodeCommand(),
        new StatusCommand(),
        new DashboardCommand(),
        new CompareCommand(),
        new SweepCommand(),
        new PrivacyCommand(),
    ];

    /// <summary>Runs one command and returns its exit code.</summary>
    public static Task<int> Main(string[] args) => RunAsync(args, Extensions.BuiltIn);

    /// <summary>
    /// Runs one command with <paramref name="extensions"/> as the strategies and transforms a config may name: the
    /// entry point of an application that embeds the host with extensions of its own (the tests' host does).
    /// </summary>
    public static async Task<int> RunAsync(string[] args, Extensions extensions)
    {
        ArgumentNullException.ThrowIfNull(extensions);
        // Before libtorch allocates anything: see NativeHeap for what glibc's defaults cost a training step.
        NativeHeap.Configure();
        using var cancellation = new ConsoleCancellation(Console.Error);
        var app = new CommandLineApp(Commands());
        return await app.RunAsync(CommandContext.ForConsole() with { Extensions = extensions }, args, cancellation.Token);
    }
}
