using Spectre.Console;

namespace FedActors.Host.Progress;

/// <summary>
/// A Spectre.Console progress bar for interactive terminals. Spectre draws inside a callback, so the
/// display runs on its own task until <see cref="Complete"/>, <see cref="Stop"/> or <see cref="Dispose"/>.
/// </summary>
public sealed class LiveRunProgress : IRunProgress
{
    private readonly IAnsiConsole _console;
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _display;
    private ProgressTask? _task;
    private string _description = "";
    private string? _lastMetrics;

    /// <summary>Draws on <paramref name="console"/>.</summary>
    public LiveRunProgress(IAnsiConsole console) => _console = console;

    /// <inheritdoc />
    public void Start(long total, string description)
    {
        if (_display is not null) throw new InvalidOperationException("progress already started");
        _description = description;
        var ready = new TaskCompletionSource<ProgressTask>(TaskCreationOptions.RunContinuationsAsynchronously);
        _display = Task.Run(() => _console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                new ElapsedTimeColumn(), new RemainingTimeColumn())
            .StartAsync(async ctx =>
            {
                ready.SetResult(ctx.AddTask(Markup.Escape(description), maxValue: Math.Max(1, total)));
                await _finished.Task;
                ctx.Refresh();
            }));
        _task = ready.Task.GetAwaiter().GetResult();
    }

    /// <inheritdoc />
    public void Report(long step, double? accuracy = null, double? loss = null, string? extra = null)
    {
        if (_task is null) return;
        _task.Value = Math.Min(step, _task.MaxValue);
        var metrics = ProgressText.Metrics(accuracy, loss, extra);
        if (metrics.Length > 0) _lastMetrics = metrics;
        _task.Description = Markup.Escape(_lastMetrics is null ? _description : $"{_description}  {_lastMetrics}");
    }

    /// <inheritdoc />
    public void Complete(string? message = null)
    {
        if (_task is not null) _task.Value = _task.MaxValue;
        Finish();
        if (message is not null) _console.MarkupLine($"[green]{Markup.Escape(message)}[/]");
    }

    /// <inheritdoc />
    public void Stop(string reason)
    {
        Finish();
        _console.MarkupLine($"[yellow]stopped: {Markup.Escape(reason)}[/]");
    }

    /// <inheritdoc />
    public void Dispose() => Finish();

    private void Finish()
    {
        _finished.TrySetResult();
        _display?.GetAwaiter().GetResult();
        _display = null;
    }
}
