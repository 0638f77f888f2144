namespace Crawler.Http.Connection;

/// <summary>
/// A request whose body is handed over as it arrives instead of in one piece (what <c>crawler get</c> uses for
/// downloads of any size): the requester gets <see cref="Started"/> with the status and headers, then
/// <see cref="Part"/>s of the body (de-chunked, content codings left for the requester to remove), then
/// <see cref="Ended"/>, or at any point the usual <see cref="Http.RequestFailed"/>. It acknowledges each part with
/// <see cref="Ack"/>; with <see cref="Window"/> parts unacknowledged the connection stops reading the socket (Akka.IO's
/// <c>SuspendReading</c>), so memory stays flat however slow the requester is. Once the head has arrived the request's
/// own timeout no longer applies (a download takes as long as it takes); the read-idle timeout still does, except
/// while the requester holds reading back.
/// </summary>
internal static class Streaming
{
    /// <summary>Parts sent and not acknowledged at which the connection stops reading; it reads again at half.</summary>
    public const int Window = 8;

    /// <summary>Asks for <paramref name="Send"/> with its body streamed.</summary>
    internal sealed record Get(Http.Send Send);

    /// <summary>The status line and headers (the body of <paramref name="Head"/> is empty).</summary>
    internal sealed record Started(Http.ResponseReceived Head);

    /// <summary>The next bytes of the body.</summary>
    internal sealed record Part(long RequestId, byte[] Bytes);

    /// <summary>The body is complete.</summary>
    internal sealed record Ended(long RequestId, RequestTimings? Timings);

    /// <summary>The requester is done with one <see cref="Part"/>.</summary>
    internal sealed record Ack(long RequestId);
}
