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
/// lazily) into the coordinator through <c>Sink.ActorRefWithAck</c>, so the source is read only as fast as
/// max-planets-in-flight fetchers finish; and the crawl's results can themselves be consumed as a source.
/// </summary>
public static class CrawlerStreams
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

    /// <summary>The results of a crawl of <paramref name="planets"/>, as a source: one <see cref="Crawl.PlanetResult"/>
    /// per planet, in the order they finish; the source completes after the last one. Results are buffered
    /// (up to <paramref name="bufferSize"/>, then in the crawl's printer) if the consumer is slower than the crawl.</summary>
    public static Source<Crawl.PlanetResult, NotUsed> Results(ActorSystem system, Source<string, NotUsed> planets, CrawlMode mode,
        CrawlerSettings settings, int bufferSize = 1024)
    {
        ArgumentNullException.ThrowIfNull(system);
        return Source.Queue<Crawl.PlanetResult>(bufferSize, OverflowStrategy.Backpressure)
            .MapMaterializedValue(queue =>
            {
                var printer = Props.Create<QueuePrinter>(queue);
                Feed(system, planets, mode, CrawlerProps.Coordinator(system, settings with { StopSystemOnCompletion = false }, printer),
                    $"crawler-stream-{Interlocked.Increment(ref _runs)}");
                return NotUsed.Instance;
            });
    }

    private static IActorRef Feed(ActorSystem system, Source<string, NotUsed> planets, CrawlMode mode, Props coordinatorProps, string name)
    {
        SchedulerWarmUp.Ensure(system);
        var coordinator = ((ExtendedActorSystem)system).SystemActorOf(coordinatorProps, name);
        planets.Select(url => new Crawl.Planet(url))
            .RunWith(Sink.ActorRefWithAck<Crawl.Planet>(coordinator, new Crawl.StartStreamedCrawl(mode), Crawl.PlanetAck.Instance,
                Crawl.StreamEnded.Instance, e => new Crawl.StreamFailed(e.Message)), system.Materializer());
        return coordinator;
    }

    /// <summary>A crawl's printer that hands results to a stream queue, one offer at a time. A consumer that goes away
    /// (the stream was cancelled, or failed) cancels the crawl (the printer's parent); the crawl's last results are then
    /// dropped here, not left as dead letters in the host's log.</summary>
    private sealed class QueuePrinter : UntypedActor, IWithUnboundedStash
    {
        private readonly ISourceQueueWithComplete<Crawl.PlanetResult> _queue;

        public QueuePrinter(ISourceQueueWithComplete<Crawl.PlanetResult> queue)
        {
            _queue = queue;
            queue.WatchCompletionAsync().PipeTo(Self, success: () => StreamClosed.Instance, failure: _ => StreamClosed.Instance);
        }

        public IStash Stash { get; set; } = null!;

        protected override void OnReceive(object message)
        {
            switch (message)
            {
                case Crawl.PlanetResult result:
                    _queue.OfferAsync(result).PipeTo(Self);
                    Become(Offering);
                    break;
                case Crawl.CrawlFinished:
                    _queue.Complete();
                    Become(Done);
                    break;
                case StreamClosed:
                    ConsumerGone();
                    break;
                case Crawl.CrawlStarted:
                    break;
                default:
                    Unhandled(message);
                    break;
            }
        }

        private void Offering(object message)
        {
            switch (message)
            {
                case IQueueOfferResult offered when offered is QueueOfferResult.Enqueued:
                    Stash.UnstashAll();
                    Become(OnReceive);
                    break;
                case IQueueOfferResult or Status.Failure or StreamClosed:
                    ConsumerGone();
                    break;
                default:
                    Stash.Stash();
                    break;
            }
        }

        /// <summary>Every result was offered and the queue completed: stop once the stream has closed.</summary>
        private void Done(object message)
        {
            if (message is StreamClosed)
            {
                Context.Stop(Self);
            }
        }

        private void ConsumerGone()
        {
            Context.Parent.Tell(new Crawl.CancelCrawl("the stream's consumer cancelled"));
            Stash.ClearStash();
            Become(message =>
            {
                if (message is Crawl.CrawlFinished)
                {
                    Context.Stop(Self);
                }
            });
        }

        private sealed record StreamClosed
        {
            public static readonly StreamClosed Instance = new();
        }
    }
}
