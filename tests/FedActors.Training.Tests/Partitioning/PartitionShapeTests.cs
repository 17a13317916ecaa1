using FedActors.Training.Partitioning;
using Xunit.Abstractions;

namespace FedActors.Training.Tests.Partitioning;

/// <summary>
/// Each partitioner produces the statistical shape it is named for, not just the right counts.
/// Labels: 10 classes × 6,000 samples (Fashion-MNIST-sized), split over 100 clients.
/// </summary>
public class PartitionShapeTests(ITestOutputHelper output)
{
    private const int Classes = 10, Clients = 100;
    private static readonly int[] Labels = PartitionTestData.BalancedLabels(Classes, 6000);

    private PartitionSummary Summarize(IPartitioner partitioner, ulong seed = 42)
    {
        var summary = PartitionReport.Create(partitioner.Split(Labels, Classes, Clients, seed), Labels, Classes).Summary;
        output.WriteLine($"{partitioner}: {summary}");
        return summary;
    }

    [Fact]
    public void DirichletWithSmallAlphaConcentratesClientsOnFewLabels()
    {
        var s = Summarize(new DirichletPartitioner(0.1, MinSamples: 10));

        Assert.True(s.MeanLargestLabelShare > 0.6, $"mean largest-label share {s.MeanLargestLabelShare}");
        Assert.True(s.MeanLabelsAboveFivePercent < 3, $"mean labels ≥ 5% {s.MeanLabelsAboveFivePercent}");
        Assert.True(s.MeanTvDistance > 0.5, $"mean TV {s.MeanTvDistance}");
    }

    [Fact]
    public void DirichletWithLargeAlphaIsCloseToIid()
    {
        var s = Summarize(new DirichletPartitioner(100, MinSamples: 10));

        Assert.True(s.MeanTvDistance < 0.1, $"mean TV {s.MeanTvDistance}");
        Assert.InRange(s.MeanLargestLabelShare, 0.1, 0.2);
        Assert.Equal(10, s.MeanLabelsAboveFivePercent);
    }

    [Fact]
    public void DirichletSkewDecreasesAsAlphaGrows()
    {
        double[] alphas = [0.05, 0.1, 0.5, 1, 10, 100];
        var tv = alphas.Select(a => Summarize(new DirichletPartitioner(a, MinSamples: 0)).MeanTvDistance).ToArray();

        for (int i = 1; i < tv.Length; i++)
            Assert.True(tv[i] < tv[i - 1], $"TV at alpha {alphas[i]} ({tv[i]}) is not below alpha {alphas[i - 1]} ({tv[i - 1]})");
    }

    [Fact]
    public void DirichletBalancingKeepsEveryClientNearTheMeanSizeBound()
    {
        // NIID-Bench stops feeding a client once it holds samples/N: it can overshoot by at most one class.
        var partition = new DirichletPartitioner(0.1, MinSamples: 10).Split(Labels, Classes, Clients, 42);
        Assert.True(PartitionTestData.Sizes(partition).Max() < 600 + 6000);
    }

    [Fact]
    public void UnattainableMinSamplesFailsAfterBoundedDrawsWithAdvice()
    {
        // 10,000 clients × 6 samples on average at alpha 0.1: some client is always left with nothing.
        var partitioner = new DirichletPartitioner(0.1, MinSamples: 5, MaxDraws: 20);
        var error = Assert.Throws<ArgumentException>(() => partitioner.Split(Labels, Classes, 10_000, 1));

        output.WriteLine(error.Message);
        Assert.Contains("min-samples 5 is unattainable for 10000 clients at alpha 0.1", error.Message);
        Assert.Contains("after 20 draws", error.Message);
        Assert.Contains("lower min-samples", error.Message);
    }

    [Fact]
    public void ShardsWithTwoPerClientGiveEveryClientAtMostTwoLabels()
    {
        var partition = new ShardPartitioner(2).Split(Labels, Classes, Clients, 42);
        var report = PartitionReport.Create(partition, Labels, Classes);

        for (int c = 0; c < Clients; c++)
        {
            Assert.Equal(600, report.SampleCount(c));
            int labels = 0;
            foreach (int count in report.LabelCounts(c))
                labels += count > 0 ? 1 : 0;
            Assert.InRange(labels, 1, 2);
        }
        output.WriteLine(report.Summary.ToString());
        // Random pairing rarely draws both shards from one class: most clients hold two labels.
        Assert.True(report.Summary.MeanDistinctLabels > 1.7, $"mean distinct labels {report.Summary.MeanDistinctLabels}");
    }

    [Fact]
    public void IidSizesDifferByAtMostOneAndLabelsMatchTheGlobalMix()
    {
        var labels = PartitionTestData.BalancedLabels(Classes, 6001); // 60,010 samples: not divisible by 100
        var partition = new IidPartitioner().Split(labels, Classes, Clients, 42);
        var sizes = PartitionTestData.Sizes(partition);
        var s = PartitionReport.Create(partition, labels, Classes).Summary;
        output.WriteLine(s.ToString());

        Assert.True(sizes.Max() - sizes.Min() <= 1);
        Assert.Equal(labels.Length, sizes.Sum());
        // 600 draws from 10 equal classes: the expected TV is about 0.05.
        Assert.True(s.MeanTvDistance < 0.08, $"mean TV {s.MeanTvDistance}");
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(5.0)]
    public void QuantitySkewSizesHaveTheSpreadOfDirichletProportions(double alpha)
    {
        // For q ~ Dir_N(α), the clients' shares have E[population variance] = (N−1)/(N²(Nα+1)), so
        // E[CV²] = (N−1)/(Nα+1). Sizes are MinSamples + R·q with R = samples − N·MinSamples, which scales CV by R/samples.
        const int minSamples = 10, seeds = 20;
        double remainingFraction = (Labels.Length - Clients * minSamples) / (double)Labels.Length;
        double expectedCv2 = (Clients - 1.0) / (Clients * alpha + 1) * remainingFraction * remainingFraction;

        double meanCv2 = 0;
        for (ulong seed = 0; seed < seeds; seed++)
        {
            var partition = new QuantitySkewPartitioner(alpha, minSamples).Split(Labels, Classes, Clients, seed);
            var cv = PartitionReport.Create(partition, Labels, Classes).Summary.SamplesCv;
            meanCv2 += cv * cv / seeds;
        }

        output.WriteLine($"alpha {alpha}: mean CV² over {seeds} seeds {meanCv2:F4}, expected {expectedCv2:F4}; CV {Math.Sqrt(meanCv2):F4} vs {Math.Sqrt(expectedCv2):F4}");
        Assert.InRange(meanCv2 / expectedCv2, 0.85, 1.15);
    }

    [Fact]
    public void QuantitySkewKeepsLabelsIidWithinEachClient()
    {
        // Pearson χ² of each client's label counts against the global mix has mean K − 1 = 9 under IID
        // sampling (slightly less without replacement); label skew would make it grow with client size.
        var partition = new QuantitySkewPartitioner(0.5, 10).Split(Labels, Classes, Clients, 42);
        var report = PartitionReport.Create(partition, Labels, Classes);
        double meanChi2 = 0;
        for (int c = 0; c < Clients; c++)
        {
            double expected = report.SampleCount(c) / (double)Classes;
            foreach (int count in report.LabelCounts(c))
                meanChi2 += (count - expected) * (count - expected) / expected / Clients;
        }

        output.WriteLine($"mean χ² {meanChi2:F3} (IID: 9); {report.Summary}");
        Assert.InRange(meanChi2, 7.5, 10.5);
        Assert.True(report.Summary.SamplesGini > 0.3, $"Gini {report.Summary.SamplesGini}: sizes should be unequal at alpha 0.5");
    }

    [Fact]
    public void QuantitySkewWithThousandsOfClientsAndSmallAlphaStillGuaranteesMinSamples()
    {
        var partition = new QuantitySkewPartitioner(0.1, 5).Split(Labels, Classes, 10_000, 3);
        Assert.True(PartitionTestData.Sizes(partition).Min() >= 5);
        PartitionTestData.AssertDisjointCover(partition, Labels.Length);
    }
}
