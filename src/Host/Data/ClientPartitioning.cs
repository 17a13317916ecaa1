using FedActors.Host.Settings;
using FedActors.Training.Data;
using FedActors.Training.Partitioning;

namespace FedActors.Host.Data;

/// <summary>Splits the pooled training set over the configured population (<c>fedactors.data.partition.*</c>).</summary>
public static class ClientPartitioning
{
    /// <summary>The partition of <paramref name="train"/> over <c>fedactors.population.clients</c> clients.</summary>
    /// <exception cref="FedActorsException">The partition settings cannot be met (e.g. min-samples too high).</exception>
    public static Partition Create(FedActorsSettings settings, LabeledDataset train)
    {
        var p = settings.Data.Partition;
        try
        {
            var partitioner = PartitionerFactory.Create(p.Kind, p.Alpha, p.ShardsPerClient, p.MinSamples, p.LabelsPerClient);
            return partitioner.Split(train.Labels, train.NumClasses, settings.Population.Clients, settings.Run.Seed);
        }
        catch (ArgumentException e)
        {
            throw new FedActorsException(
                $"fedactors.data.partition ({p.Kind} over {settings.Population.Clients} clients, {train.Count} samples): {e.Message}", e);
        }
    }

    /// <summary>
    /// The natural partition of a pooled federated dataset whose clients' samples are stored one client
    /// after another (Synthetic(α, β) pooled by <see cref="DatasetLoader"/>).
    /// </summary>
    public static Partition Contiguous(IReadOnlyList<int> clientSizes)
    {
        var offsets = new int[clientSizes.Count + 1];
        for (int c = 0; c < clientSizes.Count; c++) offsets[c + 1] = offsets[c] + clientSizes[c];
        return Partition.FromCsr(offsets, Enumerable.Range(0, offsets[^1]).ToArray());
    }

    /// <summary>
    /// Writes the report next to the other run outputs: <paramref name="fileName"/> (per-client CSV) and
    /// the summary statistics as JSON under the same name with <c>.summary.json</c>.
    /// </summary>
    /// <returns>The CSV path and the summary path.</returns>
    public static (string Csv, string Summary) WriteReport(string runDirectory, string fileName, PartitionReport report)
    {
        if (fileName.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || fileName is "." or "..")
            throw new FedActorsException($"fedactors.data.partition.report: '{fileName}' is not a plain file name");
        var csv = Path.Combine(runDirectory, fileName);
        var summary = Path.Combine(runDirectory, Path.GetFileNameWithoutExtension(fileName) + ".summary.json");
        report.WriteCsv(csv);
        report.WriteSummaryJson(summary);
        return (csv, summary);
    }
}
