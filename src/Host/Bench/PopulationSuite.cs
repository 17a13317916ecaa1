using FedActors.Host.Data;
using FedActors.Host.Cli;
using FedActors.Host.Configuration;
using Spectre.Console;

namespace FedActors.Host.Bench;

/// <summary><c>fedactors bench population</c>: bytes a run holds per virtual client (<see cref="PopulationBenchmark"/>).</summary>
internal sealed class PopulationSuite : IBenchSuite
{
    /// <summary>Population sizes the suite measures by default.</summary>
    public static IReadOnlyList<int> PopulationSizes { get; } = [10_000, 100_000, 1_000_000];

    /// <inheritdoc />
    public string Name => "population";

    /// <inheritdoc />
    public string Synopsis => "fedactors bench population [--out FILE] [--clients N,...]";

    /// <inheritdoc />
    public string Description =>
        "population: bytes per virtual client (managed heap after a full collection, and RSS) that a run holds for\n" +
        "       N Synthetic(α, β) clients outside the actor system: data source, coordinator (device profiles, selector,\n" +
        "       in-flight jobs, counters), idle and once every client has been counted in the participation. Default\n" +
        $"       N: {string.Join(',', PopulationSizes)}. Without --config it reads {BenchReport.SyntheticConfig}.\n";

    /// <inheritdoc />
    public bool ReadsExperimentConfig => false;

    /// <inheritdoc />
    public async Task<object> RunAsync(CommandContext ctx, BenchArguments bench, EffectiveConfig config, CancellationToken ct)
    {
        var sizes = bench.Clients ?? PopulationSizes;
        var settings = config.Settings;
        if (settings.Data.Dataset != "synthetic")
            throw new UsageException($"bench population measures a Synthetic(α, β) population; the config's fedactors.data.dataset is '{settings.Data.Dataset}'");
        var synthetic = DatasetLoader.Synthetic(settings.Data);
        long before = ProcessMemory.ManagedBytes();
        var test = DatasetLoader.SyntheticTest(settings with { Population = settings.Population with { Clients = sizes.Max() } });
        long testBytes = ProcessMemory.ManagedBytes() - before;
        await ctx.Out.WriteLineAsync(
            $"bench population: {settings.Run.ModelName}, Synthetic({synthetic.Alpha}, {synthetic.Beta}); fixed cost outside the per-client figures: " +
            $"central test set of {test.Count:N0} samples from {settings.Data.Synthetic.TestClientsOf(sizes.Max()):N0} devices, {testBytes / 1e6:F1} MB");
        // An unrecorded first measurement: the runtime returns the memory of building the test set to the system
        // over the next collections, which would otherwise show as a negative RSS for the first size.
        PopulationBenchmark.Run(settings, synthetic, sizes.Min(), test);
        var results = new List<PopulationBenchmarkResult>();
        foreach (var n in sizes)
        {
            ct.ThrowIfCancellationRequested();
            var r = PopulationBenchmark.Run(settings, synthetic, n, test);
            results.Add(r);
            await ctx.Out.WriteLineAsync(
                $"  {n:N0} clients: idle {r.IdleManagedPerClient:F1} B/client managed, {r.IdleRssPerClient:F1} B/client RSS; " +
                $"all counted {r.CountedManagedPerClient:F1} B/client managed, {r.CountedRssPerClient:F1} B/client RSS");
        }
        GC.KeepAlive(test);

        var table = new Table().AddColumns("clients", "idle managed B/client", "idle RSS B/client", "counted managed B/client", "counted RSS B/client");
        foreach (var r in results)
        {
            table.AddRow($"{r.Clients:N0}", $"{r.IdleManagedPerClient:F1}", $"{r.IdleRssPerClient:F1}", $"{r.CountedManagedPerClient:F1}",
                $"{r.CountedRssPerClient:F1}");
        }
        BenchReport.Print(ctx, table);
        return new
        {
            suite = "population",
            machine = BenchReport.Machine,
            model = settings.Run.ModelName,
            test_set_bytes = testBytes,
            test_set_samples = test.Count,
            results = results.Select(r => new
            {
                clients = r.Clients,
                idle_managed_bytes = r.IdleManagedBytes,
                idle_rss_bytes = r.IdleRssBytes,
                idle_managed_bytes_per_client = r.IdleManagedPerClient,
                idle_rss_bytes_per_client = r.IdleRssPerClient,
                counted_managed_bytes = r.CountedManagedBytes,
                counted_rss_bytes = r.CountedRssBytes,
                counted_managed_bytes_per_client = r.CountedManagedPerClient,
                counted_rss_bytes_per_client = r.CountedRssPerClient,
            }),
        };
    }
}
