using Akka.Actor;
using Akka.Configuration;

namespace Crawler.Cluster;

/// <summary>The settings of a cluster crawl, from <c>crawler.cluster</c> (defaults in reference.conf).</summary>
/// <param name="Shards">Shards of each region.</param>
/// <param name="MaxStepsInFlight">The ledger's delivery window, in planets.</param>
/// <param name="RedeliverInterval">When an unanswered step is delivered again.</param>
/// <param name="RecentResults">Finished steps a desk remembers.</param>
/// <param name="MaxResultsPerReply">Results per answer to a client.</param>
/// <param name="ResultsPollInterval">How often a client asks for new results.</param>
/// <param name="ClientTimeout">How long a client waits for the cluster.</param>
/// <param name="SubmitChunk">Planets per message of a long or streamed submit.</param>
/// <param name="OpenCrawlTimeout">When an open crawl that no client asks about is cancelled.</param>
public sealed record ClusterSettings(int Shards, int MaxStepsInFlight, TimeSpan RedeliverInterval, int RecentResults,
    int MaxResultsPerReply, TimeSpan ResultsPollInterval, TimeSpan ClientTimeout, int SubmitChunk, TimeSpan OpenCrawlTimeout)
{
    /// <summary>The settings of <paramref name="system"/>.</summary>
    public static ClusterSettings Create(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        Crawler.Core.Configuration.CrawlerSettings.Create(system); // the crawler's defaults (reference.conf) under the system's
        return Create(system.Settings.Config.GetConfig("crawler.cluster"));
    }

    /// <summary>The settings in <paramref name="cluster"/> (the <c>crawler.cluster</c> section).</summary>
    public static ClusterSettings Create(Config cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        return new ClusterSettings(
            Positive(cluster, "shards"),
            Positive(cluster, "max-steps-in-flight"),
            cluster.GetTimeSpan("redeliver-interval"),
            Positive(cluster, "recent-results"),
            Positive(cluster, "max-results-per-reply"),
            cluster.GetTimeSpan("results-poll-interval"),
            cluster.GetTimeSpan("client-timeout"),
            Positive(cluster, "submit-chunk"),
            cluster.GetTimeSpan("open-crawl-timeout"));
    }

    private static int Positive(Config config, string key) =>
        config.GetInt(key) is var value && value > 0 ? value : throw new ConfigurationException($"crawler.cluster.{key} must be above 0");
}
