using Akka;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Crawler.Core.Configuration;
using Crawler.Core.Coordination;
using Crawler.Core.Output;

namespace Crawler.Core.Embedding;

/// <summary>
/// Crawls fed by Akka.Streams: planets come from a <see cref="Source{TOut,TMat}"/> (a file of a million URLs read
/// lazily) into the coordinator, read only as fast as max-planets-in-flight fetchers finish; and a crawl can be a
/// <see cref="Flow"/> of its own (URLs in, results out, paced by its consumer).
/// </summary>
internal static class CrawlerStreams
{
    private static long _runs;

    /// <summary>Starts a crawl of the planets <paramref name="planets"/> emits, with a printer writing the results
    /// as they come (as <see cref="CrawlerProps.Start"/> does for a list).</summary>
    public static CrawlHandle Start(ActorSystem system, Source<string, NotUsed> planets, CrawlMode mode, CrawlerSettings settings,
        ResultFormat format, TextWriter output, TextWriter summaryOutput, string? timelinePath = null, bool progress = false)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(settings);
        var (printer, completion) = CrawlerProps.PrinterFor(settings, format, output, summaryOutput, timelinePath, progress);
        var coordinator = Feed(system, planets, mode, CrawlerProps.Coordinator(system, settings, ResultPrinter.Props(printer)),
            $"crawler-stream-{Interlocked.Increment(ref _runs)}");
        return new CrawlHandle(completion.Task, coordinator);
    }

    /// <summary>
    /// A crawl as a flow: planet URLs in, one <see cref="Crawl.PlanetResult"/> per planet out, in the order they finish;
    /// it completes after the last result. Each materialization is a new crawl (its id is <paramref name="crawlId"/>, or
    /// a new one), materialized as a <see cref="StreamedCrawl"/> (the id, the summary, cancel).
    /// </summary>
    /// <remarks>
    /// Back-pressure: the planets running and the results the consumer has not taken yet are together at most
    /// max-planets-in-flight, and no other buffer holds results: a consumer slower than the crawl slows the crawl
    /// (lower max-planets-in-flight for a shorter lead). Planets are pulled only as fetchers free up. A failing upstream
    /// ends the input: the planets read before it are crawled, their results emitted, and then the stream fails with
    /// the upstream's exception. A consumer that cancels cancels the crawl (its fetchers and connections stop).
    /// </remarks>
    public static Flow<string, Crawl.PlanetResult, StreamedCrawl> Flow(ActorSystem system, CrawlerSettings settings,
        CrawlMode mode = CrawlMode.Planets, string? crawlId = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(settings);
        var extension = CrawlerExtension.Get(system);
        var embedded = settings with { StopSystemOnCompletion = false };
        return Akka.Streams.Dsl.Flow.FromGraph(new CrawlStage((ExtendedActorSystem)system,
            (target, id) => CrawlCoordinator.Props(embedded, extension.Hosts, ResultPrinter.Props(PrinterOptions.Silent(target)), id, mode: mode, paced: true),
            crawlId, extension.Track));
    }

    /// <summary>The results of a crawl of <paramref name="planets"/>, as a source: <paramref name="planets"/> through
    /// <see cref="Flow"/> (the same back-pressure, failure and cancellation).</summary>
    /// <param name="system">Where the crawl runs.</param>
    /// <param name="planets">The planet URLs.</param>
    /// <param name="mode">The job.</param>
    /// <param name="settings">The crawl's settings.</param>
    /// <param name="bufferSize">Not used any more: no buffer holds results beyond what <see cref="Flow"/> documents.
    /// Kept so that callers that pass it still compile.</param>
    public static Source<Crawl.PlanetResult, NotUsed> Results(ActorSystem system, Source<string, NotUsed> planets, CrawlMode mode,
        CrawlerSettings settings, int bufferSize = 1024)
    {
        ArgumentNullException.ThrowIfNull(planets);
        _ = bufferSize;
        return planets.Via(Flow(system, settings, mode));
    }

    private static IActorRef Feed(ActorSystem system, Source<string, NotUsed> planets, CrawlMode mode, Props coordinatorProps, string name)
    {
        SchedulerWarmUp.Ensure(system);
        var coordinator = ((ExtendedActorSystem)system).SystemActorOf(coordinatorProps, name);
        planets.Select(url => new Crawl.Planet(url))
            .RunWith(Sink.ActorRefWithAck<Crawl.Planet>(coordinator, new Crawl.StartStreamedCrawl(mode), Crawl.PlanetAck.Instance,
                Crawl.StreamEnded.Instance, e => new Crawl.StreamFailed(e.Message) { Cause = e }), system.Materializer());
        return coordinator;
    }
}
