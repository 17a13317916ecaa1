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

    /// <summary>The header of a run that simulates a backdoor: <see cref="Header"/> and the backdoor accuracy.</summary>
    public const string BackdoorHeader = Header + ",backdoor_accuracy";

    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
    private readonly StreamWriter _writer;
    private readonly bool _backdoor;

    private MetricsCsv(StreamWriter writer, bool backdoor) => (_writer, _backdoor) = (writer, backdoor);

    /// <summary>The header of a run with (<see cref="BackdoorHeader"/>) or without (<see cref="Header"/>) a simulated backdoor.</summary>
    public static string HeaderFor(bool backdoor) => backdoor ? BackdoorHeader : Header;

    /// <summary>
    /// Opens <paramref name="path"/> for appending, writing the header if the file is new or empty; <paramref name="backdoor"/>
    /// adds the backdoor_accuracy column.
    /// </summary>
    /// <exception cref="FedActorsException">The file exists with a different header.</exception>
    public static MetricsCsv Open(string path, bool backdoor = false)
    {
        var header = HeaderFor(backdoor);
        var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        try
        {
            if (stream.Length > 0)
            {
                CheckHeader(stream, path, header);
                DropPartialLastLine(stream);
            }
            stream.Seek(0, SeekOrigin.End);
            var writer = new StreamWriter(stream, Utf8) { NewLine = "\n" };
            if (stream.Length == 0) { writer.WriteLine(header); writer.Flush(); }
            return new MetricsCsv(writer, backdoor);
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
        await _writer.WriteLineAsync(Format(row, _backdoor).AsMemory(), ct);
        await _writer.FlushAsync(ct);
    }

    /// <summary>Reads every complete row of a metrics.csv.</summary>
    /// <exception cref="FedActorsException">The header or a row is malformed.</exception>
    public static IReadOnlyList<MetricsRow> Read(string path)
    {
        var text = File.ReadAllText(path);
        var lines = text.Split('\n');
        var header = lines[0].TrimEnd('\r');
        if (header != Header && header != BackdoorHeader) throw new FedActorsException($"{path}: not a metrics file (header differs)");
        bool backdoor = header == BackdoorHeader;
        var rows = new List<MetricsRow>();
        // The last element is "" after a final newline, or a row cut short by a crash: both are skipped.
        for (var i = 1; i < lines.Length - 1; i++)
        {
            if (lines[i].Length == 0) continue;
            rows.Add(Parse(lines[i].TrimEnd('\r'), path, i + 1, backdoor));
        }
        return rows;
    }

    /// <summary>One CSV line for <paramref name="row"/>, invariant culture, no trailing newline; <paramref name="backdoor"/> adds its backdoor accuracy.</summary>
    public static string Format(MetricsRow row, bool backdoor = false) => backdoor
        ? Format(row) + "," + (row.BackdoorAccuracy is { } b ? Number(b) : "")
        : string.Join(',',
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

    private static MetricsRow Parse(string line, string path, int lineNumber, bool backdoor)
    {
        var f = line.Split(',');
        int fields = backdoor ? 11 : 10;
        if (f.Length != fields) throw new FedActorsException($"{path}: line {lineNumber}: expected {fields} fields, got {f.Length}");
        try
        {
            var inv = CultureInfo.InvariantCulture;
            return new MetricsRow(
                long.Parse(f[0], inv), double.Parse(f[1], inv), double.Parse(f[2], inv), long.Parse(f[3], inv),
                double.Parse(f[4], inv), double.Parse(f[5], inv),
                f[6].Length == 0 ? null : double.Parse(f[6], inv),
                f[7].Length == 0 ? null : long.Parse(f[7], inv),
                long.Parse(f[8], inv), long.Parse(f[9], inv))
            {
                BackdoorAccuracy = backdoor && f[10].Length > 0 ? double.Parse(f[10], inv) : null,
            };
        }
        catch (FormatException e)
        {
            throw new FedActorsException($"{path}: line {lineNumber}: {e.Message}", e);
        }
    }

    private static void CheckHeader(FileStream stream, string path, string header)
    {
        var buffer = new byte[header.Length + 1];
        stream.Seek(0, SeekOrigin.Begin);
        var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (read < buffer.Length || Encoding.ASCII.GetString(buffer, 0, header.Length) != header || buffer[^1] != (byte)'\n')
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
