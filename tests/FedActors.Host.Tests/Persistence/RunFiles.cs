using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace FedActors.Host.Tests.Persistence;

/// <summary>Reads the outputs of a run directory (DESIGN.md §4) as a test sees them, also while a process writes them.</summary>
public static class RunFiles
{
    /// <summary>The lines of <paramref name="path"/> that end with a newline (a crash can cut the last one), header included; empty when the file is missing.</summary>
    public static IReadOnlyList<string> CompleteLines(string path)
    {
        string text;
        try
        {
            // The run keeps the file open for writing; share it.
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            text = reader.ReadToEnd();
        }
        catch (FileNotFoundException)
        {
            return [];
        }
        catch (DirectoryNotFoundException)
        {
            return [];
        }
        var end = text.LastIndexOf('\n');
        return end < 0 ? [] : text[..end].Split('\n');
    }

    /// <summary>The data rows of a CSV, split into fields, after checking its header.</summary>
    public static IReadOnlyList<string[]> Rows(string path, string header)
    {
        var lines = CompleteLines(path);
        Assert.True(lines.Count > 0, $"{path} is missing or empty");
        Assert.Equal(header, lines[0]);
        return lines.Skip(1).Select(l => l.Split(',')).ToList();
    }

    /// <summary>The highest server step in a metrics.csv being written, or -1 before its first row.</summary>
    public static long MaxMetricsStep(string metricsPath)
    {
        long max = -1;
        foreach (var line in CompleteLines(metricsPath).Skip(1))
        {
            var comma = line.IndexOf(',');
            if (comma > 0 && long.TryParse(line.AsSpan(0, comma), NumberStyles.None, CultureInfo.InvariantCulture, out var step))
                max = Math.Max(max, step);
        }
        return max;
    }

    /// <summary>summary.json of <paramref name="runDir"/>.</summary>
    public static JsonElement Summary(string runDir)
    {
        var path = Path.Combine(runDir, "summary.json");
        Assert.True(File.Exists(path), $"{path} is missing");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.Clone();
    }

    /// <summary>Every file of <paramref name="dir"/> (recursively) with the SHA-256 of its bytes, by relative path.</summary>
    public static SortedDictionary<string, string> Snapshot(string dir)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
            files[Path.GetRelativePath(dir, file)] = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)));
        return files;
    }

    /// <summary>Where two snapshots differ, one line per file; empty when they are equal.</summary>
    public static string Differences(IReadOnlyDictionary<string, string> before, IReadOnlyDictionary<string, string> after)
    {
        var lines = new List<string>();
        foreach (var (name, hash) in before)
        {
            if (!after.TryGetValue(name, out var now)) lines.Add($"{name}: deleted");
            else if (now != hash) lines.Add($"{name}: changed");
        }
        lines.AddRange(after.Keys.Where(n => !before.ContainsKey(n)).Select(n => $"{n}: created"));
        return string.Join('\n', lines);
    }
}
