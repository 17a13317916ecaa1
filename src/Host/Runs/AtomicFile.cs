namespace FedActors.Host.Runs;

/// <summary>Replaces a file so that readers (and a crash) see either the old or the new content, never half.</summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="content"/> to a temporary file beside <paramref name="path"/>, flushes it to disk, then renames it over <paramref name="path"/>.</summary>
    public static async Task WriteAllBytesAsync(string path, ReadOnlyMemory<byte> content, CancellationToken ct)
    {
        var temp = path + ".tmp";
        await using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 4096, useAsync: true))
        {
            await stream.WriteAsync(content, ct);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>UTF-8 text variant of <see cref="WriteAllBytesAsync"/>.</summary>
    public static Task WriteAllTextAsync(string path, string content, CancellationToken ct) =>
        WriteAllBytesAsync(path, System.Text.Encoding.UTF8.GetBytes(content), ct);
}
