using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Crawler.TestKit.Site;

/// <summary>A request as the fixture server received it.</summary>
/// <param name="ConnectionId">Which accepted connection carried it (1, 2, ...).</param>
/// <param name="Method">The request method.</param>
/// <param name="Target">The request target (path and query).</param>
/// <param name="Headers">The header fields, names as sent.</param>
/// <param name="At">When it arrived, since the server started.</param>
public sealed record RecordedRequest(int ConnectionId, string Method, string Target, IReadOnlyList<KeyValuePair<string, string>> Headers,
    TimeSpan At = default)
{
    /// <summary>The first value of a header (case-insensitive name), or null.</summary>
    public string? Header(string name) =>
        Headers.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;
}

/// <summary>
/// A scripted HTTP/1.1 server on 127.0.0.1 for tests, on raw sockets so that it can misbehave on purpose: each
/// request is handed to a script that answers with a <see cref="ServerAction"/> (a response, a slow drip, a stall,
/// a close or a reset in the middle). It keeps connections alive as long as the script does not close them and the
/// client does not ask for <c>Connection: close</c>, and records every connection and request. <c>GET /robots.txt</c> gets a 404 (so crawlers find no rules) unless the
/// server was started with <c>scriptRobots: true</c>. Loopback only.
/// </summary>
public sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<RecordedRequest, ValueTask<ServerAction>> _script;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly ConcurrentBag<Socket> _sockets = [];
    private readonly Task _acceptLoop;
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private int _connections;
    private int _open;

    private LoopbackHttpServer(Func<RecordedRequest, ValueTask<ServerAction>> script, bool scriptRobots)
    {
        _script = scriptRobots ? script : request => request.Target == "/robots.txt"
            ? ValueTask.FromResult<ServerAction>(ServerAction.Status(404, "Not Found"))
            : script(request);
        _listener.Start(1024);
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = Task.Run(AcceptLoop);
    }

    /// <summary>The port it listens on (127.0.0.1).</summary>
    public int Port { get; }

    /// <summary>How many connections were accepted so far.</summary>
    public int ConnectionCount => Volatile.Read(ref _connections);

    /// <summary>How many accepted connections are still open (not yet closed by the client, by an action or by
    /// the server's stop). A connection is seen closed when the server next reads from it.</summary>
    public int OpenConnections => Volatile.Read(ref _open);

    /// <summary>Every request received so far, in arrival order.</summary>
    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    /// <summary>Starts a server whose script may wait before it decides (for barriers).</summary>
    public static LoopbackHttpServer Start(Func<RecordedRequest, ValueTask<ServerAction>> script, bool scriptRobots = false) =>
        new(script, scriptRobots);

    /// <summary>Starts a server with a synchronous script.</summary>
    public static LoopbackHttpServer Start(Func<RecordedRequest, ServerAction> script, bool scriptRobots = false) =>
        new(request => ValueTask.FromResult(script(request)), scriptRobots);

    /// <summary>An absolute URL on this server.</summary>
    public Uri Url(string pathAndQuery) => new($"http://127.0.0.1:{Port}{pathAndQuery}");

    /// <summary>A port on 127.0.0.1 where nothing listens (bound, then released).</summary>
    public static int ClosedPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }

        try
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException or InvalidOperationException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException or InvalidOperationException)
            {
                return; // stopped (InvalidOperationException: stopped before the first accept)
            }

            socket.NoDelay = true;
            _sockets.Add(socket);
            var id = Interlocked.Increment(ref _connections);
            Interlocked.Increment(ref _open);
            _ = Task.Run(async () =>
            {
                try
                {
                    await Serve(socket, id).ConfigureAwait(false);
                }
                finally
                {
                    Interlocked.Decrement(ref _open);
                }
            });
        }
    }

    private async Task Serve(Socket socket, int connectionId)
    {
        var buffer = new byte[64 * 1024];
        var filled = 0;
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                int end;
                while ((end = HeadEnd(buffer.AsSpan(0, filled))) < 0)
                {
                    var read = await socket.ReceiveAsync(buffer.AsMemory(filled), _stop.Token).ConfigureAwait(false);
                    if (read == 0)
                    {
                        socket.Dispose();
                        return;
                    }

                    filled += read;
                }

                var request = ParseHead(Encoding.Latin1.GetString(buffer, 0, end), connectionId) with { At = _clock.Elapsed };
                buffer.AsSpan(end, filled - end).CopyTo(buffer);
                filled -= end;
                _requests.Enqueue(request);
                var action = await _script(request).ConfigureAwait(false);
                if (!await Perform(socket, action).ConfigureAwait(false))
                {
                    return;
                }

                if (string.Equals(request.Header("Connection"), "close", StringComparison.OrdinalIgnoreCase))
                {
                    Close(socket); // the client asked for it (RFC 9112 §9.6), as a proxy in front of the server does
                    return;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            socket.Dispose();
        }
    }

    /// <summary>Performs the action; false when the connection is gone afterwards.</summary>
    private async Task<bool> Perform(Socket socket, ServerAction action)
    {
        switch (action)
        {
            case ServerAction.Respond respond:
                await socket.SendAsync(respond.Bytes, _stop.Token).ConfigureAwait(false);
                return !respond.Close || Close(socket);
            case ServerAction.Drip drip:
                foreach (var piece in drip.Bytes.Chunk(drip.PieceSize))
                {
                    await socket.SendAsync(piece, _stop.Token).ConfigureAwait(false);
                    await Task.Delay(drip.Pause, _stop.Token).ConfigureAwait(false);
                }

                return !drip.Close || Close(socket);
            case ServerAction.Stall stall:
                await socket.SendAsync(stall.Bytes, _stop.Token).ConfigureAwait(false);
                // Stay silent; read and drop whatever comes until the client gives up.
                var sink = new byte[4096];
                while (await socket.ReceiveAsync(sink, _stop.Token).ConfigureAwait(false) > 0)
                {
                }

                socket.Dispose();
                return false;
            case ServerAction.CloseAfter closeAfter:
                await socket.SendAsync(closeAfter.Bytes, _stop.Token).ConfigureAwait(false);
                return Close(socket);
            case ServerAction.ResetAfter resetAfter:
                await socket.SendAsync(resetAfter.Bytes, _stop.Token).ConfigureAwait(false);
                socket.LingerState = new LingerOption(true, 0);
                socket.Dispose();
                return false;
            case ServerAction.Delay delay:
                await Task.Delay(delay.Wait, _stop.Token).ConfigureAwait(false);
                return await Perform(socket, delay.Then).ConfigureAwait(false);
            default:
                throw new ArgumentOutOfRangeException(nameof(action), action, null);
        }
    }

    private static bool Close(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
        }

        socket.Dispose();
        return false;
    }

    private static int HeadEnd(ReadOnlySpan<byte> bytes)
    {
        var end = bytes.IndexOf("\r\n\r\n"u8);
        return end < 0 ? -1 : end + 4;
    }

    private static RecordedRequest ParseHead(string head, int connectionId)
    {
        var lines = head.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var parts = lines[0].Split(' ');
        var headers = lines.Skip(1)
            .Select(line => line.Split(':', 2))
            .Select(pair => new KeyValuePair<string, string>(pair[0], pair.Length > 1 ? pair[1].Trim() : ""))
            .ToList();
        return new RecordedRequest(connectionId, parts[0], parts.Length > 1 ? parts[1] : "", headers);
    }
}
