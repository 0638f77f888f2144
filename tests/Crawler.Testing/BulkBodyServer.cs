using System.Net.Sockets;
using System.Text;

namespace Crawler.Testing;

/// <summary>
/// An HTTP/1.1 server on 127.0.0.1 that answers every request with a body of a given size, made of one repeated
/// 64 KB block (never held whole, so a test can send gigabytes): byte i of the body is <c>(byte)(i % 251)</c>. With a
/// content length, or chunked; one response a connection, then it closes.
/// </summary>
public sealed class BulkBodyServer(long size, bool chunked = false) : LoopbackListener
{
    private readonly long _size = size;
    private readonly bool _chunked = chunked;
    private long _sent;

    /// <summary>Body bytes written to sockets so far.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Byte <paramref name="index"/> of the body.</summary>
    public static byte At(long index) => (byte)(index % 251);

    protected override async Task ServeAsync(Socket socket)
    {
        var head = new byte[8192];
        var held = 0;
        while (Encoding.Latin1.GetString(head, 0, held).IndexOf("\r\n\r\n", StringComparison.Ordinal) < 0)
        {
            var read = await socket.ReceiveAsync(head.AsMemory(held), Stop.Token);
            if (read == 0 || (held += read) == head.Length)
            {
                return;
            }
        }

        var framing = _chunked ? "Transfer-Encoding: chunked" : $"Content-Length: {_size}";
        await socket.SendAsync(Encoding.Latin1.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n{framing}\r\nConnection: close\r\n\r\n"), Stop.Token);
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
                await socket.SendAsync(Encoding.Latin1.GetBytes($"{length:x}\r\n"), Stop.Token);
            }

            await socket.SendAsync(block.AsMemory(0, length), Stop.Token);
            if (_chunked)
            {
                await socket.SendAsync("\r\n"u8.ToArray(), Stop.Token);
            }

            Interlocked.Add(ref _sent, length);
        }

        if (_chunked)
        {
            await socket.SendAsync("0\r\n\r\n"u8.ToArray(), Stop.Token);
        }

        socket.Shutdown(SocketShutdown.Send);
        while (await socket.ReceiveAsync(head, Stop.Token) > 0)
        {
        }
    }
}
