using System.Text.Json;
using FedActors.Training.Partitioning;

namespace FedActors.Training.Tests.Partitioning;

public class PartitionReportTests
{
    // 6 samples, labels 0 0 1 1 2 2. Client 0: samples 0 1 2 (labels 0 0 1); client 1: 3 4 (1 2); client 2: 5 (2).
    private static readonly int[] Labels = [0, 0, 1, 1, 2, 2];
    private static readonly PartitionReport Report = PartitionReport.Create(Partition.FromOwners([0, 0, 0, 1, 1, 2], 3), Labels, 3);

    [Fact]
    public void CsvHasOneRowOfLabelCountsPerClient()
    {
        var writer = new StringWriter { NewLine = "\n" };
        Report.WriteCsv(writer);

        Assert.Equal("client_id,samples,label_0,label_1,label_2\n0,3,2,1,0\n1,2,0,1,1\n2,1,0,0,1\n", writer.ToString());
    }

    [Fact]
    public void SummaryMatchesHandComputedValues()
    {
        var s = Report.Summary;
        Assert.Equal((3, 6L, 3, 0), (s.Clients, s.Samples, s.NumClasses, s.EmptyClients));
        Assert.Equal((1, 3), (s.SamplesMin, s.SamplesMax));
        Assert.Equal(2.0, s.SamplesMean, 12);
        Assert.Equal(Math.Sqrt(2.0 / 3), s.SamplesStd, 12);      // deviations −1, 0, 1
        Assert.Equal(2.0, s.SamplesMedian, 12);
        Assert.Equal(2.0 / 9, s.SamplesGini, 12);                 // Σ|xi−xj| over ordered pairs 8 / (2·3²·2)
        Assert.Equal(5.0 / 3, s.MeanDistinctLabels, 12);          // 2, 2, 1
        Assert.Equal(5.0 / 3, s.MeanLabelsAboveFivePercent, 12);
        Assert.Equal((2.0 / 3 + 1.0 / 2 + 1) / 3, s.MeanLargestLabelShare, 12);
        Assert.Equal((1.0 / 3 + 1.0 / 3 + 2.0 / 3) / 3, s.MeanTvDistance, 12); // global mix is 1/3 each

        // JS divergences (base 2) against (1/3, 1/3, 1/3), worked out by hand:
        double js0 = 0.5 * Math.Log2(4.0 / 3);                                     // (2/3, 1/3, 0)
        double js1 = 0.5 * (Math.Log2(6.0 / 5) + 1.0 / 3 + 2.0 / 3 * Math.Log2(4.0 / 5)); // (0, 1/2, 1/2)
        double js2 = 0.5 * (Math.Log2(3.0 / 2) + 1.0 / 3);                         // (0, 0, 1)
        Assert.Equal((Math.Sqrt(js0) + Math.Sqrt(js1) + Math.Sqrt(js2)) / 3, s.MeanJsDistance, 12);
    }

    [Fact]
    public void SummaryJsonUsesSnakeCaseKeysAndNumbers()
    {
        string path = Path.Combine(Path.GetTempPath(), $"partition-{Guid.NewGuid():N}.json");
        try
        {
            Report.WriteSummaryJson(path);
            using var json = JsonDocument.Parse(File.ReadAllText(path));
            var root = json.RootElement;

            Assert.Equal(3, root.GetProperty("clients").GetInt32());
            Assert.Equal(6, root.GetProperty("samples").GetInt64());
            Assert.Equal(JsonValueKind.Number, root.GetProperty("samples_std").ValueKind);
            Assert.Equal(2.0 / 9, root.GetProperty("samples_gini").GetDouble(), 12);
            Assert.Equal(4.0 / 9, root.GetProperty("mean_tv_distance").GetDouble(), 12);
            foreach (var key in new[] { "num_classes", "empty_clients", "samples_min", "samples_max", "samples_mean", "samples_median",
                         "samples_cv", "mean_distinct_labels", "mean_labels_above_five_percent", "mean_largest_label_share", "mean_js_distance" })
                Assert.Equal(JsonValueKind.Number, root.GetProperty(key).ValueKind);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void CsvFileAndEmptyClientsAreHandled()
    {
        var report = PartitionReport.Create(Partition.FromOwners([1, 1], 2), [0, 1], 2);
        Assert.Equal(1, report.Summary.EmptyClients);
        Assert.Equal(0.5, report.Summary.SamplesGini, 12);      // one client holds everything of two
        Assert.Equal(0, report.Summary.MeanTvDistance, 12);     // the only non-empty client is the global mix

        string path = Path.Combine(Path.GetTempPath(), $"partition-{Guid.NewGuid():N}.csv");
        try
        {
            report.WriteCsv(path);
            Assert.Equal(["client_id,samples,label_0,label_1", "0,0,0,0", "1,2,1,1"], File.ReadAllLines(path));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
