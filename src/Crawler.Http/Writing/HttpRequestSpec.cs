using System.Net.Http;

namespace Crawler.Http.Writing;

/// <summary>What <see cref="HttpRequestWriter"/> puts on the wire: a request line and the headers a crawler sends.</summary>
/// <param name="Method">The request method (GET or HEAD for a crawler).</param>
/// <param name="Target">The absolute URL; its path and query become the request target, its authority the
/// <c>Host</c> header (RFC 9112 §3.2, §7.2).</param>
/// <param name="UserAgent">The <c>User-Agent</c> value; omitted when empty.</param>
/// <param name="Accept">The <c>Accept</c> value; omitted when empty.</param>
/// <param name="KeepAlive">Sends <c>Connection: keep-alive</c> when true, <c>Connection: close</c> when false.</param>
/// <param name="AcceptEncoding">The <c>Accept-Encoding</c> value; omitted when empty.</param>
/// <param name="AbsoluteForm">Writes the request target in absolute form (<c>GET http://host/path</c>), as a forward
/// proxy wants it (RFC 9112 §3.2.2).</param>
/// <param name="ProxyAuthorization">The <c>Proxy-Authorization</c> value; omitted when empty.</param>
public readonly record struct HttpRequestSpec(HttpMethod Method, Uri Target, string UserAgent, string Accept, bool KeepAlive,
    string AcceptEncoding = "", bool AbsoluteForm = false, string ProxyAuthorization = "");
