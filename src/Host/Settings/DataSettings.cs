using Akka.Configuration;
using FedActors.Actors.Configuration;
using FedActors.Training.Partitioning;

namespace FedActors.Host.Settings;

/// <summary>Which data set, where it lives and how it is split over clients (<c>fedactors.data.*</c>).</summary>
public sealed record DataSettings
{
    /// <summary>The data sets the runtime can load.</summary>
    public static IReadOnlyList<string> Datasets { get; } = ["fashion-mnist", "mnist", "synthetic"];

    private DataSettings() { }

    /// <summary>fashion-mnist | mnist | synthetic. <value>Default fashion-mnist.</value></summary>
    public string Dataset { get; init; } = "";

    /// <summary>Directory holding the IDX files; empty searches the usual places. <value>Default "".</value></summary>
    public string Dir { get; init; } = "";

    /// <summary>Allow download steps when the data is not found locally. <value>Default true.</value></summary>
    public bool AllowDownload { get; init; }

    /// <summary>
    /// Standardize image pixels with the training set's mean and standard deviation, as PyTorch code does with
    /// <c>transforms.Normalize</c>; false keeps pixels in [0, 1]. <value>Default false.</value>
    /// </summary>
    public bool Normalize { get; init; }

    /// <summary>How the training data is split over clients.</summary>
    public PartitionSettings Partition { get; init; } = null!;

    /// <summary>Parameters of the FedProx Synthetic(α, β) data set.</summary>
    public SyntheticSettings Synthetic { get; init; } = null!;

    /// <summary>Reads and validates <c>fedactors.data</c>.</summary>
    public static DataSettings Create(Config config)
    {
        var r = new ConfigReader(config, "fedactors.data");
        string dataset = r.OneOf("dataset", Datasets);
        bool normalize = r.Bool("normalize");
        if (normalize && dataset == "synthetic")
            throw new ConfigurationException(
                $"{r.Key("normalize")}: applies to image datasets (fashion-mnist, mnist); Synthetic(α, β) features are used as FedProx generates them");
        var partition = PartitionSettings.Create(config);
        if (partition.FeatureNoise > 0 && dataset == "synthetic")
            throw new ConfigurationException(
                "fedactors.data.partition.feature-noise: applies to image datasets (fashion-mnist, mnist), whose clients share one pooled set");
        return new DataSettings
        {
            Dataset = dataset,
            Dir = r.String("dir"),
            AllowDownload = r.Bool("allow-download"),
            Normalize = normalize,
            Partition = partition,
            Synthetic = SyntheticSettings.Create(config),
        };
    }
}

/// <summary>How the training data is split over clients (<c>fedactors.data.partition.*</c>).</summary>
public sealed record PartitionSettings
{
    /// <summary>The partition kinds.</summary>
    public static IReadOnlyList<string> Kinds => PartitionerFactory.Kinds;

    private PartitionSettings() { }

    /// <summary>iid | dirichlet | shards | quantity | labels-per-client. <value>Default dirichlet.</value></summary>
    public string Kind { get; init; } = "";

    /// <summary>Dirichlet concentration α (label skew for dirichlet, size skew for quantity). <value>Default 0.5.</value></summary>
    public double Alpha { get; init; }

    /// <summary>Shards (labels) per client for kind = shards. <value>Default 2.</value></summary>
    public int ShardsPerClient { get; init; }

    /// <summary>Distinct labels per client for kind = labels-per-client (NIID-Bench's #C=k). <value>Default 2.</value></summary>
    public int LabelsPerClient { get; init; }

    /// <summary>
    /// NIID-Bench's noise-based feature skew σ: client i of N sees Gaussian noise of standard deviation σ · i / (N − 1) on its
    /// features; 0 adds none. <value>Default 0.</value>
    /// </summary>
    public double FeatureNoise { get; init; }

    /// <summary>Fewest samples any client receives. <value>Default 10.</value></summary>
    public int MinSamples { get; init; }

    /// <summary>File name of the per-client partition report inside the run directory; empty for none. <value>Default "".</value></summary>
    public string Report { get; init; } = "";

    /// <summary>The partition in short notation, as the summary and the sweep table show it: <c>dirichlet(0.5)</c>, <c>labels-per-client(2)</c>.</summary>
    public string Notation => Kind switch
    {
        "dirichlet" or "quantity" => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Kind}({Alpha})"),
        "shards" => $"shards({ShardsPerClient})",
        "labels-per-client" => $"labels-per-client({LabelsPerClient})",
        var k => k,
    } + (FeatureNoise > 0 ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"+noise({FeatureNoise})") : "");

    /// <summary>Reads and validates <c>fedactors.data.partition</c>.</summary>
    public static PartitionSettings Create(Config config)
    {
        var r = new ConfigReader(config, "fedactors.data.partition");
        return new PartitionSettings
        {
            Kind = r.OneOf("kind", Kinds),
            Alpha = r.Double("alpha", minExclusive: 0),
            ShardsPerClient = r.Int("shards-per-client", min: 1),
            LabelsPerClient = r.Int("labels-per-client", min: 1),
            FeatureNoise = r.Double("feature-noise", min: 0),
            MinSamples = r.Int("min-samples", min: 0),
            Report = r.String("report"),
        };
    }
}

/// <summary>FedProx Synthetic(α, β), Li et al., MLSys 2020 (<c>fedactors.data.synthetic.*</c>).</summary>
public sealed record SyntheticSettings
{
    private SyntheticSettings() { }

    /// <summary>α: variance of the per-device model mean (how much local models differ). <value>Default 1.0.</value></summary>
    public double Alpha { get; init; }

    /// <summary>β: variance of the per-device input mean (how much local data differ). <value>Default 1.0.</value></summary>
    public double Beta { get; init; }

    /// <summary>Synthetic-IID: one global model, zero-mean inputs. <value>Default false.</value></summary>
    public bool Iid { get; init; }

    /// <summary>
    /// The central test set pools the test splits of devices 0 … TestClients − 1 (all devices when the population
    /// is smaller): it grows with the population otherwise, about 11 kB per device. <value>Default 1000.</value>
    /// </summary>
    public int TestClients { get; init; } = 1000;

    /// <summary>
    /// Megabytes (MiB) of generated devices a run's data source keeps (LRU), so that a device is generated once per run
    /// rather than at every training; 0 keeps none. <value>Default 256.</value>
    /// </summary>
    public int CacheMegabytes { get; init; } = 256;

    /// <summary><see cref="CacheMegabytes"/> in bytes.</summary>
    public long CacheBytes => (long)CacheMegabytes << 20;

    /// <summary>Devices whose test splits make the central test set in a population of <paramref name="clients"/>.</summary>
    public int TestClientsOf(int clients) => Math.Min(clients, TestClients);

    /// <summary>Reads and validates <c>fedactors.data.synthetic</c>.</summary>
    public static SyntheticSettings Create(Config config)
    {
        var r = new ConfigReader(config, "fedactors.data.synthetic");
        return new SyntheticSettings
        {
            Alpha = r.Double("alpha", min: 0),
            Beta = r.Double("beta", min: 0),
            Iid = r.Bool("iid"),
            TestClients = r.Int("test-clients", min: 1),
            CacheMegabytes = r.Int("cache-mb", min: 0),
        };
    }
}
