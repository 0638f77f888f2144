using Akka.Actor;
using Crawler.Core.Configuration;
using Crawler.Core.Extraction;
using Crawler.Core.Hosts;

namespace Crawler.Core.Fetching;

/// <summary>What every fetcher of one crawl shares, given in its Props: the crawl's id and settings, the profile its
/// fetches carry to the hosts, the hosts' registry, and the page extractor (thread-safe, built once per crawl).</summary>
/// <param name="CrawlId">The crawl's key at the hosts (its id, made unique per run).</param>
/// <param name="Settings">The crawl's settings.</param>
/// <param name="Profile">The settings every host needs from the crawl.</param>
/// <param name="Hosts">The <see cref="HostRegistry"/> (or, in tests, a probe).</param>
/// <param name="Extractor">Reads the pages.</param>
internal sealed record CrawlContext(string CrawlId, CrawlerSettings Settings, CrawlProfile Profile, IActorRef Hosts, IPageExtractor Extractor)
    : INoSerializationVerificationNeeded
{
    /// <summary>The crawl's id as its results carry it (its spans too); <see cref="CrawlId"/> when not set.</summary>
    public string Id
    {
        get => _id ?? CrawlId;
        init => _id = value;
    }

    private readonly string? _id;

    /// <summary>The crawl's count of requests ended, for its progress line.</summary>
    public Output.PageCounter Pages { get; init; } = new();

    /// <summary>The context of crawl <paramref name="crawlId"/> with <paramref name="settings"/>, whose fetches go to
    /// <paramref name="hosts"/>.</summary>
    public static CrawlContext Create(string crawlId, CrawlerSettings settings, IActorRef hosts)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new CrawlContext(crawlId, settings, CrawlProfile.Of(settings), hosts, new PageExtractor(settings.ArticleSelector, settings.TitleSelector));
    }
}
