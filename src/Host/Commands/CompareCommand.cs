using FedActors.Host.Cli;
using FedActors.Host.Runs;

namespace FedActors.Host.Commands;

/// <summary><c>fedactors compare DIR...</c>: a side-by-side table of finished runs and one overlay plot.</summary>
public sealed class CompareCommand : ICommand
{
    /// <summary>The plot's file when --out is not given.</summary>
    public const string DefaultPlot = "comparison.png";

    /// <inheritdoc />
    public string Name => "compare";

    /// <inheritdoc />
    public string Summary => "compare finished runs side by side and plot their accuracy curves together";

    /// <inheritdoc />
    public string Usage =>
        "Usage: fedactors compare DIR DIR... [--out FILE]\n\n" +
        "Prints the runs' summaries side by side (time, updates and bytes to the target accuracy, final and best\n" +
        "accuracy, speed-ups against the first DIR, and any privacy, attack, compression or fairness figures a run has)\n" +
        $"and writes one overlay plot: accuracy against virtual time, wall time and uploaded bytes (default {DefaultPlot}).\n\n" +
        "Options:\n" +
        "  --out FILE      the plot's PNG file\n" +
        "  --help          show this help\n";

    /// <inheritdoc />
    public async Task<int> RunAsync(CommandContext ctx, string[] args, CancellationToken ct)
    {
        var options = CommonOptions.Parse(args, CommonOption.Out);
        var dirs = new List<string>();
        foreach (var arg in options.Remaining)
        {
            if (arg.StartsWith('-')) throw new UsageException($"unknown option '{arg}'");
            dirs.Add(ctx.ResolvePath(arg));
        }
        if (dirs.Count == 0) throw new UsageException("name at least one run directory");
        var runs = dirs.Select(ComparedRun.Read).ToList();
        await ctx.Out.WriteAsync(RunComparison.Table(runs));
        var plot = ctx.ResolvePath(options.OutDir ?? DefaultPlot);
        if (Path.GetDirectoryName(plot) is { } parent) Directory.CreateDirectory(parent);
        ComparisonPlot.Save(plot, runs);
        await ctx.Out.WriteLineAsync($"plot: {plot}");
        return 0;
    }
}
