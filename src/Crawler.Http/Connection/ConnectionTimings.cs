using System.Diagnostics;

namespace Crawler.Http.Connection;

/// <summary>When the phases of the current socket began and ended (<see cref="Stopwatch"/> timestamps), and the
/// <see cref="RequestTimings"/> of a request answered on it: the first request on a socket waited for it, so
/// resolve, connect and handshake are its phases; later ones only queued. Pure.</summary>
internal sealed class ConnectionTimings
{
    private long _resolveStarted;
    private long _connectStarted;
    private long _connected;
    private long _secured;

    public void Resolving() => _resolveStarted = _connectStarted = Stopwatch.GetTimestamp();

    public void Connecting() => _connectStarted = Stopwatch.GetTimestamp();

    public void Connected() => _connected = _secured = Stopwatch.GetTimestamp();

    public void Secured() => _secured = Stopwatch.GetTimestamp();

    /// <summary>The phases of <paramref name="request"/>, answered now.</summary>
    public RequestTimings Of(PendingRequest request)
    {
        var now = Stopwatch.GetTimestamp();
        var firstByte = request.FirstByte == 0 ? now : request.FirstByte;
        if (request.IndexOnConnection == 1 && _resolveStarted >= request.Accepted)
        {
            return new RequestTimings(request.Accepted, Between(request.Accepted, _resolveStarted), Between(_resolveStarted, _connectStarted),
                Between(_connectStarted, _connected), Between(_connected, _secured), Between(request.Written, firstByte), Between(firstByte, now));
        }

        return new RequestTimings(request.Accepted, Between(request.Accepted, request.Written), TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero,
            Between(request.Written, firstByte), Between(firstByte, now));
    }

    /// <summary>The phases of <paramref name="request"/>, failed now: one written has its phases as if answered; one
    /// never written spent its time queued, then in the socket's resolve and connect until now.</summary>
    public RequestTimings OfFailed(PendingRequest request)
    {
        if (request.Written != 0)
        {
            return Of(request);
        }

        var now = Stopwatch.GetTimestamp();
        if (_resolveStarted < request.Accepted)
        {
            return new RequestTimings(request.Accepted, Between(request.Accepted, now), TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);
        }

        var connectStarted = _connectStarted > _resolveStarted ? _connectStarted : now;
        var connected = _connected > connectStarted ? _connected : now;
        return new RequestTimings(request.Accepted, Between(request.Accepted, _resolveStarted), Between(_resolveStarted, connectStarted),
            Between(connectStarted, connected), Between(connected, now), TimeSpan.Zero, TimeSpan.Zero);
    }

    private static TimeSpan Between(long from, long to) => to > from ? Stopwatch.GetElapsedTime(from, to) : TimeSpan.Zero;
}
