using System.Text.Json;
using FedActors.Host.Bench;
using FedActors.Host.Cli;
using FedActors.Training.Models;

namespace FedActors.Host.Commands;

/// <summary>
/// <c>fedactors bench SUITE</c>: benchmarks that compare FedActors with a baseline measured in the same
/// run on the same machine, never with a remembered number. Each suite is a class of its own (<see cref="IBenchSuite"/>).
/// </summary>
public sealed class BenchCommand : ICommand
{
    private const CommonOption Accepted = CommonOption.ConfigOptions | CommonOption.Plain;

    private static readonly IReadOnlyList<IBenchSuite> Suites =
        [new TrainSuite(), new AggregateSuite(), new CompressionSuite(), new SecAggSuite(), new PopulationSuite(), new OrchestrationSuite(), new OverheadSuite()];

    /// <inheritdoc />
    public string Name => "bench";

    /// <inheritdoc />
    public string Summary => $"benchmarks against same-run baselines (suites: {string.Join(", ", BenchArguments.Suites)})";

    /// <inheritdoc />
    public string Usage =>
        "Usage: " + string.Join("\n       ", Suites.Select(s => s.Synopsis)) + "\n\n" +
        string.Concat(Suites.Select(s => s.Description)) + "\n" +
        "Options:\n" +
        "  --out FILE      also write the results as JSON\n" +
        $"  --models M,...  models to measure (train default: {string.Join(',', ModelCatalog.Names)})\n" +
        "  --samples N     train: samples per pass (default 4096); a timed repetition repeats the pass for at least 0.25 s\n" +
        "  --repetitions R timed repetitions of each loop, median reported (default: train 7, aggregate 21, orchestration 3, overhead 1)\n" +
        "  --threads T     train: intra-op threads (default: fedactors.trainers.threads-per-slot)\n" +
        "  --batch-size B  train: minibatch size (default: fedactors.client.batch-size)\n" +
        "  --clients N,... population: population sizes to measure\n" +
        "  --steps N       orchestration, overhead: server steps of each measured run\n" +
        "  --local-steps K orchestration: optimizer steps per local training (fedactors.client.local-steps); 0 = no cap\n" +
        "  --nodes N       orchestration: also measure a loopback cluster of N processes (default 1: one node only)\n" +
        CommonOptions.Describe(Accepted);

    /// <inheritdoc />
    public async Task<int> RunAsync(CommandContext ctx, string[] args, CancellationToken ct)
    {
        var options = CommonOptions.Parse(args, Accepted);
        var bench = BenchArguments.Parse(options.Remaining);
        var suite = Suites.FirstOrDefault(s => s.Name == bench.Suite) ?? throw new UsageException($"unknown bench suite '{bench.Suite}'");
        // The experiment's config, as `run` reads it, so that thread counts, batch size and K match a default run; the
        // runtime suites measure the Synthetic(α, β) population that needs no files, as the issue's large runs do.
        var config = suite.ReadsExperimentConfig ? options.LoadExperimentConfig(ctx) : options.LoadConfig(ctx, BenchReport.SyntheticConfig);
        object json = await suite.RunAsync(ctx, bench, config, ct);
        if (bench.OutFile is not null)
        {
            var path = ctx.ResolvePath(bench.OutFile);
            await File.WriteAllTextAsync(path, JsonSerializer.Serialize(json, new JsonSerializerOptions { WriteIndented = true }), ct);
            await ctx.Out.WriteLineAsync($"results written to {path}");
        }
        return 0;
    }
}
