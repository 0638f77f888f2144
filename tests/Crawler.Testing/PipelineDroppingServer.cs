using System.Net.Sockets;
using System.Text;

namespace Crawler.Testing;

/// <summary>
/// A keep-alive HTTP/1.1 server on 127.0.0.1 that does not pipeline, as gunicorn's threaded worker: it reads what
/// has arrived, answers the first request in it, and drops the rest of those bytes (the requests pipelined behind the
/// first are never answered), then waits for the next request on the same connection. It counts the requests it
/// answered and those it dropped.
/// </summary>
public sealed class PipelineDroppingServer : LoopbackListener
{
    private int _answered;
    private int _dropped;
    private int _connections;

    public int Answered => Volatile.Read(ref _answered);

    public int Dropped => Volatile.Read(ref _dropped);

    public int Connections => Volatile.Read(ref _connections);

    protected override void OnAccepted() => Interlocked.Increment(ref _connections);

    protected override async Task ServeAsync(Socket socket)
    {
        var buffer = new byte[64 * 1024];
        var held = 0;
        var inDropped = false; // the last read ended inside a request it dropped: its tail comes next
        while (true)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(held), Stop.Token);
            if (read == 0)
            {
                return;
            }

            held += read;
            var text = Encoding.Latin1.GetString(buffer, 0, held);
            if (inDropped)
            {
                // The tail of a dropped request is dropped with it, never taken for a request of its own (the batch
                // can reach the server in several reads).
                var tail = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                if (tail < 0)
                {
                    held = 0;
                    continue;
                }

                inDropped = false;
                text = text[(tail + 4)..];
                Interlocked.Add(ref _dropped, CountRequests(text, out inDropped));
                held = 0;
                continue;
            }

            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end < 0)
            {
                continue;
            }

            var target = text.Split(' ')[1];
            Interlocked.Add(ref _dropped, CountRequests(text[(end + 4)..], out inDropped));
            held = 0; // what came behind the first request is lost
            Interlocked.Increment(ref _answered);
            var body = $"<html><head><title>{target}</title></head><body></body></html>";
            await socket.SendAsync(Encoding.Latin1.GetBytes(
                $"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {body.Length}\r\n\r\n{body}"), Stop.Token);
        }
    }

    /// <summary>The requests begun in <paramref name="text"/> (dropped); <paramref name="cut"/>: the last one is not complete.</summary>
    private static int CountRequests(string text, out bool cut)
    {
        var parts = text.Split("\r\n\r\n");
        cut = parts[^1].Length > 0; // bytes after the last blank line: a request whose end is still to come
        return parts.Count(part => part.StartsWith("GET ", StringComparison.Ordinal) || part.StartsWith("HEAD ", StringComparison.Ordinal));
    }
}
