using Crawler.Http;

namespace Crawler.Core;

/// <summary>
/// Every way a planet can fail. Each kind has a stable kebab-case name (<see cref="ErrorKinds.Name"/>) that the JSON
/// output, the text output and the summary print; tools depend on those names. The transport's kinds
/// (<see cref="HttpFailureKind"/>) map to the kinds of the same names; the crawl adds <c>http-status</c>,
/// <c>redirects</c>, <c>no-article</c>, <c>no-title</c> and <c>robots</c>.
/// </summary>
public enum ErrorKind
{
    /// <summary><c>dns</c>: the host name could not be resolved.</summary>
    Dns,

    /// <summary><c>refused</c>: nothing listens on the host's port (the connection was refused).</summary>
    Refused,

    /// <summary><c>unreachable</c>: no network, or no route to the host.</summary>
    Unreachable,

    /// <summary><c>timeout</c>: a phase (connect, response, whole planet) took longer than its limit.</summary>
    Timeout,

    /// <summary><c>reset</c>: the server reset the connection.</summary>
    Reset,

    /// <summary><c>protocol</c>: the response is malformed or was cut off.</summary>
    Protocol,

    /// <summary><c>too-large</c>: the response breaks a configured size limit.</summary>
    TooLarge,

    /// <summary><c>http-status</c>: the server answered with a status other than 2xx.</summary>
    HttpStatus,

    /// <summary><c>redirects</c>: a redirect loop, or more redirects than allowed.</summary>
    Redirects,

    /// <summary><c>no-article</c>: the planet page has no article link.</summary>
    NoArticle,

    /// <summary><c>no-title</c>: the article page has no title.</summary>
    NoTitle,

    /// <summary><c>bad-url</c>: a URL (given or found in a page) is malformed.</summary>
    BadUrl,

    /// <summary><c>unsupported-scheme</c>: a URL's scheme is not one the crawler speaks.</summary>
    UnsupportedScheme,

    /// <summary><c>crash</c>: an actor fetching the planet failed with an exception.</summary>
    Crash,

    /// <summary><c>cancelled</c>: the crawl was stopped before the planet finished.</summary>
    Cancelled,

    /// <summary><c>robots</c>: the site's robots.txt disallows the URL for this crawler.</summary>
    Robots,

    /// <summary><c>tls</c>: the TLS handshake failed (an invalid or untrusted certificate, no common protocol).</summary>
    Tls,

    /// <summary><c>proxy</c>: the forward proxy could not be reached, refused the request or the tunnel, or asked for
    /// credentials; never blamed on the origin.</summary>
    Proxy,
}

/// <summary>Names of <see cref="ErrorKind"/> values, and the crawl kind of each transport kind.</summary>
public static class ErrorKinds
{
    /// <summary>The stable kebab-case name, e.g. <c>too-large</c>.</summary>
    public static string Name(this ErrorKind kind) => kind switch
    {
        ErrorKind.Dns => "dns",
        ErrorKind.Refused => "refused",
        ErrorKind.Unreachable => "unreachable",
        ErrorKind.Timeout => "timeout",
        ErrorKind.Reset => "reset",
        ErrorKind.Protocol => "protocol",
        ErrorKind.TooLarge => "too-large",
        ErrorKind.HttpStatus => "http-status",
        ErrorKind.Redirects => "redirects",
        ErrorKind.NoArticle => "no-article",
        ErrorKind.NoTitle => "no-title",
        ErrorKind.BadUrl => "bad-url",
        ErrorKind.UnsupportedScheme => "unsupported-scheme",
        ErrorKind.Crash => "crash",
        ErrorKind.Cancelled => "cancelled",
        ErrorKind.Robots => "robots",
        ErrorKind.Tls => "tls",
        ErrorKind.Proxy => "proxy",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>The crawl kind of a transport kind (the same name).</summary>
    public static ErrorKind From(HttpFailureKind kind) => kind switch
    {
        HttpFailureKind.Dns => ErrorKind.Dns,
        HttpFailureKind.Refused => ErrorKind.Refused,
        HttpFailureKind.Unreachable => ErrorKind.Unreachable,
        HttpFailureKind.Timeout => ErrorKind.Timeout,
        HttpFailureKind.Reset => ErrorKind.Reset,
        HttpFailureKind.Protocol => ErrorKind.Protocol,
        HttpFailureKind.TooLarge => ErrorKind.TooLarge,
        HttpFailureKind.Tls => ErrorKind.Tls,
        HttpFailureKind.BadUrl => ErrorKind.BadUrl,
        HttpFailureKind.UnsupportedScheme => ErrorKind.UnsupportedScheme,
        HttpFailureKind.Cancelled => ErrorKind.Cancelled,
        HttpFailureKind.Crash => ErrorKind.Crash,
        HttpFailureKind.Proxy => ErrorKind.Proxy,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
