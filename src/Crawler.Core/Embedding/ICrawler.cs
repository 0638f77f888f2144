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
    /// <see cref="Crawl.PlanetResult"/> per planet in the order they finish, then completion; <paramref name="planets"/>
    /// through <see cref="ResultsFlow"/>, with its back-pressure: planets are pulled only as fast as the consumer takes
    /// results (at most max-planets-in-flight planets running or waiting to be taken). A failing
    /// <paramref name="planets"/> fails the stream with its exception, after the results of the planets read before;
    /// a consumer that cancels cancels the crawl.
    /// </summary>
    Source<Crawl.PlanetResult, NotUsed> Results(Source<string, NotUsed> planets, CrawlOptions? options = null);

    /// <summary>
    /// A crawl as a flow: planet URLs in, one result per planet out in the order they finish, completing after the last; materialized as a
    /// <see cref="StreamedCrawl"/>: the crawl's id, its summary, and a way to cancel it. Each materialization is a new crawl.
    /// </summary>
    /// <remarks>
    /// Back-pressure: the planets running and the results the consumer has not taken yet are together at most
    /// max-planets-in-flight, and no other buffer holds results: a consumer slower than the crawl slows the crawl
    /// (lower <see cref="CrawlOptions.MaxPlanetsInFlight"/> for a shorter lead). Planets are pulled only as that window
    /// frees up. A failing upstream ends the input: the planets read before it are crawled, their results emitted, and
    /// then the stream fails with the upstream's exception. A consumer that cancels cancels the crawl. At the system's
    /// CoordinatedShutdown the crawl is cancelled and the stream completes with its <c>cancelled</c> results first.
    /// </remarks>
    /// <exception cref="Akka.Configuration.ConfigurationException">An option is bad.</exception>
    Flow<string, Crawl.PlanetResult, StreamedCrawl> ResultsFlow(CrawlOptions? options = null);

    /// <summary>
    /// Props for a crawl that reports to <paramref name="resultsTo"/>: start it with <see cref="Crawl.StartCrawl"/>,
    /// and it sends each <see cref="Crawl.PlanetResult"/> as it arrives,
    /// then one <see cref="Crawl.Completed"/> with the summary, and stops. <see cref="Crawl.CancelCrawl"/> ends it
    /// early with <c>cancelled</c> results. The job is <see cref="CrawlOptions.Mode"/> unless the start message names one;
    /// every result and the <c>Completed</c> carry the crawl's id (<see cref="CrawlOptions.CrawlId"/>, or a new one).
    /// If <paramref name="resultsTo"/> stops, the crawl is cancelled.
    /// </summary>
    Props CrawlProps(IActorRef resultsTo, CrawlOptions? options = null);
}
