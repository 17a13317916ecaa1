using System.Globalization;
using System.Text;

namespace FedActors.Host.Runs;

/// <summary>
/// Appends <see cref="MetricsRow"/>s to metrics.csv, flushing every row so a crash keeps the rows before it.
/// Reopening an existing file (a resumed run) appends after its rows.
/// </summary>
public sealed class MetricsCsv : IAsyncDisposable, IDisposable
{
    /// <summary>The header line (DESIGN.md §4).</summary>
    public const string Header = "server_step,virtual_seconds,wall_seconds,updates_applied,accuracy,loss,mean_staleness,max_staleness,bytes_up,bytes_down";

    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
    private readonly StreamWriter _writer;

    private MetricsCsv(StreamWriter writer) => _writer = writer;

    /// <summary>Opens <paramref name="path"/> for appending, writing the header if the file is new or empty.</summary>
    /// <exception cref="FedActorsException">The file exists with a different header.</exception>
    public static MetricsCsv Open(string path)
    {
        var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        try
        {
            if (stream.Length > 0)
            {
                CheckHeader(stream, path);
                DropPartialLastLine(stream);
            }
            stream.Seek(0, SeekOrigin.End);
            var writer = new StreamWriter(stream, Utf8) { NewLine = "\n" };
            if (stream.Length == 0) { writer.WriteLine(Header); writer.Flush(); }
            return new MetricsCsv(writer);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Appends one row and flushes it to the operating system.</summary>
    public async Task AppendAsync(MetricsRow row, CancellationToken ct)
    {
        await _writer.WriteLineAsync(Format(row).AsMemory(), ct);
        await _writer.FlushAsync(ct);
    }

    /// <summary>Reads every complete row of a metrics.csv.</summary>
    /// <exception cref="FedActorsException">The header or a row is malformed.</exception>
    public static IReadOnlyList<MetricsRow> Read(string path)
    {
        var text = File.ReadAllText(path);
        var lines = text.Split('\n');
        if (lines[0].TrimEnd('\r') != Header) throw new FedActorsException($"{path}: not a metrics file (header differs)");
        var rows = new List<MetricsRow>();
        // The last element is "" after a final newline, or a row cut short by a crash: both are skipped.
        for (var i = 1; i < lines.Length - 1; i++)
        {
            if (lines[i].Length == 0) continue;
            rows.Add(Parse(lines[i].TrimEnd('\r'), path, i + 1));
        }
        return rows;
    }

    /// <summary>One CSV line for <paramref name="row"/>, invariant culture, no trailing newline.</summary>
    public static string Format(MetricsRow row) => string.Join(',',
        row.ServerStep.ToString(CultureInfo.InvariantCulture),
        Number(row.VirtualSeconds),
        Number(row.WallSeconds),
        row.UpdatesApplied.ToString(CultureInfo.InvariantCulture),
        Number(row.Accuracy),
        Number(row.Loss),
        row.MeanStaleness is { } mean ? Number(mean) : "",
        row.MaxStaleness?.ToString(CultureInfo.InvariantCulture) ?? "",
        row.BytesUp.ToString(CultureInfo.InvariantCulture),
        row.BytesDown.ToString(CultureInfo.InvariantCulture));

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static MetricsRow Parse(string line, string path, int lineNumber)
    {
        var f = line.Split(',');
        if (f.Length != 10) throw new FedActorsException($"{path}: line {lineNumber}: expected 10 fields, got {f.Length}");
        try
        {
            var inv = CultureInfo.InvariantCulture;
            return new MetricsRow(
                long.Parse(f[0], inv), double.Parse(f[1], inv), double.Parse(f[2], inv), long.Parse(f[3], inv),
                double.Parse(f[4], inv), double.Parse(f[5], inv),
                f[6].Length == 0 ? null : double.Parse(f[6], inv),
                f[7].Length == 0 ? null : long.Parse(f[7], inv),
                long.Parse(f[8], inv), long.Parse(f[9], inv));
        }
        catch (FormatException e)
        {
            throw new FedActorsException($"{path}: line {lineNumber}: {e.Message}", e);
        }
    }

    private static void CheckHeader(FileStream stream, string path)
    {
        var buffer = new byte[Header.Length + 1];
        stream.Seek(0, SeekOrigin.Begin);
        var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (read < buffer.Length || Encoding.ASCII.GetString(buffer, 0, Header.Length) != Header || buffer[^1] != (byte)'\n')
            throw new FedActorsException($"{path}: exists but is not a metrics file (header differs)");
    }

    /// <summary>A crash can leave half a row; cut it so the next row starts on its own line.</summary>
    internal static void DropPartialLastLine(FileStream stream)
    {
        var end = stream.Length;
        var one = new byte[1];
        var pos = end;
        while (pos > 0)
        {
            stream.Seek(pos - 1, SeekOrigin.Begin);
            stream.ReadExactly(one);
            if (one[0] == (byte)'\n') break;
            pos--;
        }
        if (pos < end) stream.SetLength(pos);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _writer.DisposeAsync();

    /// <inheritdoc />
    public void Dispose() => _writer.Dispose();
}
