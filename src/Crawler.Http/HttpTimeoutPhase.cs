namespace Crawler.Http;

/// <summary>Which limit of one request a <see cref="HttpFailureKind.Timeout"/> broke. Each has a stable kebab-case
/// name (<see cref="HttpTimeoutPhases.Name"/>).</summary>
public enum HttpTimeoutPhase
{
    /// <summary><c>connect</c>: name resolution, the TCP connect and the TLS handshake (<c>crawler.http.connect-timeout</c>).</summary>
    Connect,

    /// <summary><c>first-byte</c>: the request was sent and no byte came back (<c>crawler.http.first-byte-timeout</c>).</summary>
    FirstByte,

    /// <summary><c>body</c>: the response started, then stalled between two reads (<c>crawler.http.read-idle-timeout</c>).</summary>
    Body,

    /// <summary><c>request</c>: one whole request took too long (<c>crawler.http.request-timeout</c>).</summary>
    Request,
}

/// <summary>Names of <see cref="HttpTimeoutPhase"/> values.</summary>
public static class HttpTimeoutPhases
{
    /// <summary>The stable kebab-case name, e.g. <c>first-byte</c>.</summary>
    public static string Name(this HttpTimeoutPhase phase) => phase switch
    {
        HttpTimeoutPhase.Connect => "connect",
        HttpTimeoutPhase.FirstByte => "first-byte",
        HttpTimeoutPhase.Body => "body",
        HttpTimeoutPhase.Request => "request",
        _ => throw new ArgumentOutOfRangeException(nameof(phase), phase, null),
    };
}
