using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Crawler.Testing;

/// <summary>
/// An HTTP/1.1 server on 127.0.0.1 that answers every request with a body of a given size, made of one repeated
/// 64 KB block (never held whole, so a test can send gigabytes): byte i of the body is <c>(byte)(i % 251)</c>. With a
/// content length, or chunked; one response a connection, then it closes.
/// </summary>
public sealed class BulkBodyServer : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly long _size;
    private readonly bool _chunked;
    private long _sent;

    public BulkBodyServer(long size, bool chunked = false)
    {
        _size = size;
        _chunked = chunked;
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(16);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _accepting = Task.Run(AcceptAsync);
    }

    public int Port { get; }

    /// <summary>Body bytes written to sockets so far.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    public Uri Url(string path = "/") => new($"http://127.0.0.1:{Port}{path}");

    /// <summary>Byte <paramref name="index"/> of the body.</summary>
    public static byte At(long index) => (byte)(index % 251);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var socket = await _listener.AcceptAsync(_stop.Token);
                _ = Task.Run(() => ServeAsync(socket));
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using var _ = socket;
        try
        {
            var head = new byte[8192];
            var held = 0;
            while (Encoding.Latin1.GetString(head, 0, held).IndexOf("\r\n\r\n", StringComparison.Ordinal) < 0)
            {
                var read = await socket.ReceiveAsync(head.AsMemory(held), _stop.Token);
                if (read == 0 || (held += read) == head.Length)
                {
                    return;
                }
            }

            var framing = _chunked ? "Transfer-Encoding: chunked" : $"Content-Length: {_size}";
            await socket.SendAsync(Encoding.Latin1.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n{framing}\r\nConnection: close\r\n\r\n"), _stop.Token);
            const int Block = 64 * 1024; // a multiple of nothing in 251: the pattern runs on across blocks
            var block = new byte[Block];
            for (long offset = 0; offset < _size; offset += Block)
            {
                var length = (int)Math.Min(Block, _size - offset);
                for (var i = 0; i < length; i++)
                {
                    block[i] = At(offset + i);
                }

                if (_chunked)
                {
                    await socket.SendAsync(Encoding.Latin1.GetBytes($"{length:x}\r\n"), _stop.Token);
                }

                await socket.SendAsync(block.AsMemory(0, length), _stop.Token);
                if (_chunked)
                {
                    await socket.SendAsync("\r\n"u8.ToArray(), _stop.Token);
                }

                Interlocked.Add(ref _sent, length);
            }

            if (_chunked)
            {
                await socket.SendAsync("0\r\n\r\n"u8.ToArray(), _stop.Token);
            }

            socket.Shutdown(SocketShutdown.Send);
            while (await socket.ReceiveAsync(head, _stop.Token) > 0)
            {
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _accepting.ConfigureAwait(false);
        _stop.Dispose();
    }
}
