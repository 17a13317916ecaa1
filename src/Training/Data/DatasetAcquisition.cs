using System.Text;

namespace FedActors.Training.Data;

/// <summary>
/// Finds an IDX dataset on this machine, or fetches it, and returns the directory holding its four files.
/// </summary>
/// <remarks>
/// A directory the user named (<c>--data-dir</c>, <c>fedactors.data.dir</c>, or <c>$FEDACTORS_DATA</c>, either the dataset
/// directory itself or its parent) is the only place looked at: when it is missing or its files are unusable, that is an
/// error naming the directory and the problem, never a silent fall-back to another copy. When no directory was named,
/// the search order is, first usable wins:
/// <list type="number">
/// <item>the user cache <c>~/.cache/fedactors/&lt;dataset&gt;</c>;</item>
/// <item>the Debian package location <c>/usr/share/datasets/&lt;dataset&gt;</c>;</item>
/// <item>HTTP download from the official location into the cache (each file verified before it is renamed into place);</item>
/// <item>on Debian-like systems, <c>apt-get download</c> + <c>dpkg-deb -x</c> of the dataset's package into the cache (no root
/// needed; when the machine's package lists do not know the package, with package lists of its own, see
/// <see cref="DebianPackageFetcher"/>).</item>
/// </list>
/// A directory counts only when all four files exist and their IDX headers are valid and consistent; that check is
/// cheap, so existing copies are trusted without hashing. Fetched files are always verified.
/// </remarks>
public sealed class DatasetAcquisition
{
    private readonly DatasetAcquisitionOptions _options;
    private readonly IdxDatasetSpec _spec;
    private readonly List<DatasetAcquisitionAttempt> _attempts = [];

    private DatasetAcquisition(DatasetAcquisitionOptions options)
    {
        _options = options;
        _spec = options.ResolveSpec();
    }

    /// <summary>Returns a directory holding all four files of the dataset, trying the sources in the documented order.</summary>
    /// <exception cref="DatasetUnavailableException">No source worked; the message lists each attempt and how to fix it.</exception>
    /// <exception cref="ArgumentException">The dataset name is unknown.</exception>
    public static Task<string> LocateAsync(DatasetAcquisitionOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new DatasetAcquisition(options).RunAsync(cancellationToken);
    }

    /// <summary>Locates the dataset (see <see cref="LocateAsync"/>) and loads it (see <see cref="IdxDatasetSpec.Load"/>).</summary>
    public static async Task<(LabeledDataset Train, LabeledDataset Test)> LoadAsync(
        DatasetAcquisitionOptions options, CancellationToken cancellationToken = default)
    {
        string dir = await LocateAsync(options, cancellationToken).ConfigureAwait(false);
        var spec = options.ResolveSpec();
        return await Task.Run(() => spec.Load(dir), cancellationToken).ConfigureAwait(false);
    }

    private string CacheDir => Path.Combine(_options.CacheDir, _spec.Name);

    private async Task<string> RunAsync(CancellationToken ct)
    {
        if (NamedDir() is { } named) return named;
        string? found =
            TryDir($"user cache {CacheDir}", CacheDir)
            ?? TryDir($"Debian package dir {SystemDir}", SystemDir)
            ?? await TryDownloadAsync(ct).ConfigureAwait(false)
            ?? await TryAptAsync(ct).ConfigureAwait(false);
        return found ?? throw new DatasetUnavailableException(_spec.Name, _attempts, FailureMessage());
    }

    private string SystemDir => Path.Combine(_options.SystemDatasetsRoot, _spec.Name);

    /// <summary>
    /// The directory the user named, when one was named (the configured one first, then <c>$FEDACTORS_DATA</c>); null
    /// when none was. A named directory that cannot serve the dataset ends the search with an error.
    /// </summary>
    private string? NamedDir()
    {
        if (!string.IsNullOrWhiteSpace(_options.ConfiguredDir))
        {
            string dir = _options.ConfiguredDir;
            string? problem = Problem(dir);
            Record($"configured dir {dir}", problem is null ? dir : null, problem ?? "found");
            return problem is null ? dir : throw Unusable($"the configured data directory {dir} (--data-dir / fedactors.data.dir)", problem);
        }
        Record("configured dir (--data-dir / fedactors.data.dir)", null, "not set");

        const string source = "$" + DatasetAcquisitionOptions.DataDirVariable;
        string? root = _options.GetEnvironmentVariable(DatasetAcquisitionOptions.DataDirVariable);
        if (string.IsNullOrWhiteSpace(root))
        {
            Record(source, null, "not set");
            return null;
        }
        string nested = Path.Combine(root, _spec.Name);
        string? direct = Problem(root);
        if (direct is null)
            return Record($"{source}={root}", root, "found");
        string? inner = Problem(nested);
        if (inner is null)
            return Record($"{source}={root}", nested, $"found in {nested}");
        string both = $"{root}: {direct}; {nested}: {inner}";
        Record($"{source}={root}", null, both);
        throw Unusable($"the data directory {root} named by {source}", both);
    }

    private DatasetUnavailableException Unusable(string what, string problem) =>
        new(_spec.Name, _attempts,
            $"Dataset '{_spec.Name}': {what} cannot be used: {problem}. A named data directory is the only place looked at; " +
            $"it must hold {string.Join(", ", _spec.Files.Select(f => f.FileName))} (raw or .gz). Fix the directory, name another, " +
            "or name none to let FedActors find or fetch the dataset.");

    private string? TryDir(string source, string dir)
    {
        string? problem = Problem(dir);
        return Record(source, problem is null ? dir : null, problem ?? "found");
    }

    private async Task<string?> TryDownloadAsync(CancellationToken ct)
    {
        Uri? baseUri = _options.DownloadBase ?? _spec.DownloadBase;
        string source = baseUri is null ? "HTTP download" : $"HTTP download from {baseUri}";
        if (!_options.AllowDownload)
            return Record(source, null, "disabled (downloads not allowed)");
        if (baseUri is null)
            return Record(source, null, $"no download location is known for {_spec.Name}");

        HttpClient http = _options.HttpClient ?? new HttpClient();
        try
        {
            var problems = await new HttpDatasetDownloader(http, Log).DownloadAsync(_spec, baseUri, CacheDir, ct).ConfigureAwait(false);
            return Fetched(source, problems);
        }
        finally
        {
            if (_options.HttpClient is null)
                http.Dispose();
        }
    }

    private async Task<string?> TryAptAsync(CancellationToken ct)
    {
        string? package = _spec.DebianPackage;
        string source = package is null ? "apt-get download" : $"apt-get download {package}";
        if (!_options.AllowApt)
            return Record(source, null, "disabled (apt not allowed)");
        if (package is null)
            return Record(source, null, $"no Debian package ships {_spec.Name}");
        string? path = _options.GetEnvironmentVariable("PATH");
        string? aptGet = ProcessRunner.FindOnPath("apt-get", path);
        string? dpkgDeb = ProcessRunner.FindOnPath("dpkg-deb", path);
        if (aptGet is null || dpkgDeb is null)
            return Record(source, null, "apt-get or dpkg-deb not on PATH (not a Debian-like system)");

        try
        {
            var problems = await new DebianPackageFetcher(aptGet, dpkgDeb, Log).FetchAsync(_spec, package, CacheDir, ct).ConfigureAwait(false);
            return Fetched(source, problems);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
        {
            return Record(source, null, e.Message);
        }
    }

    private string? Fetched(string source, IReadOnlyList<string> problems)
    {
        if (problems.Count > 0)
            return Record(source, null, string.Join("; ", problems));
        string? problem = Problem(CacheDir);
        return Record(source, problem is null ? CacheDir : null, problem is null ? $"saved to {CacheDir}" : problem);
    }

    /// <summary>Why <paramref name="dir"/> cannot serve the dataset, or null when all files are there with valid headers.</summary>
    private string? Problem(string dir)
    {
        if (!Directory.Exists(dir))
            return "no such directory";
        var missing = _spec.Files.Where(f => f.FindIn(dir) is null).Select(f => f.FileName).ToList();
        if (missing.Count > 0)
            return $"missing {string.Join(", ", missing)}";
        try
        {
            var counts = _spec.FilesWithMagic.Select(x => IdxReader.ReadHeader(x.File.FindIn(dir)!, x.Magic)[0]).ToArray();
            if (counts[0] != counts[1])
                return $"{_spec.TrainImages.FileName} holds {counts[0]} images but {_spec.TrainLabels.FileName} {counts[1]} labels";
            if (counts[2] != counts[3])
                return $"{_spec.TestImages.FileName} holds {counts[2]} images but {_spec.TestLabels.FileName} {counts[3]} labels";
            return null;
        }
        catch (Exception e) when (e is DatasetFormatException or IOException or UnauthorizedAccessException or InvalidDataException)
        {
            return e.Message;
        }
    }

    private string? Record(string source, string? found, string outcome)
    {
        _attempts.Add(new DatasetAcquisitionAttempt(source, found is not null, outcome));
        Log($"{source}: {outcome}");
        return found;
    }

    private void Log(string line) => _options.Log?.Invoke(line);

    private string FailureMessage()
    {
        var text = new StringBuilder();
        text.AppendLine($"Dataset '{_spec.Name}' is not available. Tried, in order:");
        for (int i = 0; i < _attempts.Count; i++)
            text.AppendLine($"  {i + 1}. {_attempts[i].Source}: {_attempts[i].Outcome}");
        text.AppendLine("To fix, do one of:");
        string files = string.Join(", ", _spec.Files.Select(f => f.FileName));
        text.AppendLine($"  - point at a directory holding {files} (raw or .gz):");
        text.AppendLine("      --data-dir DIR   or   --set fedactors.data.dir=DIR   or   export FEDACTORS_DATA=DIR");
        if (_spec.DebianPackage is not null)
            text.AppendLine($"  - install the Debian package: sudo apt-get install {_spec.DebianPackage}   (files go to {_spec.DebianDir})");
        if (!_options.AllowDownload)
            text.AppendLine("  - allow downloads: --set fedactors.data.allow-download=true");
        else if ((_options.DownloadBase ?? _spec.DownloadBase) is { } uri)
            text.AppendLine($"  - fetch the files from {uri} into {CacheDir}");
        return text.ToString().TrimEnd();
    }
}
