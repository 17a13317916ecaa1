using FedActors.Host.Cli;
using FedActors.Host.Commands;
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
    ];

    /// <summary>Runs one command and returns its exit code.</summary>
    public static async Task<int> Main(string[] args)
    {
        // Before libtorch allocates anything: see NativeHeap for what glibc's defaults cost a training step.
        NativeHeap.Configure();
        using var cancellation = new ConsoleCancellation(Console.Error);
        var app = new CommandLineApp(Commands());
        return await app.RunAsync(CommandContext.ForConsole(), args, cancellation.Token);
    }
}
