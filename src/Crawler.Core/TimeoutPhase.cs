using Crawler.Http;

namespace Crawler.Core;

/// <summary>Which limit a <see cref="ErrorKind.Timeout"/> broke. Each has a stable kebab-case name
/// (<see cref="TimeoutPhases.Name"/>), printed as the result's <c>phase</c>. The first four are the transport's
/// (<see cref="HttpTimeoutPhase"/>); the crawl adds <c>planet</c> and <c>deadline</c>.</summary>
public enum TimeoutPhase
{
    /// <summary><c>connect</c>: name resolution plus the TCP connect (<c>crawler.http.connect-timeout</c>).</summary>
    Connect,

    /// <summary><c>first-byte</c>: the request was sent and no byte came back (<c>crawler.http.first-byte-timeout</c>).</summary>
    FirstByte,

    /// <summary><c>body</c>: the response started, then stalled between two reads (<c>crawler.http.read-idle-timeout</c>).</summary>
    Body,

    /// <summary><c>request</c>: one whole request took too long (<c>crawler.http.request-timeout</c>).</summary>
    Request,

    /// <summary><c>planet</c>: the whole planet took too long (<c>crawler.planet-timeout</c>).</summary>
    Planet,

    /// <summary><c>deadline</c>: the whole crawl reached its deadline (<c>crawler.deadline</c>).</summary>
    Deadline,
}

/// <summary>Names of <see cref="TimeoutPhase"/> values, and the crawl phase of each transport phase.</summary>
public static class TimeoutPhases
{
    /// <summary>The stable kebab-case name, e.g. <c>first-byte</c>.</summary>
    public static string Name(this TimeoutPhase phase) => phase switch
    {
        TimeoutPhase.Connect => "connect",
        TimeoutPhase.FirstByte => "first-byte",
        TimeoutPhase.Body => "body",
        TimeoutPhase.Request => "request",
        TimeoutPhase.Planet => "planet",
        TimeoutPhase.Deadline => "deadline",
        _ => throw new ArgumentOutOfRangeException(nameof(phase), phase, null),
    };

    /// <summary>The crawl phase of a transport phase (the same name).</summary>
    public static TimeoutPhase? From(HttpTimeoutPhase? phase) => phase switch
    {
        null => null,
        HttpTimeoutPhase.Connect => TimeoutPhase.Connect,
        HttpTimeoutPhase.FirstByte => TimeoutPhase.FirstByte,
        HttpTimeoutPhase.Body => TimeoutPhase.Body,
        HttpTimeoutPhase.Request => TimeoutPhase.Request,
        _ => throw new ArgumentOutOfRangeException(nameof(phase), phase, null),
    };
}
