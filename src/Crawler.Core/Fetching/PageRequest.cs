using Crawler.Core.Hosts;
using Crawler.Http;

namespace Crawler.Core.Fetching;

#pragma warning disable IDE0065 // Inside namespace Crawler.*, the name Http means the namespace Crawler.Http;
using Http = Crawler.Http.Http; // an alias in the namespace lets call sites read Http.ResponseReceived, as Tcp.Connected.
#pragma warning restore IDE0065

/// <summary>What a <see cref="PageRequest"/> asks its driver to do next.</summary>
internal abstract record RequestStep
{
    private RequestStep()
    {
    }

    /// <summary>Send this fetch (a redirect's next hop, or a retry) to the hosts.</summary>
    /// <param name="Fetch">The fetch.</param>
    public sealed record Send(Host.Fetch Fetch) : RequestStep;

    /// <summary>The URL's final response (2xx, or any status when the request takes every answer).</summary>
    /// <param name="Response">The response.</param>
    public sealed record Done(Http.ResponseReceived Response) : RequestStep;

    /// <summary>The request failed for good.</summary>
    /// <param name="Failure">Why.</param>
    public sealed record Failed(Failure Failure) : RequestStep;

    /// <summary>A redirect to another host, which a request that hands off (<see cref="PageRequest.HandOff"/>) leaves to
    /// that host's owner: the request ends here.</summary>
    /// <param name="Next">The redirect's target.</param>
    /// <param name="Chain">The URLs of the chain so far, the first one first (the target not among them).</param>
    public sealed record Moved(Uri Next, IReadOnlyList<Uri> Chain) : RequestStep;
}

/// <summary>
/// The unit that turns one URL into one response or one failure, as a pure state machine its driver (an actor) feeds
/// with replies: it follows redirects (at most <c>max-redirects</c>, refusing loops and URLs it cannot fetch), retries
/// transient failures (<see cref="RetryPolicy"/>) with backoff and within Retry-After, and gives up when the host's
/// retry budget denies a retry. The planet job drives two of them (the planet, then its article), the titles job one,
/// and a host owner one for each robots.txt (which takes any status, and is not retried).
/// </summary>
internal sealed class PageRequest
{
    private readonly List<Uri> _chain = [];
    private readonly string _crawlId;
    private readonly CrawlProfile _profile;
    private readonly Func<long> _nextId;
    private readonly Func<TimeSpan> _sinceStart;
    private readonly Func<double> _jitter;
    private readonly int _maxRetries;
    private readonly bool _anyStatus;
    private readonly bool _robots;
    private readonly List<Crawl.RequestTiming>? _timings;
    private FetchPriority _priority;
    private Failure? _lastFailure;

    /// <summary>The early answer each fetch asks of its page (null: none).</summary>
    public EarlyAnswer? Early { get; init; }

    /// <summary>A redirect to another host ends the request with <see cref="RequestStep.Moved"/> instead of being
    /// followed (a cluster crawl hands the next hop to the target host's desk).</summary>
    public bool HandOff { get; init; }

    /// <summary>The URLs of the redirect chain before this request's own (hops followed elsewhere, on other hosts):
    /// loops and max-redirects count them too.</summary>
    public IReadOnlyList<Uri> Earlier
    {
        init => _chain.InsertRange(0, value ?? []);
    }

    /// <summary>A request for <paramref name="url"/> of crawl <paramref name="crawlId"/>.</summary>
    /// <param name="crawlId">The crawl.</param>
    /// <param name="profile">The crawl's settings for hosts (retries, redirects come from it).</param>
    /// <param name="url">The URL.</param>
    /// <param name="priority">The first attempt's priority (later hops and retries are follow-ups).</param>
    /// <param name="nextId">Request ids, unique for the driver.</param>
    /// <param name="sinceStart">Time since the driver's job began (the refused window counts from it).</param>
    /// <param name="timings">Where each answered request's phases are added (null: nowhere).</param>
    /// <param name="anyStatus">Take every final status as the answer (robots.txt), never retry.</param>
    /// <param name="jitter">Backoff jitter in [0, 1) (default: random).</param>
    public PageRequest(string crawlId, CrawlProfile profile, Uri url, FetchPriority priority, Func<long> nextId, Func<TimeSpan> sinceStart,
        List<Crawl.RequestTiming>? timings, bool anyStatus = false, Func<double>? jitter = null)
    {
        ArgumentNullException.ThrowIfNull(profile);
        _crawlId = crawlId;
        _profile = profile;
        _chain.Add(url);
        _priority = priority;
        _nextId = nextId;
        _sinceStart = sinceStart;
        _timings = timings;
        _anyStatus = anyStatus;
        _robots = !anyStatus;
        _maxRetries = anyStatus ? 0 : profile.Retry.MaxRetries;
        _jitter = jitter ?? Random.Shared.NextDouble;
    }

    /// <summary>The crawl the request belongs to.</summary>
    public string CrawlId => _crawlId;

    /// <summary>The URL being requested (the last of the redirect chain).</summary>
    public Uri Url => _chain[^1];

    /// <summary>The id of the fetch in flight: replies with another id are late and ignored.</summary>
    public long RequestId { get; private set; }

    /// <summary>The attempt in flight of the current URL (1 = the first).</summary>
    public int Attempt { get; private set; }

    /// <summary>The most attempts one URL of the chain needed.</summary>
    public int MaxAttempts { get; private set; }

    /// <summary>The first fetch.</summary>
    public Host.Fetch Start() => Next(Url, 1, TimeSpan.Zero);

    /// <summary>A response arrived.</summary>
    public RequestStep OnFetched(Http.ResponseReceived response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.Timings is { } timings)
        {
            _timings?.Add(new Crawl.RequestTiming(response.Url.ToString(), timings) { Status = response.StatusCode });
        }

        if (RedirectPolicy.IsRedirect(response.StatusCode) && response.Header("Location") is { } location)
        {
            if (!RedirectPolicy.TryFollow(_chain, location, response.StatusCode, _profile.Http.MaxRedirects, out var next, out var refused))
            {
                return new RequestStep.Failed(refused!);
            }

            if (HandOff && !HostKey.Of(next!).Equals(HostKey.Of(Url), StringComparison.Ordinal))
            {
                return new RequestStep.Moved(next!, [.. _chain]);
            }

            _chain.Add(next!);
            _priority = FetchPriority.FollowUp;
            return new RequestStep.Send(Next(next!, 1, TimeSpan.Zero));
        }

        if (_anyStatus || response.StatusCode is >= 200 and < 300)
        {
            return new RequestStep.Done(response);
        }

        var reason = string.IsNullOrEmpty(response.ReasonPhrase) ? string.Empty : " " + response.ReasonPhrase;
        var failure = new Failure(ErrorKind.HttpStatus, $"{response.StatusCode}{reason} from {response.Url}", response.Url.ToString(),
            response.StatusCode);
        return RetryOrFail(failure, RetryPolicy.ParseRetryAfter(response.Header("Retry-After"), DateTimeOffset.UtcNow));
    }

    /// <summary>No response came (or robots.txt disallows the URL).</summary>
    public RequestStep OnFailed(Failure failure) => RetryOrFail(failure, null);

    /// <summary>The host's retry budget refused the retry.</summary>
    public RequestStep OnDenied(string reason) =>
        new RequestStep.Failed(_lastFailure!.Explained($" (not retried: {reason})"));

    private RequestStep RetryOrFail(Failure failure, TimeSpan? retryAfter)
    {
        var retry = _profile.Retry;
        if (_anyStatus || !RetryPolicy.IsTransient(failure, _sinceStart(), retry))
        {
            return new RequestStep.Failed(failure);
        }

        if (Attempt > _maxRetries)
        {
            return new RequestStep.Failed(failure.Explained($" (after {Attempt} attempts)"));
        }

        if (retryAfter > retry.MaxRetryAfter)
        {
            return new RequestStep.Failed(failure.Explained(
                $" (it asked to retry after {retryAfter.Value.TotalSeconds:0} s, more than crawler.retry.max-retry-after)"));
        }

        _lastFailure = failure;
        var backoff = RetryPolicy.Backoff(Attempt, retry, _jitter());
        _priority = FetchPriority.FollowUp;
        return new RequestStep.Send(Next(Url, Attempt + 1, retryAfter is { } after && after > backoff ? after : backoff));
    }

    private Host.Fetch Next(Uri url, int attempt, TimeSpan delay)
    {
        Attempt = attempt;
        MaxAttempts = Math.Max(MaxAttempts, attempt);
        RequestId = _nextId();
        return new Host.Fetch(_crawlId, RequestId, url, _priority, attempt, delay, _profile, _robots) { Early = Early };
    }
}
