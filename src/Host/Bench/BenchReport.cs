using FedActors.Host.Cli;
using Spectre.Console;

namespace FedActors.Host.Bench;

/// <summary>What every suite's report shares: the machine it ran on, and its table on the command's output.</summary>
internal static class BenchReport
{
    /// <summary>The config the population and orchestration suites read without --config.</summary>
    public const string SyntheticConfig = "config/synthetic-fedbuff.conf";

    /// <summary>The machine, for the JSON results.</summary>
    public static object Machine => new { cores = Environment.ProcessorCount, os = Environment.OSVersion.VersionString };

    /// <summary>Writes <paramref name="table"/> to the command's output.</summary>
    public static void Print(CommandContext ctx, Table table) =>
        AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(ctx.Out) }).Write(table);
}
