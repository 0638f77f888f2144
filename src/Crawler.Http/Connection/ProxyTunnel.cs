using System.Globalization;
using System.Text;

namespace Crawler.Http.Connection;

/// <summary>
/// The <c>CONNECT</c> exchange that opens a tunnel through a forward proxy to an https origin (RFC 9110 §9.3.6): the
/// request, then the proxy's answer read up to the end of its head. A 2xx opens the tunnel (what follows is the
/// origin's TLS); anything else is the proxy's refusal, a <c>proxy</c> failure holding its status line. Pure: bytes in,
/// decisions out.
/// </summary>
internal sealed class ProxyTunnel(string host, int port, string proxy)
{
    /// <summary>The most the proxy's answer head may take.</summary>
    public const int MaxHeadBytes = 16 * 1024;

    private readonly List<byte> _head = [];

    /// <summary>What the answer read so far decides.</summary>
    public enum Outcome
    {
        NeedMore,
        Open,
        Refused,
    }

    /// <summary>Why the tunnel was refused (after <see cref="Outcome.Refused"/>).</summary>
    public HttpFailure? Failure { get; private set; }

    private string Authority => host.Contains(':', StringComparison.Ordinal) ? $"[{host}]:{port}" : $"{host}:{port}";

    /// <summary>The request, with <c>Proxy-Authorization</c> when <paramref name="authorization"/> is not empty.</summary>
    public byte[] Request(string authorization)
    {
        var request = new StringBuilder($"CONNECT {Authority} HTTP/1.1\r\nHost: {Authority}\r\n");
        if (authorization.Length > 0)
        {
            request.Append("Proxy-Authorization: ").Append(authorization).Append("\r\n");
        }

        return Encoding.Latin1.GetBytes(request.Append("\r\n").ToString());
    }

    /// <summary>Bytes of the proxy's answer.</summary>
    public Outcome Read(byte[] data)
    {
        _head.AddRange(data);
        var text = Encoding.Latin1.GetString([.. _head]);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
        {
            end = text.IndexOf("\n\n", StringComparison.Ordinal);
        }

        if (end < 0)
        {
            if (_head.Count <= MaxHeadBytes)
            {
                return Outcome.NeedMore;
            }

            Failure = new HttpFailure(HttpFailureKind.Proxy, $"the proxy {proxy} sent an answer to CONNECT {Authority} longer than {MaxHeadBytes} bytes");
            return Outcome.Refused;
        }

        var statusLine = text[..text.IndexOf('\n', StringComparison.Ordinal)].TrimEnd('\r');
        var parts = statusLine.Split(' ', 3);
        if (parts.Length < 2 || !parts[0].StartsWith("HTTP/1.", StringComparison.Ordinal)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var status))
        {
            Failure = new HttpFailure(HttpFailureKind.Proxy, $"the proxy {proxy} answered CONNECT {Authority} with '{Output(statusLine)}', not an HTTP status line");
            return Outcome.Refused;
        }

        if (status is >= 200 and < 300)
        {
            return Outcome.Open;
        }

        var detail = text[..end].Split('\n').Select(l => l.TrimEnd('\r'))
            .FirstOrDefault(l => l.StartsWith("X-Squid-Error:", StringComparison.OrdinalIgnoreCase) || l.StartsWith("Proxy-Status:", StringComparison.OrdinalIgnoreCase));
        Failure = new HttpFailure(HttpFailureKind.Proxy,
            $"the proxy {proxy} answered '{Output(statusLine)}' to CONNECT {Authority}{(detail is null ? string.Empty : $" ({Output(detail)})")}");
        return Outcome.Refused;
    }

    /// <summary>The proxy closed the socket before it answered.</summary>
    public HttpFailure Closed() =>
        new(HttpFailureKind.Proxy, $"the proxy {proxy} closed the connection before it answered CONNECT {Authority}");

    /// <summary>The proxy did not answer within the connect timeout.</summary>
    public HttpFailure TimedOut(TimeSpan limit) =>
        new(HttpFailureKind.Proxy, $"the proxy {proxy} did not answer CONNECT {Authority} within {limit.TotalSeconds:0.###} s (connect phase)");

    private static string Output(string text) => new([.. text.Take(200).Select(c => char.IsControl(c) ? '?' : c)]);
}
