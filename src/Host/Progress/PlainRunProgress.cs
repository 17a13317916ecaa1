namespace FedActors.Host.Progress;

/// <summary>One line per report, for logs and pipes (CI, <c>--plain</c>).</summary>
public sealed class PlainRunProgress : IRunProgress
{
    private readonly TextWriter _out;
    private long _total;
    private string _description = "";

    /// <summary>Writes lines to <paramref name="output"/>.</summary>
    public PlainRunProgress(TextWriter output) => _out = output;

    /// <inheritdoc />
    public void Start(long total, string description)
    {
        _total = total;
        _description = description;
        _out.WriteLine($"{description}: started ({total} steps)");
    }

    /// <inheritdoc />
    public void Report(long step, double? accuracy = null, double? loss = null, string? extra = null)
    {
        var metrics = ProgressText.Metrics(accuracy, loss, extra);
        _out.WriteLine($"{_description}: step {step}/{_total}{(metrics.Length > 0 ? " " + metrics : "")}");
    }

    /// <inheritdoc />
    public void Complete(string? message = null) =>
        _out.WriteLine($"{_description}: completed{(message is null ? "" : ": " + message)}");

    /// <inheritdoc />
    public void Stop(string reason) => _out.WriteLine($"{_description}: stopped: {reason}");

    /// <inheritdoc />
    public void Dispose() => _out.Flush();
}
