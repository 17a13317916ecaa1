using System.Globalization;
using System.Text;
using FedActors.Actors.Coordination;

namespace FedActors.Host.Runs;

/// <summary>
/// Appends <see cref="MetricsRow"/>s to metrics.csv, flushing every row so a crash keeps the rows before it.
/// Reopening an existing file (a resumed run) appends after its rows.
/// </summary>
public sealed class MetricsCsv : IAsyncDisposable, IDisposable
{
    /// <summary>The header line (DESIGN.md §4).</summary>
    public const string Header = "server_step,virtual_seconds,wall_seconds,updates_applied,accuracy,loss,mean_staleness,max_staleness,bytes_up,bytes_down";

    /// <summary>The columns an attacked run adds (<see cref="MetricsColumns.Attack"/>).</summary>
    public const string AttackColumns = "updates_filtered,malicious_accepted,malicious_filtered";

    /// <summary>The column a backdoor run adds (<see cref="MetricsColumns.Backdoor"/>).</summary>
    public const string BackdoorColumn = "backdoor_accuracy";

    /// <summary>The column a run with differential privacy adds (<see cref="MetricsColumns.Privacy"/>).</summary>
    public const string PrivacyColumn = "epsilon";

    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
    private readonly StreamWriter _writer;
    private readonly MetricsColumns _columns;

    private MetricsCsv(StreamWriter writer, MetricsColumns columns) => (_writer, _columns) = (writer, columns);

    /// <summary>
    /// The header of a run with <paramref name="columns"/>: <see cref="Header"/>, then the attack's columns, the backdoor's,
    /// and the privacy column.
    /// </summary>
    public static string HeaderFor(MetricsColumns columns) =>
        Header
        + (columns.HasFlag(MetricsColumns.Attack) ? "," + AttackColumns : "")
        + (columns.HasFlag(MetricsColumns.Backdoor) ? "," + BackdoorColumn : "")
        + (columns.HasFlag(MetricsColumns.Privacy) ? "," + PrivacyColumn : "");

    /// <summary>
    /// Opens <paramref name="path"/> for appending, writing the header if the file is new or empty; <paramref name="columns"/>
    /// adds the attack's and the backdoor's columns.
    /// </summary>
    /// <exception cref="FedActorsException">The file exists with a different header.</exception>
    public static MetricsCsv Open(string path, MetricsColumns columns = MetricsColumns.None)
    {
        var header = HeaderFor(columns);
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
            return new MetricsCsv(writer, columns);
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
        await _writer.WriteLineAsync(Format(row, _columns).AsMemory(), ct);
        await _writer.FlushAsync(ct);
    }

    /// <summary>Reads every complete row of a metrics.csv.</summary>
    /// <exception cref="FedActorsException">The header or a row is malformed.</exception>
    public static IReadOnlyList<MetricsRow> Read(string path)
    {
        var text = File.ReadAllText(path);
        var lines = text.Split('\n');
        var header = lines[0].TrimEnd('\r');
        // Every combination of the optional columns.
        var columns = Enumerable.Range(0, 8).Select(c => (MetricsColumns)c).FirstOrDefault(c => HeaderFor(c) == header, (MetricsColumns)(-1));
        if (columns < 0) throw new FedActorsException($"{path}: not a metrics file (header differs)");
        var rows = new List<MetricsRow>();
        // The last element is "" after a final newline, or a row cut short by a crash: both are skipped.
        for (var i = 1; i < lines.Length - 1; i++)
        {
            if (lines[i].Length == 0) continue;
            rows.Add(Parse(lines[i].TrimEnd('\r'), path, i + 1, columns));
        }
        return rows;
    }

    /// <summary>One CSV line for <paramref name="row"/>, invariant culture, no trailing newline, with the <paramref name="columns"/> asked for.</summary>
    public static string Format(MetricsRow row, MetricsColumns columns = MetricsColumns.None)
    {
        var inv = CultureInfo.InvariantCulture;
        var line = new StringBuilder(string.Join(',',
            row.ServerStep.ToString(inv),
            Number(row.VirtualSeconds),
            Number(row.WallSeconds),
            row.UpdatesApplied.ToString(inv),
            Number(row.Accuracy),
            Number(row.Loss),
            row.MeanStaleness is { } mean ? Number(mean) : "",
            row.MaxStaleness?.ToString(inv) ?? "",
            row.BytesUp.ToString(inv),
            row.BytesDown.ToString(inv)));
        if (columns.HasFlag(MetricsColumns.Attack))
            line.Append(row.Defense is { } d ? string.Create(inv, $",{d.Filtered},{d.MaliciousAccepted},{d.MaliciousFiltered}") : ",,,");
        if (columns.HasFlag(MetricsColumns.Backdoor))
            line.Append(',').Append(row.BackdoorAccuracy is { } b ? Number(b) : "");
        if (columns.HasFlag(MetricsColumns.Privacy))
            line.Append(',').Append(row.Epsilon is { } e ? Number(e) : "");
        return line.ToString();
    }

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static MetricsRow Parse(string line, string path, int lineNumber, MetricsColumns columns)
    {
        var f = line.Split(',');
        bool attack = columns.HasFlag(MetricsColumns.Attack), backdoor = columns.HasFlag(MetricsColumns.Backdoor),
            privacy = columns.HasFlag(MetricsColumns.Privacy);
        int fields = 10 + (attack ? 3 : 0) + (backdoor ? 1 : 0) + (privacy ? 1 : 0);
        int backdoorField = 10 + (attack ? 3 : 0);
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
                Defense = attack && f[10].Length > 0
                    ? new DefenseCounts(long.Parse(f[10], inv), long.Parse(f[11], inv) + long.Parse(f[12], inv), long.Parse(f[12], inv))
                    : null,
                BackdoorAccuracy = backdoor && f[backdoorField].Length > 0 ? double.Parse(f[backdoorField], inv) : null,
                Epsilon = privacy && f[^1].Length > 0 ? double.Parse(f[^1], inv) : null,
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

/// <summary>The optional columns of metrics.csv, after <see cref="MetricsCsv.Header"/>'s.</summary>
[Flags]
public enum MetricsColumns
{
    /// <summary>None: an unattacked run.</summary>
    None = 0,

    /// <summary>A simulated attack: updates a robust aggregator filtered, malicious updates accepted and filtered, so far.</summary>
    Attack = 1,

    /// <summary>A simulated backdoor: the backdoor accuracy.</summary>
    Backdoor = 2,

    /// <summary>Differential privacy: the client-level ε spent so far.</summary>
    Privacy = 4,
}
