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
        var coordinator = Feed(system, planets, mode, CrawlCoordinator.PropsWithPrinter(settings, printer),
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
                var run = Interlocked.Increment(ref _runs);
                var printer = ((ExtendedActorSystem)system).SystemActorOf(Props.Create<QueuePrinter>(queue), $"crawler-result-queue-{run}");
                var coordinator = Feed(system, planets, mode, CrawlCoordinator.Props(settings with { StopSystemOnCompletion = false }, printer),
                    $"crawler-stream-{run}");
                printer.Tell(new QueuePrinter.CrawlIs(coordinator));
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

    /// <summary>A printer that hands results to a stream queue, one offer at a time. A consumer that goes away (the
    /// stream was cancelled, or failed) cancels the crawl; the crawl's last results are then dropped here, not left as
    /// dead letters in the host's log.</summary>
    private sealed class QueuePrinter : ReceiveActor, IWithUnboundedStash
    {
        private readonly ISourceQueueWithComplete<Crawl.PlanetResult> _queue;
        private IActorRef _crawl = ActorRefs.Nobody;
        private int _expected = -1;
        private int _received;

        public QueuePrinter(ISourceQueueWithComplete<Crawl.PlanetResult> queue)
        {
            _queue = queue;
            queue.WatchCompletionAsync().PipeTo(Self, success: () => StreamClosed.Instance, failure: _ => StreamClosed.Instance);
            Ready();
        }

        public IStash Stash { get; set; } = null!;

        public sealed record CrawlIs(IActorRef Coordinator);

        private sealed record StreamClosed
        {
            public static readonly StreamClosed Instance = new();
        }

        private void Ready()
        {
            Receive<CrawlIs>(crawl => _crawl = crawl.Coordinator);
            Receive<Crawl.CrawlStarted>(started => Expect(started.PlanetCount));
            Receive<Crawl.CrawlFinished>(finished => Expect(finished.PlanetCount));
            Receive<Crawl.PlanetResult>(result =>
            {
                _received++;
                _queue.OfferAsync(result).PipeTo(Self);
                Become(Offering);
            });
            Receive<StreamClosed>(_ => ConsumerGone());
        }

        private void Offering()
        {
            Receive<IQueueOfferResult>(offered =>
            {
                if (offered is not QueueOfferResult.Enqueued)
                {
                    ConsumerGone();
                    return;
                }

                Stash.UnstashAll();
                Become(Ready);
                CompleteIfDone();
            });
            Receive<Status.Failure>(_ => ConsumerGone());
            Receive<StreamClosed>(_ => ConsumerGone());
            Receive<CrawlIs>(crawl => _crawl = crawl.Coordinator);
            ReceiveAny(_ => Stash.Stash());
        }

        /// <summary>Every result was offered and the queue completed: stop once the stream has closed.</summary>
        private void Done()
        {
            Receive<StreamClosed>(_ => Context.Stop(Self));
            ReceiveAny(_ => { });
        }

        private void ConsumerGone()
        {
            Become(Draining);
            EndCrawl();
        }

        private void Draining()
        {
            Receive<CrawlIs>(crawl =>
            {
                _crawl = crawl.Coordinator;
                EndCrawl();
            });
            Receive<Terminated>(_ => Context.Stop(Self));
            ReceiveAny(_ => { });
        }

        private void EndCrawl()
        {
            if (_crawl.IsNobody())
            {
                return;
            }

            Context.Watch(_crawl);
            _crawl.Tell(new Crawl.CancelCrawl("the stream's consumer cancelled"));
        }

        private void Expect(int count)
        {
            _expected = count;
            CompleteIfDone();
        }

        private void CompleteIfDone()
        {
            if (_expected >= 0 && _received >= _expected)
            {
                _queue.Complete();
                Become(Done);
            }
        }
    }
}
