using Akka.Actor;
using Akka.Configuration;
using Crawler.Core.Configuration;

namespace Crawler.Cluster;

/// <summary>The settings a cluster crawl carries from its client to its ledger and every desk: what decides a result
/// and how each request runs (selectors, user agent, robots.txt, timeouts, retries, spacing), and the crawl's window
/// and deadline, which its ledger keeps. What belongs to a node (its connection pool and per-host cap, its proxy, its
/// dispatcher) stays the node's.</summary>
public static class CrawlHocon
{
    /// <summary>The keys under <c>crawler</c> that a crawl carries.</summary>
    public static IReadOnlyList<string> Keys { get; } =
    [
        "article-selector", "title-selector", "max-url-length", "planet-timeout", "min-host-delay", "robots.enabled",
        "http.user-agent", "http.tls.insecure", "http.max-redirects", "http.max-body-bytes", "http.connect-timeout",
        "http.first-byte-timeout", "http.read-idle-timeout", "http.request-timeout", "retry.max-retries", "retry.backoff",
        "retry.max-backoff", "retry.max-retry-after", "sequential", "max-planets-in-flight", "deadline",
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

    /// <summary>The settings of a crawl that carries <paramref name="hocon"/>, on <paramref name="system"/> (its
    /// <c>crawler</c> section, over reference.conf, under the crawl's own keys).</summary>
    public static CrawlerSettings Settings(string hocon, ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        CrawlerSettings.Create(system); // the crawler's defaults under the node's configuration
        var own = string.IsNullOrWhiteSpace(hocon) ? Config.Empty : ConfigurationFactory.ParseString(hocon);
        return CrawlerSettings.Create(own.WithFallback(system.Settings.Config.GetConfig("crawler"))) with { StopSystemOnCompletion = false };
    }

    /// <summary>The most planets of a crawl with <paramref name="settings"/> that have a step out at once: one when
    /// sequential, else its max-planets-in-flight, never above the cluster's <paramref name="clusterMax"/>.</summary>
    public static int Window(CrawlerSettings settings, int clusterMax)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Sequential ? 1 : Math.Clamp(settings.MaxPlanetsInFlight, 1, clusterMax);
    }
}
