using System.Globalization;
using System.Text;
using System.Text.Json;

namespace FedActors.Training.Partitioning;

/// <summary>
/// Per-client sample counts and label histograms of a partition, with summary statistics and CSV / JSON
/// output for inspecting how skewed a split is.
/// </summary>
/// <remarks>Memory is one int per (client, class) pair, so 10,000 clients × 10 classes cost 400 KB.</remarks>
public sealed class PartitionReport
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
    };

    private readonly int[] _sizes;
    private readonly int[] _histograms;
    private readonly long[] _globalCounts;

    private PartitionReport(int numClasses, int[] sizes, int[] histograms, long[] globalCounts)
    {
        NumClasses = numClasses;
        _sizes = sizes;
        _histograms = histograms;
        _globalCounts = globalCounts;
        Summary = Summarize();
    }

    /// <summary>Counts the labels of every client's samples.</summary>
    /// <param name="partition">The partition to describe.</param>
    /// <param name="labels">Class index of every sample of the partitioned dataset.</param>
    /// <param name="numClasses">Number of classes.</param>
    public static PartitionReport Create(Partition partition, ReadOnlySpan<int> labels, int numClasses)
    {
        ArgumentNullException.ThrowIfNull(partition);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numClasses);
        int clients = partition.ClientCount;
        var sizes = new int[clients];
        var histograms = new int[checked(clients * numClasses)];
        var global = new long[numClasses];
        for (int c = 0; c < clients; c++)
        {
            var row = histograms.AsSpan(c * numClasses, numClasses);
            var indices = partition.Indices(c);
            sizes[c] = indices.Length;
            foreach (int i in indices)
            {
                if ((uint)i >= (uint)labels.Length)
                    throw new ArgumentException($"client {c} holds sample {i}, but there are only {labels.Length} labels", nameof(labels));
                int label = labels[i];
                if ((uint)label >= (uint)numClasses)
                    throw new ArgumentException($"label {label} of sample {i} is outside [0, {numClasses})", nameof(labels));
                row[label]++;
                global[label]++;
            }
        }
        return new PartitionReport(numClasses, sizes, histograms, global);
    }

    /// <summary>Number of classes.</summary>
    public int NumClasses { get; }

    /// <summary>Number of clients.</summary>
    public int ClientCount => _sizes.Length;

    /// <summary>The summary statistics.</summary>
    public PartitionSummary Summary { get; }

    /// <summary>Samples held by <paramref name="clientId"/>.</summary>
    public int SampleCount(int clientId)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)clientId, (uint)ClientCount, nameof(clientId));
        return _sizes[clientId];
    }

    /// <summary>How many samples of each class <paramref name="clientId"/> holds.</summary>
    public ReadOnlySpan<int> LabelCounts(int clientId)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)clientId, (uint)ClientCount, nameof(clientId));
        return _histograms.AsSpan(clientId * NumClasses, NumClasses);
    }

    /// <summary>How many samples of each class all clients together hold.</summary>
    public ReadOnlySpan<long> GlobalLabelCounts => _globalCounts;

    /// <summary>Writes one row per client: <c>client_id,samples,label_0,…,label_{C−1}</c>.</summary>
    public void WriteCsv(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var line = new StringBuilder("client_id,samples");
        for (int k = 0; k < NumClasses; k++)
            line.Append(",label_").Append(k);
        writer.WriteLine(line);
        for (int c = 0; c < ClientCount; c++)
        {
            line.Clear().Append(c).Append(',').Append(_sizes[c]);
            foreach (int count in LabelCounts(c))
                line.Append(',').Append(count);
            writer.WriteLine(line);
        }
    }

    /// <summary>Writes the per-client CSV (see <see cref="WriteCsv(TextWriter)"/>) to <paramref name="path"/>.</summary>
    public void WriteCsv(string path)
    {
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false));
        WriteCsv(writer);
    }

    /// <summary>The summary as JSON with snake_case keys, e.g. <c>samples_gini</c>, <c>mean_tv_distance</c>.</summary>
    public string SummaryJson() => JsonSerializer.Serialize(Summary, JsonOptions);

    /// <summary>Writes <see cref="SummaryJson"/> to <paramref name="path"/>.</summary>
    public void WriteSummaryJson(string path) => File.WriteAllText(path, SummaryJson() + "\n", new UTF8Encoding(false));

    private PartitionSummary Summarize()
    {
        int clients = ClientCount;
        long total = 0;
        foreach (long count in _globalCounts)
            total += count;
        var global = new double[NumClasses];
        for (int k = 0; k < NumClasses; k++)
            global[k] = total > 0 ? (double)_globalCounts[k] / total : 0;

        var sorted = (int[])_sizes.Clone();
        Array.Sort(sorted);
        double mean = (double)total / clients;
        double variance = 0, rankWeighted = 0;
        for (int i = 0; i < clients; i++)
        {
            double d = sorted[i] - mean;
            variance += d * d;
            rankWeighted += (i + 1.0) * sorted[i];
        }
        double median = clients % 2 == 1 ? sorted[clients / 2] : (sorted[clients / 2 - 1] + sorted[clients / 2]) / 2.0;
        // Gini from sorted sizes: G = 2·Σ i·x_(i) / (n·Σx) − (n + 1)/n, with 1-based ranks.
        double gini = total > 0 ? 2 * rankWeighted / (clients * (double)total) - (clients + 1.0) / clients : 0;

        int nonEmpty = 0;
        double distinct = 0, aboveFivePercent = 0, largestShare = 0, tv = 0, js = 0;
        for (int c = 0; c < clients; c++)
        {
            int size = _sizes[c];
            if (size == 0)
                continue;
            nonEmpty++;
            var row = LabelCounts(c);
            int largest = 0;
            double tvSum = 0, jsDivergence = 0;
            for (int k = 0; k < NumClasses; k++)
            {
                int count = row[k];
                if (count > 0) distinct++;
                if (count >= 0.05 * size) aboveFivePercent++;
                largest = Math.Max(largest, count);
                double p = (double)count / size, q = global[k];
                tvSum += Math.Abs(p - q);
                double m = (p + q) / 2;
                if (p > 0) jsDivergence += 0.5 * p * Math.Log2(p / m);
                if (q > 0) jsDivergence += 0.5 * q * Math.Log2(q / m);
            }
            largestShare += (double)largest / size;
            tv += tvSum / 2;
            // Rounding can leave a tiny negative divergence for identical distributions.
            js += Math.Sqrt(Math.Max(0, jsDivergence));
        }
        double PerClient(double sum) => nonEmpty > 0 ? sum / nonEmpty : 0;

        return new PartitionSummary(
            Clients: clients,
            Samples: total,
            NumClasses: NumClasses,
            EmptyClients: clients - nonEmpty,
            SamplesMin: sorted[0],
            SamplesMax: sorted[^1],
            SamplesMean: mean,
            SamplesStd: Math.Sqrt(variance / clients),
            SamplesMedian: median,
            SamplesGini: gini,
            MeanDistinctLabels: PerClient(distinct),
            MeanLabelsAboveFivePercent: PerClient(aboveFivePercent),
            MeanLargestLabelShare: PerClient(largestShare),
            MeanTvDistance: PerClient(tv),
            MeanJsDistance: PerClient(js));
    }
}
