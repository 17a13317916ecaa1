using FedActors.Host.Cli;
using FedActors.Host.Configuration;
using FedActors.Training;
using FedActors.Training.Models;
using Spectre.Console;

namespace FedActors.Host.Bench;

/// <summary>
/// <c>fedactors bench secagg</c>: what SecAgg+ costs a member and the server per cohort, next to the plain sum of the
/// same updates (<see cref="SecAggBenchmark"/>).
/// </summary>
internal sealed class SecAggSuite : IBenchSuite
{
    /// <summary>Cohort sizes the suite measures by default.</summary>
    public static IReadOnlyList<int> DefaultCohortSizes { get; } = [10, 100, 1000];

    /// <inheritdoc />
    public string Name => "secagg";

    /// <inheritdoc />
    public string Synopsis => "fedactors bench secagg [--out FILE] [--models M,...] [--clients N,...] [--repetitions R]";

    /// <inheritdoc />
    public string Description =>
        "secagg: SecAgg+ per cohort of n members (--clients, default " + string.Join(',', DefaultCohortSizes) + "), k = 2⌈log2 n⌉ neighbours,\n" +
        "       t = k/2 + 1, 10 % dropping before their input: a member's key rounds, quantization and masking, and reveal,\n" +
        "       the server's unmasking, and the plain fp32 sum of the same survivors, in one thread, against one default job's\n" +
        "       local training measured in the same run (default models: " +
        string.Join(',', AggregateSuite.AggregateModels) + ").\n";

    /// <inheritdoc />
    public bool ReadsExperimentConfig => false;

    /// <inheritdoc />
    public async Task<object> RunAsync(CommandContext ctx, BenchArguments bench, EffectiveConfig config, CancellationToken ct)
    {
        var sizes = bench.Clients ?? DefaultCohortSizes;
        if (sizes.Any(n => n < 3)) throw new UsageException("--clients: a benchmark cohort needs at least 3 members");
        var models = bench.Models ?? AggregateSuite.AggregateModels;
        int repetitions = bench.Repetitions ?? 5;
        await ctx.Out.WriteLineAsync($"bench secagg: cohorts of {string.Join(", ", sizes)} members, {repetitions} repetitions, one thread");
        var results = new List<SecAggBenchmarkResult>();
        var jobMs = new Dictionary<string, double>();
        foreach (var model in models)
        {
            int dimension = checked((int)ModelCatalog.Describe(model, [1, 28, 28], 10).ParameterCount);
            // The baseline the member's cost is weighed against, measured in this run on one intra-op thread.
            jobMs[model] = await TorchThread.RunAsync("bench-secagg", 1, () => OneJobTraining.MedianMs(model, Math.Max(repetitions, 9), ct));
            await ctx.Out.WriteLineAsync($"  {model}: one job of the default config ({OneJobTraining.DefaultSamples} samples, 1 epoch, batch 32) trains in {jobMs[model]:F2} ms");
            foreach (int n in sizes)
            {
                ct.ThrowIfCancellationRequested();
                var r = SecAggBenchmark.Run(model, dimension, n, repetitions, ct);
                results.Add(r);
                await ctx.Out.WriteLineAsync(
                    $"  {model} ({dimension:N0} words), n = {n}, k = {r.Neighbours}, t = {r.Threshold}: member keys {r.ClientKeysMs:F2} ms, " +
                    $"mask {r.ClientMaskMs:F2} ms ({(r.ClientKeysMs + r.ClientMaskMs) / jobMs[model]:F2} of a job), reveal {r.ClientRevealMs:F3} ms; " +
                    $"server unmask {r.ServerUnmaskMs:F1} ms against a plain sum of {r.PlainSumMs:F2} ms and the cohort's training of {n * jobMs[model]:F0} ms");
            }
        }

        var table = new Table().AddColumns("model", "n", "k", "t", "member keys ms", "member mask ms", "÷ one job", "member reveal ms", "server unmask ms",
            "plain sum ms", "÷ plain", "÷ cohort training", "protocol B/member");
        foreach (var r in results)
        {
            double job = jobMs[r.Model];
            table.AddRow(r.Model, $"{r.CohortSize}", $"{r.Neighbours}", $"{r.Threshold}", $"{r.ClientKeysMs:F2}", $"{r.ClientMaskMs:F2}",
                $"{(r.ClientKeysMs + r.ClientMaskMs) / job:F2}", $"{r.ClientRevealMs:F3}", $"{r.ServerUnmaskMs:F1}", $"{r.PlainSumMs:F2}",
                $"{r.ServerUnmaskMs / r.PlainSumMs:F0}", $"{r.ServerUnmaskMs / (r.CohortSize * job):F3}", $"{r.ProtocolBytesPerClient:N0}");
        }
        BenchReport.Print(ctx, table);
        return new
        {
            suite = "secagg",
            machine = BenchReport.Machine,
            repetitions,
            one_job_training_ms = jobMs,
            results = results.Select(r => new
            {
                model = r.Model,
                dimension = r.Dimension,
                cohort_size = r.CohortSize,
                neighbours = r.Neighbours,
                threshold = r.Threshold,
                dropped = r.Dropped,
                member_keys_ms = r.ClientKeysMs,
                member_mask_ms = r.ClientMaskMs,
                member_reveal_ms = r.ClientRevealMs,
                server_unmask_ms = r.ServerUnmaskMs,
                plain_sum_ms = r.PlainSumMs,
                protocol_bytes_per_member = r.ProtocolBytesPerClient,
            }),
        };
    }
}
