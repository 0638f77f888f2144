using System.Text;

namespace Crawler.TestKit.Site;

/// <summary>What <see cref="LoopbackHttpServer"/> does with one request: a scripted answer or a fault.</summary>
public abstract record ServerAction
{
    /// <summary>Writes <paramref name="Bytes"/> in one piece; closes the connection afterwards when <paramref name="Close"/>.</summary>
    public sealed record Respond(byte[] Bytes, bool Close = false) : ServerAction;

    /// <summary>Writes <paramref name="Bytes"/> <paramref name="PieceSize"/> bytes at a time, <paramref name="Pause"/> apart.</summary>
    public sealed record Drip(byte[] Bytes, int PieceSize, TimeSpan Pause, bool Close = false) : ServerAction;

    /// <summary>Writes <paramref name="Bytes"/>, then stays silent with the connection open.</summary>
    public sealed record Stall(byte[] Bytes) : ServerAction;

    /// <summary>Writes <paramref name="Bytes"/> (maybe none), then closes the connection normally (FIN).</summary>
    public sealed record CloseAfter(byte[] Bytes) : ServerAction;

    /// <summary>Writes <paramref name="Bytes"/> (maybe none), then resets the connection (RST).</summary>
    public sealed record ResetAfter(byte[] Bytes) : ServerAction;

    /// <summary>Waits <paramref name="Wait"/>, then does <paramref name="Then"/>.</summary>
    public sealed record Delay(TimeSpan Wait, ServerAction Then) : ServerAction;

    /// <summary>Never answers; the connection stays open until the client closes it.</summary>
    public static ServerAction Hang { get; } = new Stall([]);

    /// <summary>A complete response with a Content-Length body.</summary>
    public static Respond Ok(string body, string contentType = "text/html; charset=utf-8", bool close = false) =>
        new(Responses.Build(200, "OK", body, contentType, close), close);

    /// <summary>A complete response with the given status.</summary>
    public static Respond Status(int status, string reason, string body = "", bool close = false) =>
        new(Responses.Build(status, reason, body, "text/html; charset=utf-8", close), close);

    /// <summary>Raw bytes as they are (garbage, malformed heads).</summary>
    public static Respond Raw(string latin1, bool close = true) => new(Encoding.Latin1.GetBytes(latin1), close);
}

/// <summary>Builds response bytes for scripts.</summary>
public static class Responses
{
    /// <summary>A response head plus a Content-Length body.</summary>
    public static byte[] Build(int status, string reason, string body, string contentType = "text/html; charset=utf-8", bool close = false)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var head = $"HTTP/1.1 {status} {reason}\r\nContent-Type: {contentType}\r\nContent-Length: {bytes.Length}\r\n" +
                   (close ? "Connection: close\r\n" : "") + "\r\n";
        return [.. Encoding.ASCII.GetBytes(head), .. bytes];
    }

    /// <summary>A chunked response, with the body cut into pieces of <paramref name="chunkSize"/> bytes.</summary>
    public static byte[] Chunked(string body, int chunkSize = 7)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var text = new StringBuilder("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n");
        var output = new List<byte>(Encoding.ASCII.GetBytes(text.ToString()));
        foreach (var piece in bytes.Chunk(chunkSize))
        {
            output.AddRange(Encoding.ASCII.GetBytes($"{piece.Length:x}\r\n"));
            output.AddRange(piece);
            output.AddRange("\r\n"u8.ToArray());
        }

        output.AddRange("0\r\n\r\n"u8.ToArray());
        return [.. output];
    }

    /// <summary>A small HTML page.</summary>
    public static string Page(string title, string body = "") =>
        $"<!DOCTYPE html><html><head><title>{title}</title></head><body>{body}</body></html>";
}
