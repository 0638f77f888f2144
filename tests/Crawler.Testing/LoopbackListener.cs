using System.Net;
using System.Net.Sockets;

namespace Crawler.Testing;

/// <summary>A raw TCP server on 127.0.0.1 for fixtures that misbehave below HTTP: it accepts until disposed and hands
/// each connection to <see cref="ServeAsync"/> on its own task; socket errors and the stop end a connection quietly.</summary>
public abstract class LoopbackListener : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly Task _accepting;

    protected LoopbackListener()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(64);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _accepting = Task.Run(AcceptAsync);
    }

    public int Port { get; }

    /// <summary>Cancelled when the listener is disposed.</summary>
    protected CancellationTokenSource Stop { get; } = new();

    public Uri Url(string path = "/") => new($"http://127.0.0.1:{Port}{path}");

    /// <summary>Serves one accepted connection (disposed afterwards).</summary>
    protected abstract Task ServeAsync(Socket socket);

    private async Task AcceptAsync()
    {
        while (!Stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(Stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            OnAccepted();
            _ = Task.Run(async () =>
            {
                using (socket)
                {
                    try
                    {
                        await ServeAsync(socket);
                    }
                    catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                    {
                    }
                }
            });
        }
    }

    /// <summary>A connection was accepted.</summary>
    protected virtual void OnAccepted()
    {
    }

    public async ValueTask DisposeAsync()
    {
        await Stop.CancelAsync();
        _listener.Dispose();
        await _accepting.ConfigureAwait(false);
        Stop.Dispose();
        GC.SuppressFinalize(this);
    }
}
