using Akka;
using Akka.Actor;
using Akka.Streams.Dsl;
using Crawler.Core.Configuration;

namespace Crawler.Core.Embedding;

/// <summary>
/// The crawler of one ActorSystem, for plain .NET callers and stream users (<c>system.Crawler()</c>, or
/// <c>ICrawler</c> from DI with Crawler.Hosting). Crawls run side by side, each with its own settings and results.
/// </summary>
public interface ICrawler
{
    /// <summary>The system's crawler settings (its <c>crawler</c> HOCON over the embedded reference.conf).</summary>
    CrawlerSettings Settings { get; }

    /// <summary>
    /// Crawls <paramref name="planets"/> and returns every result and the summary. Cancelling
    /// <paramref name="cancellationToken"/> ends the crawl at once: its fetchers and connections stop and every
    /// unfinished planet is a <c>cancelled</c> result in the report (the task does not throw for it). The task is
    /// cancelled only if the ActorSystem stops first.
    /// </summary>
    /// <exception cref="Akka.Configuration.ConfigurationException">An option is bad (a selector that does not parse).</exception>
    Task<CrawlReport> CrawlAsync(IEnumerable<string> planets, CrawlOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// The results of a crawl of the planets <paramref name="planets"/> emits, as a source: one
    /// <see cref="Crawl.PlanetResult"/> per planet in the order they finish, then completion. Each materialization
    /// is a new crawl; planets are pulled only as fast as fetch actors free up (max-planets-in-flight), and a
    /// consumer that cancels cancels the crawl.
    /// </summary>
    Source<Crawl.PlanetResult, NotUsed> Results(Source<string, NotUsed> planets, CrawlOptions? options = null);

    /// <summary>
    /// Props for a crawl that reports to <paramref name="resultsTo"/>: start it with <see cref="Crawl.StartCrawl"/>
    /// (or <see cref="Crawl.StartStreamedCrawl"/>), and it sends each <see cref="Crawl.PlanetResult"/> as it arrives,
    /// then one <see cref="Crawl.Completed"/> with the summary, and stops. <see cref="Crawl.CancelCrawl"/> ends it
    /// early with <c>cancelled</c> results. The mode comes from the start message.
    /// </summary>
    Props CrawlProps(IActorRef resultsTo, CrawlOptions? options = null);
}
