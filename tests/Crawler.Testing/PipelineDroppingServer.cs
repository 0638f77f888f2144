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
        while (true)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(held), Stop.Token);
            if (read == 0)
            {
                return;
            }

            held += read;
            var text = Encoding.Latin1.GetString(buffer, 0, held);
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end < 0)
            {
                continue;
            }

            var target = text.Split(' ')[1];
            Interlocked.Add(ref _dropped, CountRequests(text[(end + 4)..]));
            held = 0; // what came behind the first request is lost
            Interlocked.Increment(ref _answered);
            var body = $"<html><head><title>{target}</title></head><body></body></html>";
            await socket.SendAsync(Encoding.Latin1.GetBytes(
                $"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {body.Length}\r\n\r\n{body}"), Stop.Token);
        }
    }

    private static int CountRequests(string text) =>
        text.Split("\r\n\r\n").Count(part => part.StartsWith("GET ", StringComparison.Ordinal) || part.StartsWith("HEAD ", StringComparison.Ordinal));
}
