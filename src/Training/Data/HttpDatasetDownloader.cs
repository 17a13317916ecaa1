namespace FedActors.Training.Data;

/// <summary>Downloads a dataset's files over HTTP into a directory, verifying each before it becomes visible.</summary>
internal sealed class HttpDatasetDownloader(HttpClient http, Action<string> log)
{
    /// <summary>Fetches every file of <paramref name="spec"/> that <paramref name="targetDir"/> lacks or holds in a bad state.</summary>
    /// <returns>The problems, one per failed file; empty when all files are in place and verified.</returns>
    public async Task<IReadOnlyList<string>> DownloadAsync(IdxDatasetSpec spec, Uri baseUri, string targetDir, CancellationToken ct)
    {
        var problems = new List<string>();
        foreach (var (file, magic) in spec.FilesWithMagic)
        {
            string existing = Path.Combine(targetDir, file.FileName);
            if (File.Exists(existing) && await VerifiedInstall.ProblemAsync(existing, file, magic, ct).ConfigureAwait(false) is null)
            {
                log($"{file.FileName}: already in {targetDir} and verified");
                continue;
            }
            if (File.Exists(existing))
                File.Delete(existing); // ours and bad (e.g. from an older, interrupted version): never serve it
            var uri = new Uri(baseUri, file.FileName);
            log($"downloading {uri}");
            string? problem = await VerifiedInstall.InstallAsync(targetDir, file, magic, (temp, c) => FetchAsync(uri, temp, c), ct)
                .ConfigureAwait(false);
            if (problem is not null)
            {
                log(problem);
                problems.Add(problem);
            }
        }
        return problems;
    }

    private async Task<string?> FetchAsync(Uri uri, string destination, CancellationToken ct)
    {
        try
        {
            using var response = await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                return $"HTTP {(int)response.StatusCode} {response.ReasonPhrase} from {uri}";
            await using var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            await using var file = new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
            await body.CopyToAsync(file, ct).ConfigureAwait(false);
            return null;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            // TaskCanceledException without our token cancelled is HttpClient's timeout.
            return $"download from {uri} failed: {e.Message}";
        }
    }
}
