using System.Diagnostics;

namespace Crawler.Http;

/// <summary>
/// Where the time of one request went, for timelines and the JSON output. <see cref="Started"/> is a
/// <see cref="Stopwatch"/> timestamp (comparable within the process); the phases follow one another: waiting for a
/// connection, name resolution, the TCP connect and the TLS handshake (zero on a reused connection), the wait for the
/// first byte after the request was written, then the rest of the response.
/// </summary>
/// <param name="Started">When the request was accepted (a <see cref="Stopwatch.GetTimestamp"/> value).</param>
/// <param name="Queued">Waiting for a connection (or for the requests ahead of it).</param>
/// <param name="Dns">Resolving the host name.</param>
/// <param name="Connect">The TCP connect.</param>
/// <param name="Tls">The TLS handshake.</param>
/// <param name="Wait">From the request written to the first byte of the response.</param>
/// <param name="Body">From the first byte to the last.</param>
public sealed record RequestTimings(long Started, TimeSpan Queued, TimeSpan Dns, TimeSpan Connect, TimeSpan Tls, TimeSpan Wait, TimeSpan Body)
{
    /// <summary>The whole request.</summary>
    public TimeSpan Total => Queued + Dns + Connect + Tls + Wait + Body;
}
