namespace FedActors.Training.Data;

/// <summary>
/// Gets a dataset from its Debian package without root: <c>apt-get download</c> into a temporary directory,
/// <c>dpkg-deb -x</c> into another, then verified copies of the files into the cache.
/// </summary>
/// <remarks>
/// A fresh machine's package lists may never have been updated (apt then answers "Unable to locate package"). The
/// fetcher then runs <c>apt-get update</c> into package lists of its own in the temporary directory
/// (<c>Dir::State::Lists</c>, <c>Dir::Cache</c>) and downloads with those: the machine's own lists and caches are left
/// as they were, and no root is needed. Running as root, apt would hand the download to its <c>_apt</c> user, which
/// cannot write to our directory, so the sandbox user is root then.
/// </remarks>
internal sealed class DebianPackageFetcher(string aptGet, string dpkgDeb, Action<string> log)
{
    /// <returns>The problems; empty when all four files are in <paramref name="targetDir"/> and verified.</returns>
    public async Task<IReadOnlyList<string>> FetchAsync(IdxDatasetSpec spec, string package, string targetDir, CancellationToken ct)
    {
        string work = Path.Combine(Path.GetTempPath(), "fedactors-apt-" + Guid.NewGuid().ToString("N"));
        string download = Path.Combine(work, "download");
        string root = Path.Combine(work, "root");
        Directory.CreateDirectory(download);
        try
        {
            log($"apt-get download {package}");
            var apt = await ProcessRunner.RunAsync(aptGet, ["download", package], download, ct).ConfigureAwait(false);
            string? deb = apt.ExitCode == 0 ? Directory.EnumerateFiles(download, "*.deb").FirstOrDefault() : null;
            if (deb is null)
            {
                string first = apt.ExitCode != 0
                    ? $"apt-get download {package} exited with {apt.ExitCode}: {Tail(apt.StandardError)}"
                    : $"apt-get download {package} produced no .deb ({Tail(apt.StandardError)})";
                log($"{first}; retrying with package lists of its own");
                var own = OwnListsOptions(work);
                var update = await ProcessRunner.RunAsync(aptGet, [.. own, "update"], work, ct).ConfigureAwait(false);
                if (update.ExitCode != 0)
                    return [first, $"apt-get update into {Path.Combine(work, "lists")} exited with {update.ExitCode}: {Tail(update.StandardError)}"];
                apt = await ProcessRunner.RunAsync(aptGet, [.. own, "download", package], download, ct).ConfigureAwait(false);
                deb = apt.ExitCode == 0 ? Directory.EnumerateFiles(download, "*.deb").FirstOrDefault() : null;
                if (deb is null)
                    return [first, $"with its own package lists, apt-get download {package} exited with {apt.ExitCode}: {Tail(apt.StandardError)}"];
            }

            log($"dpkg-deb -x {Path.GetFileName(deb)}");
            var dpkg = await ProcessRunner.RunAsync(dpkgDeb, ["-x", deb, root], work, ct).ConfigureAwait(false);
            if (dpkg.ExitCode != 0)
                return [$"dpkg-deb -x {Path.GetFileName(deb)} exited with {dpkg.ExitCode}: {Tail(dpkg.StandardError)}"];

            string extracted = Path.Combine(root, spec.DebianDir.TrimStart('/'));
            var problems = new List<string>();
            foreach (var (file, magic) in spec.FilesWithMagic)
            {
                string? source = file.FindIn(extracted);
                if (source is null)
                {
                    problems.Add($"{file.FileName}: not in package {package} (looked in {spec.DebianDir})");
                    continue;
                }
                string? problem = await VerifiedInstall.InstallAsync(targetDir, file, magic, async (temp, c) =>
                {
                    await using var from = File.OpenRead(source);
                    await using var to = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
                    await from.CopyToAsync(to, c).ConfigureAwait(false);
                    return null;
                }, ct).ConfigureAwait(false);
                if (problem is not null)
                    problems.Add(problem);
            }
            return problems;
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { /* leftovers in /tmp are harmless */ }
        }
    }

    /// <summary>apt options that keep package lists and caches under <paramref name="work"/>.</summary>
    private static string[] OwnListsOptions(string work)
    {
        string lists = Path.Combine(work, "lists");
        string cache = Path.Combine(work, "cache");
        Directory.CreateDirectory(Path.Combine(lists, "partial"));
        Directory.CreateDirectory(Path.Combine(cache, "archives", "partial"));
        var options = new List<string> { "-o", $"Dir::State::Lists={lists}", "-o", $"Dir::Cache={cache}" };
        if (Environment.IsPrivilegedProcess) options.AddRange(["-o", "APT::Sandbox::User=root"]);
        return [.. options];
    }

    // apt's stderr can be long; the last lines say what went wrong.
    private static string Tail(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "(no output)" : string.Join(" | ", lines.TakeLast(3));
    }
}
