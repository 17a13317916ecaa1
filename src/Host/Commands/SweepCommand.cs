using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using FedActors.Host.Cli;
using FedActors.Host.Runs;

namespace FedActors.Host.Commands;

/// <summary>
/// <c>fedactors sweep</c>: one run per combination of the varied keys, one after another into one directory, then a
/// table and an overlay plot of all of them. A sweep directory given again continues: finished variants are kept,
/// stopped ones resume.
/// </summary>
public sealed class SweepCommand : ICommand
{
    private const CommonOption Accepted = CommonOption.All;

    /// <summary>The table's CSV in the sweep directory.</summary>
    public const string TableFile = "sweep.csv";

    /// <summary>The overlay plot in the sweep directory.</summary>
    public const string PlotFile = "sweep.png";

    /// <inheritdoc />
    public string Name => "sweep";

    /// <inheritdoc />
    public string Summary => "run one experiment per value of the varied keys and tabulate and plot them together";

    /// <inheritdoc />
    public string Usage =>
        "Usage: fedactors sweep --vary KEY=V1,V2,... [--vary KEY=...]... [--config F] [--set K=V]... [--out DIR] [--data-dir D] [--plain]\n\n" +
        "Runs the experiment once per combination of the --vary values (the first key varies slowest), each as\n" +
        "`fedactors run --set KEY=V` into DIR/<values> (default DIR runs/sweep-<timestamp>), one after another.\n" +
        $"Then prints a table (bytes per update, bytes and virtual time to the target, final and best accuracy) and writes\n" +
        $"it to DIR/{TableFile}, with an overlay plot of accuracy against virtual time, wall time and uploaded bytes in\n" +
        $"DIR/{PlotFile}. Given an existing DIR, it keeps the finished variants and resumes stopped ones.\n" +
        "Values may hold commas inside brackets or quotes: --vary 'fedactors.client.transforms=[],[sign-flip]'.\n\n" +
        "Example: fedactors sweep --vary fedactors.compression.uplink=none,fp16,q8,q4,topk-0.1+q8\n\n" +
        "Options:\n" +
        "  --vary KEY=V1,V2,...  a config key and the values it takes, repeatable\n" +
        CommonOptions.Describe(Accepted);

    /// <inheritdoc />
    public async Task<int> RunAsync(CommandContext ctx, string[] args, CancellationToken ct)
    {
        var options = CommonOptions.Parse(args, Accepted);
        var varies = new List<string>();
        var rest = new Queue<string>(options.Remaining);
        while (rest.Count > 0)
        {
            var arg = rest.Dequeue();
            if (arg == "--vary") varies.Add(rest.Count > 0 ? rest.Dequeue() : throw new UsageException("--vary needs KEY=V1,V2,..."));
            else if (arg.StartsWith("--vary=", StringComparison.Ordinal)) varies.Add(arg["--vary=".Length..]);
            else throw new UsageException(arg.StartsWith('-') ? $"unknown option '{arg}'" : $"unexpected argument '{arg}'");
        }
        var variants = SweepPlan.Parse(varies);
        var dir = ctx.ResolvePath(options.OutDir ?? Path.Combine("runs", "sweep-" + DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)));
        Directory.CreateDirectory(dir);
        await File.WriteAllTextAsync(Path.Combine(dir, "sweep.json"), JsonSerializer.Serialize(new
        {
            config = options.ConfigFile,
            set = options.Sets,
            vary = varies,
            variants = variants.Select(v => v.Name),
        }, new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }), CancellationToken.None);
        await ctx.Out.WriteLineAsync($"sweep: {variants.Count} variant(s) into {dir}");

        int failed = 0;
        var run = new RunCommand();
        foreach (var (variant, i) in variants.Select((v, i) => (v, i + 1)))
        {
            if (ct.IsCancellationRequested) break;
            await ctx.Out.WriteLineAsync($"sweep: variant {i}/{variants.Count}: {string.Join(" ", variant.Settings.Select(s => $"{s.Key}={s.Value}"))}");
            List<string> runArgs = [.. options.ConfigFile is { } f ? new[] { "--config", f } : [], .. options.Sets.SelectMany(s => new[] { "--set", s }),
                .. variant.SetArguments, "--out", Path.Combine(dir, variant.Name), .. options.DataDir is { } d ? new[] { "--data-dir", d } : [],
                .. options.Plain ? new[] { "--plain" } : []];
            try
            {
                if (await run.RunAsync(ctx, [.. runArgs], ct) != 0) failed++;
            }
            catch (FedActorsException e)
            {
                // One variant's bad value (a codec this build lacks, say) must not cost the others their runs.
                await ctx.Error.WriteLineAsync($"fedactors sweep: variant {variant.Name}: {e.Message}");
                failed++;
            }
        }

        var results = variants.Select(v => (v.Label, Run: Finished(Path.Combine(dir, v.Name)))).ToList();
        var table = SweepTable.Text(results);
        await ctx.Out.WriteAsync(table);
        await File.WriteAllTextAsync(Path.Combine(dir, TableFile), SweepTable.Csv(results), CancellationToken.None);
        var finished = results.Where(r => r.Run is not null).Select(r => r.Run! with { Name = r.Label }).ToList();
        if (finished.Count > 0)
        {
            ComparisonPlot.Save(Path.Combine(dir, PlotFile), finished);
            await ctx.Out.WriteLineAsync($"table: {Path.Combine(dir, TableFile)}; plot: {Path.Combine(dir, PlotFile)}");
        }
        return failed > 0 || finished.Count < variants.Count ? 1 : 0;
    }

    private static ComparedRun? Finished(string dir) =>
        File.Exists(Path.Combine(dir, "summary.json")) && File.Exists(Path.Combine(dir, "metrics.csv")) ? ComparedRun.Read(dir) : null;
}
