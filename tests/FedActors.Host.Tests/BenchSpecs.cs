using FedActors.Host.Bench;
using FedActors.Host.Cli;
using FedActors.Host.Configuration;
using FedActors.Host.Data;
using FedActors.Host.Settings;
using FedActors.Training;

namespace FedActors.Host.Tests;

public class BenchSpecs
{
    [Fact]
    public void Parse_must_read_the_suite_and_its_options_in_both_forms()
    {
        var b = BenchArguments.Parse(["aggregate", "--out", "agg.json", "--models=logreg,cnn", "--repetitions", "9"]);

        Assert.Equal("aggregate", b.Suite);
        Assert.Equal("agg.json", b.OutFile);
        Assert.Equal(["logreg", "cnn"], b.Models);
        Assert.Equal(9, b.Repetitions);
        Assert.Null(b.Samples);
    }

    [Theory]
    [InlineData(new string[0], "bench needs a suite: ")]
    [InlineData(new[] { "--out", "x" }, "bench needs a suite: ")]
    [InlineData(new[] { "speed" }, "unknown bench suite 'speed' (valid: ")]
    [InlineData(new[] { "aggregate", "--samples", "5" }, "bench aggregate does not take --samples (it takes --out, ")]
    [InlineData(new[] { "aggregate", "--fast" }, "unknown option '--fast'")]
    [InlineData(new[] { "aggregate", "extra" }, "unexpected argument 'extra'")]
    [InlineData(new[] { "aggregate", "--repetitions", "0" }, "--repetitions must be a positive integer, got '0'")]
    [InlineData(new[] { "aggregate", "--repetitions" }, "--repetitions needs a value")]
    [InlineData(new[] { "aggregate", "--models", "resnet" }, "unknown model 'resnet' (valid: ")]
    public void Parse_must_reject_bad_arguments_with_one_clear_message(string[] args, string messageStart)
    {
        var e = Assert.Throws<UsageException>(() => BenchArguments.Parse(args));

        Assert.StartsWith(messageStart, e.Message);
    }

    [Fact]
    public void Aggregate_bytes_per_pass_must_count_K_updates_of_four_byte_floats()
    {
        Assert.Equal(10L * 7850 * 4, AggregateBenchmark.BytesPerPass(10, 7850)); // 314,000: logreg on Fashion-MNIST
        Assert.Equal(66_534_800L, AggregateBenchmark.BytesPerPass(10, 1_663_370)); // cnn: 10 · 1,663,370 · 4
    }

    [Fact]
    public void Median_and_median_ratio_must_take_the_middle_values()
    {
        Assert.Equal(2.0, BenchTiming.Median([3.0, 1.0, 2.0]));
        Assert.Equal(2.5, BenchTiming.Median([4.0, 1.0, 2.0, 3.0])); // (2 + 3) / 2
        // Pairwise ratios 0.5, 0.25, 1.0 → 0.5.
        Assert.Equal(0.5, BenchTiming.MedianRatio([1.0, 1.0, 4.0], [2.0, 4.0, 4.0]));
        // Ratios 2/4 = 0.5, 9/10 = 0.9, 1/10 = 0.1 → 0.5; the ratio of the medians would be 2/10 = 0.2.
        Assert.Equal(0.5, BenchTiming.MedianRatio([2.0, 9.0, 1.0], [4.0, 10.0, 10.0]));
        Assert.Throws<ArgumentException>(() => BenchTiming.MedianRatio([1.0], [1.0, 2.0]));
    }

    [Fact]
    public void Parse_must_read_population_sizes_with_digit_separators()
    {
        var b = BenchArguments.Parse(["population", "--clients", "10_000,1000000"]);

        Assert.Equal([10_000, 1_000_000], b.Clients);
        Assert.Throws<UsageException>(() => BenchArguments.Parse(["population", "--clients", "10,-5"]));
    }

    [Fact]
    public void Parse_must_read_secagg_cohort_sizes_and_refuse_its_foreign_options()
    {
        var b = BenchArguments.Parse(["secagg", "--clients", "10,100", "--models", "logreg"]);
        Assert.Equal([10, 100], b.Clients);
        Assert.Throws<UsageException>(() => BenchArguments.Parse(["secagg", "--codecs", "q8"]));
    }

    [Fact(DisplayName = "bench secagg must unmask a cohort with 10 % dropped and count each member's protocol bytes")]
    public void SecAgg_benchmark_must_run_a_cohort_through()
    {
        var r = SecAggBenchmark.Run("logreg", 500, members: 10, repetitions: 1, CancellationToken.None);
        Assert.Equal((8, 5, 1), (r.Neighbours, r.Threshold, r.Dropped)); // k = min(9, 2⌈log2 10⌉ = 8), t = k/2 + 1
        // Two 64-byte keys, 8 envelopes of two 5-element shares (80 bytes + 28), and about 9 revealed shares of 48 bytes.
        Assert.InRange(r.ProtocolBytesPerClient, 128 + 8 * 108, 128 + 8 * 108 + 9 * 48);
        Assert.True(r.ServerUnmaskMs > 0 && r.ClientMaskMs > 0);
    }

    [Fact(DisplayName = "bench secagg's baseline must train one default job of the model, in the same process")]
    public async Task One_job_baseline_must_train()
    {
        Assert.True(await TorchThread.RunAsync("test-one-job", 1, () => OneJobTraining.MedianMs("logreg", 1, CancellationToken.None)) > 0);
    }

    [Fact]
    public void ParseVmRss_must_read_kilobytes_as_bytes()
    {
        const string status = "Name:\tdotnet\nVmPeak:\t  900000 kB\nVmRSS:\t  452160 kB\nThreads:\t12\n";

        Assert.Equal(452_160L * 1024, ProcessMemory.ParseVmRss(status)); // 463,011,840 bytes
        Assert.Null(ProcessMemory.ParseVmRss("Name:\tdotnet\n"));
        Assert.Throws<FormatException>(() => ProcessMemory.ParseVmRss("VmRSS:\t452160 MB\n"));
    }

    [Fact]
    public void Bytes_per_client_must_divide_and_round_to_a_tenth()
    {
        Assert.Equal(28.0, PopulationBenchmark.PerClient(28_000_000, 1_000_000));
        Assert.Equal(40.3, PopulationBenchmark.PerClient(403_456, 10_000)); // 40.3456
        Assert.Equal(-2.0, PopulationBenchmark.PerClient(-2_000_000, 1_000_000)); // RSS can shrink: reported as measured
    }

    [Fact]
    public void Synthetic_test_set_must_pool_the_first_test_clients_devices_only()
    {
        var settings = FedActorsConfig.Load(null,
            ["fedactors.data.dataset=synthetic", "fedactors.population.clients=50", "fedactors.data.synthetic.test-clients=3"]).Settings;

        var test = DatasetLoader.SyntheticTest(settings);

        var expected = Enumerable.Range(0, 3).Sum(k => Training.Data.SyntheticFedProx.Generate(DatasetLoader.Synthetic(settings.Data), settings.Run.Seed, k).Test.Count);
        Assert.Equal(expected, test.Count);
        Assert.Equal(3, settings.Data.Synthetic.TestClientsOf(50));
        Assert.Equal(2, settings.Data.Synthetic.TestClientsOf(2)); // a smaller population pools every device
    }

    [Fact]
    public void Parse_must_give_each_runtime_suite_its_own_options()
    {
        var o = BenchArguments.Parse(["orchestration", "--steps=50", "--repetitions", "2", "--out", "o.json"]);

        Assert.Equal(("orchestration", 50, 2, "o.json"), (o.Suite, o.Steps, o.Repetitions, o.OutFile));
        Assert.Throws<UsageException>(() => BenchArguments.Parse(["orchestration", "--clients", "10"]));
        Assert.Equal(0, BenchArguments.Parse(["orchestration", "--local-steps", "0"]).LocalSteps);
        Assert.Equal(5, BenchArguments.Parse(["orchestration", "--local-steps=5"]).LocalSteps);
        Assert.Throws<UsageException>(() => BenchArguments.Parse(["orchestration", "--local-steps", "-1"]));
        Assert.Throws<UsageException>(() => BenchArguments.Parse(["overhead", "--local-steps", "5"]));
        Assert.Throws<UsageException>(() => BenchArguments.Parse(["population", "--steps", "10"]));
    }

    [Fact]
    public void Parse_must_read_the_cluster_size_for_orchestration_only()
    {
        Assert.Equal(3, BenchArguments.Parse(["orchestration", "--nodes", "3"]).Nodes);
        Assert.Null(BenchArguments.Parse(["orchestration"]).Nodes);
        Assert.Throws<UsageException>(() => BenchArguments.Parse(["overhead", "--nodes", "3"]));
    }

    [Fact]
    public void Cluster_updates_per_second_must_span_the_first_and_last_evaluation_rows()
    {
        var csv = Path.Combine(Directory.CreateTempSubdirectory().FullName, "metrics.csv");
        File.WriteAllText(csv,
            "server_step,virtual_seconds,wall_seconds,updates_applied,accuracy,loss,mean_staleness,max_staleness,bytes_up,bytes_down\n" +
            "0,0,2.5,0,0.1,3.0,0,0,0,0\n" +
            "50,15.0,7.5,500,0.2,2.5,6.1,40,100,200\n" +
            "100,30.0,12.5,1000,0.3,2.1,6.0,41,200,400\n");

        var (updates, seconds) = ClusterOrchestrationBenchmark.AppliedBetweenFirstAndLastRow(csv);

        Assert.Equal(1000, updates);
        Assert.Equal(10.0, seconds, 9); // 12.5 − 2.5: start-up before the first evaluation is not counted
        File.WriteAllText(csv, "server_step,wall_seconds,updates_applied\n0,2.5,0\n");
        Assert.Contains("holds 1 row(s)", Assert.Throws<FedActorsException>(() => ClusterOrchestrationBenchmark.AppliedBetweenFirstAndLastRow(csv)).Message);
    }

    [Fact]
    public void Overhead_pair_must_compare_samples_per_wall_and_per_CPU_second()
    {
        // Run: 60,000 samples in 10 s wall and 16 CPU s; bare: 40,000 samples in 5 s wall and 8 CPU s.
        var pair = new OverheadPair(60_000, 10, 9.5, 40_000, 5, 16, 8);

        Assert.Equal(6_000, pair.RunSamplesPerSecond);
        Assert.Equal(8_000, pair.BareSamplesPerSecond);
        Assert.Equal(0.75, pair.Ratio); // 6,000 / 8,000
        Assert.Equal(0.75, pair.CpuRatio); // (60,000 / 16) / (40,000 / 8) = 3,750 / 5,000
    }

    [Fact]
    public void Overhead_pair_must_compare_with_the_bare_loops_on_the_clients_batches_when_measured()
    {
        var pair = new OverheadPair(60_000, 10, 9.5, 40_000, 5, 16, 8);
        Assert.Null(pair.ClientBatchesRatio);
        Assert.Null(pair.ClientBatchesCpuRatio);

        // Bare on the clients' batches: 48,000 samples in 8 s wall and 12 CPU s.
        var shaped = pair with { ClientBatches = new BareHalf(48_000, 8, 12) };
        Assert.Equal(1.0, shaped.ClientBatchesRatio); // 6,000 / (48,000 / 8)
        Assert.Equal(0.9375, shaped.ClientBatchesCpuRatio); // 3,750 / (48,000 / 12)
        Assert.Equal(0.75, shaped.Ratio); // the full-batch ratio is unchanged
    }

    [Fact]
    public void Bare_loops_must_share_the_samples_rounding_up()
    {
        Assert.Equal(29_470, OverheadBenchmark.PerLoop(58_939, 2)); // 58,939 / 2 = 29,469.5
        Assert.Equal(58_938, OverheadBenchmark.PerLoop(58_938, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => OverheadBenchmark.PerLoop(10, 0));
    }
}

public class AggregateBenchmarkSpecs
{
    [Fact(DisplayName = "bench aggregate must time every robust aggregator and norm bounding against the plain fold, in that order")]
    public void Every_defense_must_be_timed_against_the_fold()
    {
        var r = AggregateBenchmark.Run("tiny", 64, Actors.Aggregation.FedBuffSettings.Default, repetitions: 1, CancellationToken.None);

        Assert.Equal(["median", "trimmed-mean", "krum", "multi-krum", "bulyan", "geometric-median", "divide-and-conquer", "signguard", "staleness-norm-bound", "norm-bound"], r.Defenses.Select(d => d.Defense));
        Assert.All(r.Defenses, d =>
        {
            Assert.True(d.SecondsPerBuffer > 0 && d.FoldSecondsPerBuffer > 0, d.Defense);
            Assert.True(double.IsFinite(d.Slowdown) && d.Slowdown > 0, d.Defense);
        });
        Assert.Equal(10, r.UpdatesPerPass);
    }
}
