using Akka.Actor;
using Crawler.Core.Configuration;
using Crawler.Core.Embedding;
using Crawler.Core.Extraction;
using Crawler.Core.Politeness;
using Crawler.Http;
using Crawler.Http.Pool;

namespace Crawler.Core.Coordination;

/// <summary>What the fetchers of one crawl share: the <see cref="HttpConnectionPool"/>, the <see cref="HostGovernor"/>
/// (retry budgets, spacing), the <see cref="RobotsKeeper"/> (nobody when robots.txt is not respected) and the
/// read-mostly sets they publish.</summary>
/// <param name="Pool">The crawl's door to the system's connection pool (an <see cref="HttpPoolClient"/> with the crawl's
/// HTTP settings; the pool is <see cref="CrawlerExtension.ConnectionPool"/>, shared by every crawl of the system).</param>
/// <param name="Governor">The crawl's governor.</param>
/// <param name="SlowedHosts">Hosts whose requests must ask the governor for a slot.</param>
/// <param name="Robots">The crawl's robots keeper, or <see cref="ActorRefs.Nobody"/>.</param>
/// <param name="RobotsCache">The robots.txt rules read so far.</param>
/// <param name="Extractor">The crawl's page extractor (thread-safe, built once).</param>
public sealed record CrawlServices(IActorRef Pool, IActorRef Governor, SlowedHosts SlowedHosts, IActorRef Robots, RobotsCache RobotsCache,
    PageExtractor Extractor)
{
    /// <summary>Starts the services of a crawl as children of <paramref name="context"/> (the coordinator).</summary>
    public static CrawlServices Start(IUntypedActorContext context, CrawlerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(settings);
        var slowed = new SlowedHosts();
        var cache = new RobotsCache();
        var pool = context.ActorOf(HttpPoolClient.Props(CrawlerExtension.Get(context.System).ConnectionPool, settings.Http), "http-pool");
        var governor = context.ActorOf(HostGovernor.Props(settings.Retry, slowed, minHostDelay: settings.MinHostDelay), "host-governor");
        var robots = settings.RespectRobots
            ? context.ActorOf(RobotsKeeper.Props(settings, cache, slowed, governor, (_, _) => pool), "robots-keeper")
            : ActorRefs.Nobody;
        return new CrawlServices(pool, governor, slowed, robots, cache, new PageExtractor(settings.ArticleSelector, settings.TitleSelector));
    }
}
