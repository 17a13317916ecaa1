using FedActors.Host.Cli;
using Spectre.Console;

namespace FedActors.Host.Progress;

/// <summary>Chooses the display: live on an interactive terminal, plain lines otherwise or with <c>--plain</c>.</summary>
public static class RunProgress
{
    /// <summary>A live progress bar if <paramref name="ctx"/> is interactive and <paramref name="plain"/> is false, else plain text.</summary>
    public static IRunProgress Create(CommandContext ctx, bool plain) =>
        !plain && ctx.IsInteractive && AnsiConsole.Profile.Capabilities.Interactive
            ? new LiveRunProgress(AnsiConsole.Console)
            : new PlainRunProgress(ctx.Out);
}
