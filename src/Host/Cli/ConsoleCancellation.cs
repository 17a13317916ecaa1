using System.Runtime.InteropServices;

namespace FedActors.Host.Cli;

/// <summary>
/// Turns the first Ctrl+C (SIGINT) or SIGTERM into a cancellation request so a run can stop cleanly and
/// write its summary; a second Ctrl+C is left to the default handler, which ends the process at once.
/// </summary>
public sealed class ConsoleCancellation : IDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly TextWriter _notices;
    private readonly PosixSignalRegistration _interrupt;
    private readonly PosixSignalRegistration _terminate;

    /// <summary>Starts listening; notices about stopping go to <paramref name="notices"/>.</summary>
    public ConsoleCancellation(TextWriter notices)
    {
        _notices = notices;
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    }

    /// <summary>Cancelled on the first signal.</summary>
    public CancellationToken Token => _cts.Token;

    private void OnSignal(PosixSignalContext context)
    {
        if (_cts.IsCancellationRequested)
        {
            context.Cancel = false; // second signal: default handling kills the process
            return;
        }
        context.Cancel = true;
        _notices.WriteLine("fedactors: stopping (press Ctrl+C again to kill)");
        // Cancel off the signal thread: callbacks may do real work.
        _ = Task.Run(_cts.Cancel);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _interrupt.Dispose();
        _terminate.Dispose();
        _cts.Dispose();
    }
}
