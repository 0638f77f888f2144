using Akka.Configuration;
using Crawler.Core.Configuration;

namespace Crawler.Cluster;

/// <summary>The settings a cluster crawl carries from its client to every desk (pure): what decides a result and how
/// each request runs (selectors, user agent, robots.txt, timeouts, retries, spacing). What belongs to a node (its
/// connection pool and per-host cap, its proxy, its dispatcher) stays the node's.</summary>
public static class CrawlHocon
{
    /// <summary>The keys under <c>crawler</c> that a crawl carries.</summary>
    public static IReadOnlyList<string> Keys { get; } =
    [
        "article-selector", "title-selector", "max-url-length", "planet-timeout", "min-host-delay", "robots.enabled",
        "http.user-agent", "http.tls.insecure", "http.max-redirects", "http.max-body-bytes", "http.connect-timeout",
        "http.first-byte-timeout", "http.read-idle-timeout", "http.request-timeout", "retry.max-retries", "retry.backoff",
        "retry.max-backoff", "retry.max-retry-after",
    ];

    /// <summary>The HOCON of <paramref name="crawler"/>'s (the client's <c>crawler</c> section) per-crawl settings.</summary>
    public static string Of(Config crawler)
    {
        ArgumentNullException.ThrowIfNull(crawler);
        var overrides = new HoconOverrides();
        foreach (var key in Keys)
        {
            if (crawler.HasPath(key) && crawler.GetString(key, null) is { } value)
            {
                overrides.Text(key, value);
            }
        }

        return overrides.ToString();
    }
}
