using System.Security.Cryptography;

namespace FedActors.Training.Data;

/// <summary>Puts a dataset file into a directory only after it has been verified, so readers never see a bad or partial file.</summary>
internal static class VerifiedInstall
{
    /// <summary>
    /// Lets <paramref name="produce"/> write a temporary file next to the target, verifies it, then renames it into place
    /// (atomic within one file system). A file that fails verification is deleted.
    /// </summary>
    /// <returns>Null on success, else the problem (naming the file).</returns>
    public static async Task<string?> InstallAsync(
        string targetDir, IdxFileSpec file, int magic, Func<string, CancellationToken, Task<string?>> produce, CancellationToken ct)
    {
        Directory.CreateDirectory(targetDir);
        string final = Path.Combine(targetDir, file.FileName);
        string temp = Path.Combine(targetDir, $".{file.FileName}.{Guid.NewGuid():N}.part");
        try
        {
            string? problem = await produce(temp, ct).ConfigureAwait(false)
                ?? await ProblemAsync(temp, file, magic, ct).ConfigureAwait(false);
            if (problem is not null)
                return $"{file.FileName}: {problem}";
            File.Move(temp, final, overwrite: true);
            return null;
        }
        finally
        {
            if (File.Exists(temp))
                File.Delete(temp);
        }
    }

    /// <summary>
    /// Checks a file against its spec: the SHA-256 of its decompressed content when known, strict IDX structure otherwise.
    /// </summary>
    /// <returns>Null when the file is good, else what is wrong.</returns>
    public static async Task<string?> ProblemAsync(string path, IdxFileSpec file, int magic, CancellationToken ct)
    {
        try
        {
            if (file.ContentSha256 is null)
            {
                await Task.Run(() => IdxReader.Read(path, magic), ct).ConfigureAwait(false);
                return null;
            }
            string actual;
            await using (var content = IdxReader.OpenContent(path))
                actual = Convert.ToHexStringLower(await SHA256.HashDataAsync(content, ct).ConfigureAwait(false));
            return string.Equals(actual, file.ContentSha256, StringComparison.OrdinalIgnoreCase)
                ? null
                : $"checksum mismatch: SHA-256 of the decompressed content is {actual}, expected {file.ContentSha256}";
        }
        catch (InvalidDataException e)
        {
            return $"corrupt gzip data ({e.Message})";
        }
        catch (DatasetFormatException e)
        {
            return e.Problem;
        }
    }
}
