using Crawler.Core.Configuration;

namespace Crawler.Core.Politeness;

/// <summary>
/// When the next request to one host may go out, and whether a retry may: the politeness of a host as a pure ledger,
/// owned by its <see cref="Hosts.HostOwner"/>, against a clock the owner gives it (monotonic; tests drive it by hand).
/// Requests are spaced by the largest of the crawl's min-host-delay, robots.txt's Crawl-delay and the slow-down a 429
/// or 503 asked for (doubled at most once per spacing interval, at least its Retry-After, at most max-host-delay, and
/// never shrinking); a Retry-After also holds the whole host back for that long (at most max-host-delay). A retry is
/// allowed only within the host's retry budget: <c>budget-min + budget-ratio × requests</c>, retries counted as
/// requests.
/// </summary>
/// <param name="clock">Monotonic time.</param>
internal sealed class HostSchedule(Func<TimeSpan> clock)
{
    private TimeSpan _lastSent = TimeSpan.MinValue;
    private TimeSpan _notBefore = TimeSpan.MinValue;
    private TimeSpan _lastSlowDown = TimeSpan.MinValue;

    /// <summary>Requests counted (first attempts and retries).</summary>
    public long Requests { get; private set; }

    /// <summary>Retries allowed.</summary>
    public long Retries { get; private set; }

    /// <summary>The spacing asked for by the host itself (Crawl-delay, slow-downs); the crawl's min-host-delay comes on
    /// top with each request.</summary>
    public TimeSpan Spacing { get; private set; }

    /// <summary>A first attempt: counted towards the retry budget.</summary>
    public void Count() => Requests++;

    /// <summary>A retry: null when the budget allows it (it is counted), else why not.</summary>
    public string? DenyRetry(string host, RetrySettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var budget = settings.BudgetMin + (settings.BudgetRatio * Requests);
        if (Retries + 1 > budget)
        {
            return $"the retry budget of {host} is spent: {Retries} retries for {Requests} requests";
        }

        Retries++;
        Requests++;
        return null;
    }

    /// <summary>A Crawl-delay from robots.txt (already capped by the crawl): the spacing grows to it, never shrinks.</summary>
    public void CrawlDelay(TimeSpan delay)
    {
        if (delay > Spacing)
        {
            Spacing = delay;
        }
    }

    /// <summary>The host answered 429 or 503, with <paramref name="retryAfter"/> if it gave one.</summary>
    public void SlowDown(TimeSpan? retryAfter, RetrySettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var now = clock();

        // Doubles at most once per spacing interval: a burst of 503s to requests that were already in flight is one
        // signal, not twenty.
        var spacing = Spacing < settings.SlowDown ? settings.SlowDown
            : now >= _lastSlowDown + Spacing ? Spacing * 2
            : Spacing;
        _lastSlowDown = now;
        if (retryAfter is { } after && after > spacing)
        {
            spacing = after;
        }

        Spacing = spacing < settings.MaxHostDelay ? spacing : settings.MaxHostDelay;

        // A Retry-After holds the whole host back, but never longer than max-host-delay: an hour asked for one page must
        // not stall every other page of the host.
        var pause = retryAfter is { } wait ? (wait < settings.MaxHostDelay ? wait : settings.MaxHostDelay) : Spacing;
        if (now + pause > _notBefore)
        {
            _notBefore = now + pause;
        }
    }

    /// <summary>How long until the next request, of a crawl with <paramref name="minHostDelay"/>, may go out (zero:
    /// now).</summary>
    public TimeSpan Wait(TimeSpan minHostDelay)
    {
        var now = clock();
        var gap = minHostDelay > Spacing ? minHostDelay : Spacing;
        var next = gap > TimeSpan.Zero && _lastSent != TimeSpan.MinValue ? _lastSent + gap : TimeSpan.MinValue;
        if (_notBefore > next)
        {
            next = _notBefore;
        }

        return next > now ? next - now : TimeSpan.Zero;
    }

    /// <summary>A request went out now.</summary>
    public void Sent() => _lastSent = clock();
}
