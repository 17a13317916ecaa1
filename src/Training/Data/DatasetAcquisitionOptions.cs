namespace FedActors.Training.Data;

/// <summary>Where and how <see cref="DatasetAcquisition"/> may look for, download or install an IDX dataset.</summary>
/// <remarks>Everything that touches the outside world (environment, HTTP, file-system roots) can be replaced for tests.</remarks>
public sealed record DatasetAcquisitionOptions
{
    /// <summary>Environment variable naming a data directory: the dataset's own directory or its parent.</summary>
    public const string DataDirVariable = "FEDACTORS_DATA";

    /// <summary>Dataset name as accepted by <see cref="IdxDatasetSpec.ForName"/>, e.g. <c>fashion-mnist</c>.</summary>
    public required string DatasetName { get; init; }

    /// <summary>Directory given by the user (<c>--data-dir</c> / <c>fedactors.data.dir</c>); searched first. <value>Default: null.</value></summary>
    public string? ConfiguredDir { get; init; }

    /// <summary>Allow downloading from the official HTTP location. <value>Default: true.</value></summary>
    public bool AllowDownload { get; init; } = true;

    /// <summary>Allow fetching the Debian package with <c>apt-get download</c> (needs no root). <value>Default: true.</value></summary>
    public bool AllowApt { get; init; } = true;

    /// <summary>User cache root; the dataset lives in <c>&lt;CacheDir&gt;/&lt;dataset&gt;</c>. <value>Default: <c>~/.cache/fedactors</c>.</value></summary>
    public string CacheDir { get; init; } = DefaultCacheDir;

    /// <summary>Root under which system packages install datasets. <value>Default: <c>/usr/share/datasets</c>.</value></summary>
    public string SystemDatasetsRoot { get; init; } = IdxDatasetSpec.SystemDatasetsRoot;

    /// <summary>Reads an environment variable (<c>FEDACTORS_DATA</c>, <c>PATH</c>). <value>Default: the process environment.</value></summary>
    public Func<string, string?> GetEnvironmentVariable { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>Client for downloads; null creates (and disposes) one per call. <value>Default: null.</value></summary>
    public HttpClient? HttpClient { get; init; }

    /// <summary>Replaces the spec's official download base URL. <value>Default: null.</value></summary>
    public Uri? DownloadBase { get; init; }

    /// <summary>Replaces the spec found by <see cref="DatasetName"/> (custom files or hashes). <value>Default: null.</value></summary>
    public IdxDatasetSpec? Spec { get; init; }

    /// <summary>Receives one line per step taken (progress and outcomes). <value>Default: null.</value></summary>
    public Action<string>? Log { get; init; }

    /// <summary><c>~/.cache/fedactors</c> of the current user.</summary>
    public static string DefaultCacheDir { get; } =
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "fedactors");

    /// <summary>The spec to use: <see cref="Spec"/> if set, else the known dataset named <see cref="DatasetName"/>.</summary>
    public IdxDatasetSpec ResolveSpec() => Spec ?? IdxDatasetSpec.ForName(DatasetName);
}
