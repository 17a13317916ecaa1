using FedActors.Host.Cli;
using FedActors.Host.Configuration;

namespace FedActors.Host.Commands;

/// <summary><c>fedactors config</c>: prints the effective <c>fedactors</c> configuration, to check a setup.</summary>
public sealed class ConfigCommand : ICommand
{
    private const CommonOption Accepted = CommonOption.ConfigOptions;

    /// <inheritdoc />
    public string Name => "config";

    /// <inheritdoc />
    public string Summary => "print the effective configuration (reference.conf < --config < --set)";

    /// <inheritdoc />
    public string Usage =>
        "Usage: fedactors config [--config F] [--set K=V]... [--data-dir D]\n\n" +
        "Prints the effective fedactors configuration as HOCON, after checking every key and value.\n\n" +
        "Options:\n" + CommonOptions.Describe(Accepted);

    /// <inheritdoc />
    public async Task<int> RunAsync(CommandContext ctx, string[] args, CancellationToken ct)
    {
        var options = CommonOptions.Parse(args, Accepted);
        options.RejectRemaining();
        var config = options.LoadConfig(ctx);
        await ctx.Out.WriteAsync(FedActorsConfig.Render(config.Hocon));
        return 0;
    }
}
