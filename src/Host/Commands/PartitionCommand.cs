using System.Globalization;
using FedActors.Host.Cli;
using FedActors.Host.Data;
using FedActors.Host.Runs;
using FedActors.Host.Settings;
using FedActors.Training.Partitioning;

namespace FedActors.Host.Commands;

/// <summary>
/// <c>fedactors partition</c>: splits the training set over the configured population exactly as a run
/// would and writes the partition report, to inspect a non-IID setup before spending compute on it.
/// </summary>
public sealed class PartitionCommand : ICommand
{
    private const CommonOption Accepted = CommonOption.ConfigOptions | CommonOption.Out;

    /// <inheritdoc />
    public string Name => "partition";

    /// <inheritdoc />
    public string Summary => "split the data over the population as a run would and write the partition report";

    /// <inheritdoc />
    public string Usage =>
        "Usage: fedactors partition [--config F] [--set K=V]... [--out DIR] [--data-dir D]\n\n" +
        "Partitions the training set over fedactors.population.clients clients (fedactors.data.partition.*),\n" +
        "prints summary statistics and writes DIR/partition.csv (per-client sample counts and label histograms)\n" +
        "and DIR/partition.summary.json. Without --config it reads " + CommonOptions.DefaultExperimentConfig + ".\n\n" +
        "Options:\n" + CommonOptions.Describe(Accepted);

    /// <inheritdoc />
    public async Task<int> RunAsync(CommandContext ctx, string[] args, CancellationToken ct)
    {
        var options = CommonOptions.Parse(args, Accepted);
        options.RejectRemaining();
        var config = options.LoadExperimentConfig(ctx);
        var settings = config.Settings;

        Partition partition;
        Training.Data.LabeledDataset train;
        if (settings.Data.Dataset == "synthetic")
        {
            int[] sizes;
            (train, _, sizes) = DatasetLoader.PoolSynthetic(settings);
            partition = ClientPartitioning.Contiguous(sizes);
        }
        else
        {
            (train, _) = await DatasetLoader.LoadPooledAsync(settings, line => ctx.Error.WriteLine(line), ct);
            partition = ClientPartitioning.Create(settings, train);
        }

        var report = PartitionReport.Create(partition, train.Labels, train.NumClasses);
        var run = RunDirectory.Open(options.OutDir, ctx);
        await run.WriteRunConfAsync(config, ct);
        var name = string.IsNullOrEmpty(settings.Data.Partition.Report) ? "partition.csv" : settings.Data.Partition.Report;
        var (csv, summaryPath) = ClientPartitioning.WriteReport(run.FullPath, name, report);

        var s = report.Summary;
        var inv = CultureInfo.InvariantCulture;
        await ctx.Out.WriteLineAsync(string.Create(inv,
            $"{settings.Data.Dataset}: {s.Samples} samples over {s.Clients} clients ({DescribeKind(settings)})"));
        await ctx.Out.WriteLineAsync(string.Create(inv,
            $"  samples per client: min {s.SamplesMin}, median {s.SamplesMedian}, mean {s.SamplesMean:F1}, max {s.SamplesMax}, CV {s.SamplesCv:F2}, Gini {s.SamplesGini:F2}"));
        await ctx.Out.WriteLineAsync(string.Create(inv,
            $"  labels per client: {s.MeanDistinctLabels:F2} distinct, {s.MeanLabelsAboveFivePercent:F2} above 5%, largest share {s.MeanLargestLabelShare:F2}, TV distance to global {s.MeanTvDistance:F3}"));
        var noise = settings.Data.Partition.FeatureNoise;
        if (noise > 0)
            await ctx.Out.WriteLineAsync(string.Create(inv,
                $"  feature noise: Gaussian, standard deviation {noise} · i / {s.Clients - 1} for client i (0 for client 0, {noise} for client {s.Clients - 1})"));
        await ctx.Out.WriteLineAsync($"report: {csv}, {summaryPath}");
        return 0;
    }

    private static string DescribeKind(FedActorsSettings settings)
    {
        var p = settings.Data.Partition;
        if (settings.Data.Dataset == "synthetic") return "one device per client";
        return p.Kind switch
        {
            "dirichlet" => string.Create(CultureInfo.InvariantCulture, $"Dirichlet alpha = {p.Alpha}"),
            "quantity" => string.Create(CultureInfo.InvariantCulture, $"quantity skew alpha = {p.Alpha}"),
            "shards" => $"{p.ShardsPerClient} shards per client",
            "labels-per-client" => $"exactly {p.LabelsPerClient} label{(p.LabelsPerClient == 1 ? "" : "s")} per client, NIID-Bench #C={p.LabelsPerClient}",
            _ => p.Kind,
        };
    }
}
