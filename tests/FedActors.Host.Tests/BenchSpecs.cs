using FedActors.Host.Bench;
using FedActors.Host.Cli;

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
}
