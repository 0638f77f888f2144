using Akka.Actor;
using Akka.Event;
using Crawler.Http;

namespace Crawler.Core;

/// <summary>
/// Runs one crawl: on <see cref="Crawl.StartCrawl"/> it tells the printer <see cref="Crawl.CrawlStarted"/> and spawns
/// one <see cref="PlanetFetcher"/> per planet, all at once (or one after the other when
/// <see cref="CrawlerSettings.Sequential"/>). It forwards exactly one <see cref="Crawl.PlanetResult"/> per planet to
/// the printer: a fetcher that throws is stopped by its supervisor strategy, and the <c>Terminated</c> that follows
/// becomes a <c>crash</c> result with the exception's message, so nothing leaves the printer waiting. It stops when
/// every planet has reported.
/// </summary>
public sealed class CrawlCoordinator : ReceiveActor
{
    private readonly CrawlerSettings _settings;
    private readonly IActorRef _printer;
    private readonly Func<IUntypedActorContext, Crawl.FetchPlanet, IActorRef> _fetcherFactory;
    private readonly Dictionary<IActorRef, Crawl.FetchPlanet> _running = [];
    private readonly Dictionary<IActorRef, Exception> _crashes = [];
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private Queue<Crawl.FetchPlanet> _waiting = new();
    private int _outstanding;

    /// <summary>Creates the coordinator; prefer <see cref="Props"/>.</summary>
    public CrawlCoordinator(CrawlerSettings settings, IActorRef printer, Func<IUntypedActorContext, Crawl.FetchPlanet, IActorRef>? fetcherFactory)
    {
        _settings = settings;
        _printer = printer;
        _fetcherFactory = fetcherFactory ?? ((context, job) =>
            context.ActorOf(PlanetFetcher.Props(job, settings), PlanetFetcher.ActorName(job)));
        Idle();
    }

    /// <summary>Props for a coordinator that reports to <paramref name="printer"/>. <paramref name="fetcherFactory"/>
    /// makes the fetcher of one planet (default: a <see cref="PlanetFetcher"/> child); tests pass probes.</summary>
    public static Props Props(CrawlerSettings settings, IActorRef printer,
        Func<IUntypedActorContext, Crawl.FetchPlanet, IActorRef>? fetcherFactory = null) =>
        Akka.Actor.Props.Create(() => new CrawlCoordinator(settings, printer, fetcherFactory));

    /// <summary>Fetchers that throw are stopped, never restarted (a restart would fetch the planet twice); the
    /// exception is kept for the planet's <c>crash</c> result.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new CrashRecordingStrategy(_crashes);

    private void Idle() => Receive<Crawl.StartCrawl>(Start);

    private void Crawling()
    {
        Receive<Crawl.PlanetResult>(OnResult);
        Receive<Terminated>(OnTerminated);
        Receive<Crawl.StartCrawl>(_ => Sender.Tell(new Crawl.CrawlRefused("this coordinator is already crawling")));
    }

    private void Start(Crawl.StartCrawl start)
    {
        var jobs = start.Urls.Select((url, index) => new Crawl.FetchPlanet(index, url, start.Mode)).ToList();
        _outstanding = jobs.Count;
        _printer.Tell(new Crawl.CrawlStarted(jobs.Count, start.Mode));
        _log.Info("Crawling {Count} {Mode} ({How})", jobs.Count, start.Mode, _settings.Sequential ? "sequentially" : "concurrently");
        if (jobs.Count == 0)
        {
            Context.Stop(Self);
            return;
        }

        Become(Crawling);
        _waiting = new Queue<Crawl.FetchPlanet>(jobs);
        var concurrently = _settings.Sequential ? 1 : jobs.Count;
        for (var i = 0; i < concurrently; i++)
        {
            SpawnNext();
        }
    }

    private void SpawnNext()
    {
        if (!_waiting.TryDequeue(out var job))
        {
            return;
        }

        var fetcher = _fetcherFactory(Context, job);
        Context.Watch(fetcher);
        _running[fetcher] = job;
    }

    private void OnResult(Crawl.PlanetResult result)
    {
        if (!_running.Remove(Sender, out var job) || job.Index != result.Index)
        {
            _log.Warning("Dropping a result for planet {Index} from {Sender}: it is not a running fetcher's", result.Index, Sender);
            return;
        }

        Context.Unwatch(Sender);
        Deliver(result);
    }

    private void OnTerminated(Terminated terminated)
    {
        if (!_running.Remove(terminated.ActorRef, out var job))
        {
            return;
        }

        var message = _crashes.Remove(terminated.ActorRef, out var cause)
            ? $"the fetch actor failed: {cause.GetType().Name}: {cause.Message}"
            : "the fetch actor stopped without reporting a result";
        Deliver(new Crawl.PlanetFailed(job.Index, job.Url, ErrorKind.Crash, FetchStage.Planet, job.Url, null, message, 0));
    }

    private void Deliver(Crawl.PlanetResult result)
    {
        _printer.Tell(result);
        _outstanding--;
        SpawnNext();
        if (_outstanding == 0)
        {
            Context.Stop(Self);
        }
    }

    /// <summary>A one-for-one stopping strategy that remembers why each child failed.</summary>
    private sealed class CrashRecordingStrategy : OneForOneStrategy
    {
        private readonly Dictionary<IActorRef, Exception> _crashes;

        public CrashRecordingStrategy(Dictionary<IActorRef, Exception> crashes)
            : base(StoppingStrategy.Decider) => _crashes = crashes;

        protected override Directive Handle(IActorRef child, Exception exception)
        {
            // An exception thrown while the fetcher starts arrives wrapped; the user wants the original.
            _crashes[child] = exception is ActorInitializationException { InnerException: { } inner } ? inner : exception;
            return Directive.Stop;
        }
    }
}
