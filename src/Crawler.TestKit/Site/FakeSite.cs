using System.Net;

namespace Crawler.TestKit.Site;

/// <summary>What a <see cref="FakeSite"/> does instead of answering a request.</summary>
public enum SiteFault
{
    /// <summary>Accepts the request and never answers; the connection stays open (a first-byte timeout).</summary>
    Hang,

    /// <summary>Resets the connection (RST) without answering.</summary>
    Reset,

    /// <summary>Closes the connection (FIN) without answering.</summary>
    Close,

    /// <summary>Answers with bytes that are not HTTP, then closes.</summary>
    Garbage,

    /// <summary>Sends a response head that promises a body, half of the body, then closes.</summary>
    Truncated,
}

/// <summary>
/// A scripted web site on 127.0.0.1 for the tests of an application that embeds the crawler: planet pages that
/// link to articles, articles with titles, any page, statuses, redirects, delays, slow bodies, faults (a fault may be
/// limited to the first n requests, for retries) and robots.txt (404 unless given). Paths not scripted are 404.
/// Every request is recorded. Disposing it closes every open connection, so requests still waiting end at once
/// (the crawler sees the connection closed, then refused), whatever the order in which a test disposes the site and
/// its ActorSystem.
/// </summary>
/// <example>
/// <code>
/// await using var site = FakeSite.Start(site => site
///     .Planet("/planet", "/post")
///     .Article("/post", "Hello")
///     .Fault("/down", SiteFault.Reset));
/// var report = await system.Crawler().CrawlAsync([site.Url("/planet").ToString()]);
/// </code>
/// </example>
public sealed class FakeSite : IAsyncDisposable
{
    private readonly LoopbackHttpServer _server;

    private FakeSite(FakeSiteBuilder script)
    {
        var routes = script.Routes();
        var robots = script.RobotsText;
        _server = LoopbackHttpServer.Start(request => Answer(routes, robots, request), scriptRobots: true);
    }

    /// <summary>The port the site listens on (127.0.0.1).</summary>
    public int Port => _server.Port;

    /// <summary>Every request received so far, in arrival order (robots.txt included).</summary>
    public IReadOnlyList<RecordedRequest> Requests => _server.Requests;

    /// <summary>How many connections were accepted so far.</summary>
    public int ConnectionCount => _server.ConnectionCount;

    /// <summary>How many connections are open now.</summary>
    public int OpenConnections => _server.OpenConnections;

    /// <summary>Starts a site scripted by <paramref name="script"/> (nothing scripted: every path is 404).</summary>
    public static FakeSite Start(Action<FakeSiteBuilder>? script = null)
    {
        var builder = new FakeSiteBuilder();
        script?.Invoke(builder);
        return new FakeSite(builder);
    }

    /// <summary>The absolute URL of <paramref name="pathAndQuery"/> on this site.</summary>
    public Uri Url(string pathAndQuery) => _server.Url(pathAndQuery);

    /// <summary>How many requests asked for <paramref name="pathAndQuery"/> so far.</summary>
    public int RequestCount(string pathAndQuery) => Requests.Count(r => r.Target == pathAndQuery);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private static ServerAction Answer(Dictionary<string, Route> routes, string? robots, RecordedRequest request)
    {
        if (routes.TryGetValue(request.Target, out var route) || routes.TryGetValue(PathOf(request.Target), out route))
        {
            return route.Next();
        }

        return request.Target == "/robots.txt" && robots is not null
            ? ServerAction.Ok(robots, "text/plain; charset=utf-8")
            : ServerAction.Status(404, "Not Found", Responses.Page("Not Found"));
    }

    private static string PathOf(string target)
    {
        var query = target.IndexOf('?', StringComparison.Ordinal);
        return query < 0 ? target : target[..query];
    }

    /// <summary>The answers of one path: faults first (each for a number of requests, or for ever), then the page.</summary>
    internal sealed class Route
    {
        private readonly Queue<(ServerAction Action, int Times)> _faults;
        private readonly ServerAction _page;
        private readonly object _gate = new();
        private int _usedOfFirst;

        public Route(IEnumerable<(ServerAction Action, int Times)> faults, ServerAction page)
        {
            _faults = new Queue<(ServerAction, int)>(faults);
            _page = page;
        }

        public ServerAction Next()
        {
            lock (_gate)
            {
                while (_faults.TryPeek(out var fault))
                {
                    if (fault.Times <= 0)
                    {
                        return fault.Action; // for ever
                    }

                    if (_usedOfFirst < fault.Times)
                    {
                        _usedOfFirst++;
                        return fault.Action;
                    }

                    _faults.TryDequeue(out _);
                    _usedOfFirst = 0;
                }

                return _page;
            }
        }
    }
}

/// <summary>The script of a <see cref="FakeSite"/>: what each path answers. A path scripted twice keeps the last page;
/// faults of a path come before its page, in the order given.</summary>
public sealed class FakeSiteBuilder
{
    private readonly Dictionary<string, ServerAction> _pages = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<(ServerAction Action, int Times)>> _faults = new(StringComparer.Ordinal);

    internal FakeSiteBuilder()
    {
    }

    internal string? RobotsText { get; private set; }

    /// <summary>A planet (aggregator) page at <paramref name="path"/> whose first article link (<c>h3 &gt; a</c>) is
    /// <paramref name="articleHref"/> (relative or absolute), followed by <paramref name="moreArticles"/>.</summary>
    public FakeSiteBuilder Planet(string path, string articleHref, params string[] moreArticles)
    {
        ArgumentNullException.ThrowIfNull(moreArticles);
        var links = string.Concat(new[] { articleHref }.Concat(moreArticles)
            .Select((href, i) => $"<h3><a href=\"{WebUtility.HtmlEncode(href)}\">Post {i + 1}</a></h3>"));
        return Page(path, Responses.Page("Planet", links));
    }

    /// <summary>An article at <paramref name="path"/> whose <c>&lt;title&gt;</c> is <paramref name="title"/>.</summary>
    public FakeSiteBuilder Article(string path, string title, TimeSpan? delay = null) =>
        Page(path, Responses.Page(WebUtility.HtmlEncode(title), $"<h1>{WebUtility.HtmlEncode(title)}</h1>"), delay: delay);

    /// <summary>Any page: <paramref name="body"/> with <paramref name="status"/>, sent after <paramref name="delay"/>;
    /// with <paramref name="dripOver"/>, the response goes out in 16 pieces spread over that time (a slow body).</summary>
    public FakeSiteBuilder Page(string path, string body, int status = 200, string contentType = "text/html; charset=utf-8",
        TimeSpan? delay = null, TimeSpan? dripOver = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var bytes = Responses.Build(status, ReasonOf(status), body, contentType);
        ServerAction action = dripOver is { } over
            ? new ServerAction.Drip(bytes, Math.Max(1, (bytes.Length + 15) / 16), over / 16)
            : new ServerAction.Respond(bytes);
        _pages[path] = delay is { } wait && wait > TimeSpan.Zero ? new ServerAction.Delay(wait, action) : action;
        return this;
    }

    /// <summary>An empty answer with <paramref name="status"/> (404, 500, 503, ...).</summary>
    public FakeSiteBuilder Status(string path, int status, TimeSpan? delay = null) =>
        Page(path, Responses.Page(ReasonOf(status)), status, delay: delay);

    /// <summary>A redirect (<paramref name="status"/>, 301 by default) from <paramref name="path"/> to <paramref name="location"/>.</summary>
    public FakeSiteBuilder Redirect(string path, string location, int status = 301)
    {
        ArgumentNullException.ThrowIfNull(path);
        var head = $"HTTP/1.1 {status} {ReasonOf(status)}\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n";
        _pages[path] = ServerAction.Raw(head, close: false);
        return this;
    }

    /// <summary><paramref name="fault"/> instead of an answer at <paramref name="path"/>, after <paramref name="delay"/>:
    /// for the first <paramref name="times"/> requests, then the path's page (or 404); for every request when
    /// <paramref name="times"/> is 0.</summary>
    public FakeSiteBuilder Fault(string path, SiteFault fault, int times = 0, TimeSpan? delay = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentOutOfRangeException.ThrowIfNegative(times);
        ServerAction action = fault switch
        {
            SiteFault.Hang => ServerAction.Hang,
            SiteFault.Reset => new ServerAction.ResetAfter([]),
            SiteFault.Close => new ServerAction.CloseAfter([]),
            SiteFault.Garbage => ServerAction.Raw("\u0001\u0002 this is not HTTP\r\n\r\n"),
            SiteFault.Truncated => ServerAction.Raw("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 1000\r\n\r\n<html><head><title>Cut"),
            _ => throw new ArgumentOutOfRangeException(nameof(fault), fault, null),
        };
        if (delay is { } wait && wait > TimeSpan.Zero)
        {
            action = new ServerAction.Delay(wait, action);
        }

        if (!_faults.TryGetValue(path, out var faults))
        {
            _faults[path] = faults = [];
        }

        faults.Add((action, times));
        return this;
    }

    /// <summary>robots.txt with <paramref name="text"/> (without it, /robots.txt is 404: no rules).</summary>
    public FakeSiteBuilder Robots(string text)
    {
        RobotsText = text;
        return this;
    }

    internal Dictionary<string, FakeSite.Route> Routes()
    {
        var paths = _pages.Keys.Union(_faults.Keys);
        return paths.ToDictionary(path => path, path => new FakeSite.Route(
            _faults.TryGetValue(path, out var faults) ? faults : [],
            _pages.TryGetValue(path, out var page) ? page : ServerAction.Status(404, "Not Found", Responses.Page("Not Found"))), StringComparer.Ordinal);
    }

    private static string ReasonOf(int status) => status switch
    {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        410 => "Gone",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    };
}
