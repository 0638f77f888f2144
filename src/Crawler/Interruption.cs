using System.Runtime.InteropServices;

namespace Crawler;

/// <summary>
/// SIGINT and SIGTERM for the console host, caught from before the work starts until it is disposed: the first
/// signal keeps the process alive, records why, and cancels the work running (<see cref="Run"/>), or the work about
/// to start as soon as it is given; later signals find the work already ending.
/// </summary>
internal sealed class Interruption : IDisposable
{
    private readonly PosixSignalRegistration _sigint;
    private readonly PosixSignalRegistration _sigterm;
    private readonly object _gate = new();
    private Action<string>? _cancel;
    private string? _reason;

    public Interruption()
    {
        _sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    }

    /// <summary>True once a signal came.</summary>
    public bool Interrupted => Reason is not null;

    /// <summary>Why the work was interrupted (<c>interrupted by SIGINT</c>), or null.</summary>
    public string? Reason
    {
        get
        {
            lock (_gate)
            {
                return _reason;
            }
        }
    }

    /// <summary>The work running now is cancelled by <paramref name="cancel"/>; at once if a signal already came.</summary>
    public void Run(Action<string> cancel)
    {
        string? reason;
        lock (_gate)
        {
            _cancel = cancel;
            reason = _reason;
        }

        if (reason is not null)
        {
            cancel(reason);
        }
    }

    public void Dispose()
    {
        _sigint.Dispose();
        _sigterm.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        Action<string>? cancel;
        string reason;
        lock (_gate)
        {
            if (_reason is not null)
            {
                return;
            }

            _reason = reason = $"interrupted by {context.Signal}";
            cancel = _cancel;
        }

        cancel?.Invoke(reason);
    }
}
