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
    private readonly Latch<string> _signal = new();

    public Interruption()
    {
        _sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    }

    /// <summary>True once a signal came.</summary>
    public bool Interrupted => Reason is not null;

    /// <summary>Why the work was interrupted (<c>interrupted by SIGINT</c>), or null.</summary>
    public string? Reason => _signal.Value;

    /// <summary>The work running now is cancelled by <paramref name="cancel"/>; at once if a signal already came.</summary>
    public void Run(Action<string> cancel) => _signal.Then(cancel);

    public void Dispose()
    {
        _sigint.Dispose();
        _sigterm.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        _signal.Fire($"interrupted by {context.Signal}");
    }
}
