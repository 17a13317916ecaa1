using System.Text.Json;

namespace FedActors.Host.Tests;

public class PartitionCommandSpecs
{
    [Fact(DisplayName = "partition must write a report that covers the whole training set, one row per client")]
    public async Task Partition_must_write_the_report()
    {
        using var dir = new TempDir();
        var (code, output, err) = await CommandRunner.RunAsync(dir.Path, "partition", "--out", "p",
            "--set", "fedactors.population.clients=100", "--set", "fedactors.data.partition.alpha=0.1",
            "--set", "fedactors.data.partition.report=clients.csv");
        Assert.True(code == 0, err);
        Assert.Contains("60000 samples over 100 clients", output);

        var lines = await File.ReadAllLinesAsync(Path.Combine(dir.Path, "p", "clients.csv"));
        Assert.Equal(101, lines.Length);
        var rows = lines.Skip(1).Select(l => l.Split(',').Select(int.Parse).ToArray()).ToArray();
        Assert.Equal(Enumerable.Range(0, 100), rows.Select(r => r[0]));
        Assert.All(rows, r => Assert.Equal(r[1], r.Skip(2).Sum()));
        Assert.Equal(60_000, rows.Sum(r => r[1]));
        // Fashion-MNIST has 6,000 samples of every label: the columns must add up to that.
        for (int label = 0; label < 10; label++) Assert.Equal(6_000, rows.Sum(r => r[2 + label]));

        using var summary = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dir.Path, "p", "clients.summary.json")));
        // Dirichlet(0.1) concentrates clients on few labels.
        Assert.True(summary.RootElement.GetProperty("mean_largest_label_share").GetDouble() > 0.5);
    }

    [Fact(DisplayName = "partition must show NIID-Bench's #C=2 split: exactly two labels per client")]
    public async Task Partition_must_report_labels_per_client()
    {
        using var dir = new TempDir();
        var (code, output, err) = await CommandRunner.RunAsync(dir.Path, "partition", "--out", "p",
            "--set", "fedactors.population.clients=10", "--set", "fedactors.data.partition.kind=labels-per-client",
            "--set", "fedactors.data.partition.labels-per-client=2", "--set", "fedactors.data.partition.feature-noise=0.1");
        Assert.True(code == 0, err);
        Assert.Contains("exactly 2 labels per client, NIID-Bench #C=2", output);
        Assert.Contains("feature noise: Gaussian, standard deviation 0.1 · i / 9 for client i", output);
        Assert.Contains("labels per client: 2.00 distinct", output);

        var rows = (await File.ReadAllLinesAsync(Path.Combine(dir.Path, "p", "partition.csv"))).Skip(1)
            .Select(l => l.Split(',').Select(int.Parse).ToArray()).ToArray();
        Assert.All(rows, r => Assert.Equal(2, r.Skip(2).Count(n => n > 0)));
        for (int label = 0; label < 10; label++) Assert.Equal(6_000, rows.Sum(r => r[2 + label]));
    }

    [Fact(DisplayName = "partition must name the setting it cannot meet")]
    public async Task Partition_must_explain_an_impossible_min_samples()
    {
        using var dir = new TempDir();
        var (code, _, err) = await CommandRunner.RunAsync(dir.Path, "partition", "--out", "p", "--set", "fedactors.data.partition.kind=quantity",
            "--set", "fedactors.population.clients=1000", "--set", "fedactors.data.partition.min-samples=100");
        Assert.Equal(1, code);
        Assert.Contains("fedactors.data.partition", err);
        Assert.Contains("min", err);
    }
}
