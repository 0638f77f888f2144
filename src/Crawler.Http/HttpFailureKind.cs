namespace Crawler.Http;

/// <summary>
/// Every way a request can fail in the transport: no complete response arrived. Each kind has a stable kebab-case
/// name (<see cref="HttpFailureKinds.Name"/>); the crawl layer maps them to its own kinds of the same names. A
/// response with a status other than 2xx is not a failure here: it is a response.
/// </summary>
public enum HttpFailureKind
{
    /// <summary><c>dns</c>: the host name could not be resolved.</summary>
    Dns,

    /// <summary><c>refused</c>: nothing listens on the host's port (the connection was refused).</summary>
    Refused,

    /// <summary><c>unreachable</c>: no network, or no route to the host.</summary>
    Unreachable,

    /// <summary><c>timeout</c>: a phase of the request took longer than its limit (see <see cref="HttpTimeoutPhase"/>).</summary>
    Timeout,

    /// <summary><c>reset</c>: the server reset or closed the connection under the request.</summary>
    Reset,

    /// <summary><c>protocol</c>: the response is malformed or was cut off.</summary>
    Protocol,

    /// <summary><c>too-large</c>: the response breaks a configured size limit.</summary>
    TooLarge,

    /// <summary><c>tls</c>: the TLS handshake failed (an invalid or untrusted certificate, no common protocol).</summary>
    Tls,

    /// <summary><c>bad-url</c>: the URL is not one the client can request (not absolute, another origin).</summary>
    BadUrl,

    /// <summary><c>unsupported-scheme</c>: the URL's scheme is not http or https.</summary>
    UnsupportedScheme,

    /// <summary><c>cancelled</c>: the connection was stopped before the request finished.</summary>
    Cancelled,

    /// <summary><c>crash</c>: the connection actor failed with an exception.</summary>
    Crash,

    /// <summary><c>proxy</c>: the forward proxy could not be reached, refused the request or the tunnel, or asked for
    /// credentials (407); the message holds its answer.</summary>
    Proxy,
}

/// <summary>Names of <see cref="HttpFailureKind"/> values.</summary>
public static class HttpFailureKinds
{
    /// <summary>The stable kebab-case name, e.g. <c>too-large</c>.</summary>
    public static string Name(this HttpFailureKind kind) => kind switch
    {
        HttpFailureKind.Dns => "dns",
        HttpFailureKind.Refused => "refused",
        HttpFailureKind.Unreachable => "unreachable",
        HttpFailureKind.Timeout => "timeout",
        HttpFailureKind.Reset => "reset",
        HttpFailureKind.Protocol => "protocol",
        HttpFailureKind.TooLarge => "too-large",
        HttpFailureKind.Tls => "tls",
        HttpFailureKind.BadUrl => "bad-url",
        HttpFailureKind.UnsupportedScheme => "unsupported-scheme",
        HttpFailureKind.Cancelled => "cancelled",
        HttpFailureKind.Crash => "crash",
        HttpFailureKind.Proxy => "proxy",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
