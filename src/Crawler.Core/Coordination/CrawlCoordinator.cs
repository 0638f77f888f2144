using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Crawler.Core.Configuration;
using Crawler.Core.Fetching;
using Crawler.Core.Hosts;
using Crawler.Http;

namespace Crawler.Core.Coordination;

/// <summary>
/// Runs one crawl. Its printer is its child (made from the Props it is given), so that its results are never cut off
/// by its own stop: the coordinator announces the crawl to the printer (<see cref="Crawl.CrawlStarted"/>), starts one
/// <see cref="PlanetFetcher"/> per planet (at most max-planets-in-flight at once, or one after the other when
/// <see cref="CrawlerSettings.Sequential"/>), forwards exactly one <see cref="Crawl.PlanetResult"/> per planet, and
/// when every planet has one tells the printer <see cref="Crawl.CrawlFinished"/> and stops once the printer has
/// finished. A fetcher that throws is stopped by its supervisor strategy and the <c>Terminated</c> that follows becomes a
/// <c>crash</c> result; at <see cref="CrawlerSettings.Deadline"/> every unfinished planet becomes a <c>timeout</c>
/// (phase <c>deadline</c>), and on <see cref="Crawl.CancelCrawl"/> a <c>cancelled</c> result. So nothing leaves the
/// printer waiting.
/// </summary>
/// <remarks>
/// One input path: a batch (<see cref="Crawl.StartCrawl"/>) is a stream whose planets are all there at once; a stream
/// (<see cref="Crawl.StartStreamedCrawl"/>, from <c>Sink.ActorRefWithAck</c>) acknowledges each <see cref="Crawl.Planet"/>
/// only while fewer than max-planets-in-flight fetchers run. States: <see cref="Idle"/> → <see cref="Crawling"/> →
/// <see cref="Ending"/>; "done" is decided in one place, <see cref="FinishIfDone"/>.
/// </remarks>
internal sealed class CrawlCoordinator : UntypedActor, IWithTimers
{
    private const string DeadlineTimerKey = "deadline";
    private const string ChildrenTimerKey = "children";
    private static readonly TimeSpan ChildrenTimeout = TimeSpan.FromSeconds(2);
    private static long _crawls;

    private readonly CrawlerSettings _settings;
    private readonly IActorRef _hosts;
    private readonly Props _printerProps;
    private readonly string _crawlId;
    private readonly string _hostsKey;
    private readonly CrawlMode _mode;
    private readonly bool _paced;
    private readonly Func<IUntypedActorContext, Crawl.FetchPlanet, CrawlContext, IActorRef> _fetcherFactory;
    private readonly Dictionary<IActorRef, Exception> _crashes = [];
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private IActorRef _printer = ActorRefs.Nobody;

    /// <summary>Creates the coordinator; prefer <see cref="Props"/>.</summary>
    public CrawlCoordinator(CrawlerSettings settings, IActorRef hosts, Props printer, string? crawlId,
        Func<IUntypedActorContext, Crawl.FetchPlanet, CrawlContext, IActorRef>? fetcherFactory, CrawlMode mode, bool paced)
    {
        _paced = paced;
        _settings = settings;
        _hosts = hosts;
        _printerProps = printer;
        _crawlId = string.IsNullOrWhiteSpace(crawlId) ? NewCrawlId() : crawlId;

        // The hosts tell crawls apart by this key: unique even when a caller gives two crawls the same id.
        _hostsKey = string.IsNullOrWhiteSpace(crawlId) ? _crawlId : $"{crawlId}#{Interlocked.Increment(ref _crawls)}";
        _mode = mode;
        _fetcherFactory = fetcherFactory ?? ((context, job, crawl) => context.ActorOf(PlanetFetcher.Props(job, crawl).On(settings.Dispatcher), PlanetFetcher.ActorName(job)));
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props for a coordinator whose fetches go to <paramref name="hosts"/> (the system's
    /// <see cref="HostRegistry"/>) and whose printer is made from <paramref name="printer"/>. <paramref name="crawlId"/>
    /// names the crawl (default: a new unique id); <paramref name="fetcherFactory"/> makes the fetcher of one planet
    /// (default: a <see cref="PlanetFetcher"/> child); tests pass probes. <paramref name="mode"/> is the job of a start
    /// message that names none. A <paramref name="paced"/> crawl's results are taken by a consumer that acknowledges
    /// each with <see cref="ResultTaken"/> (a stream's): planets running and results not yet taken are together at
    /// most max-planets-in-flight, so the crawl runs only that far ahead of a slow consumer.</summary>
    public static Props Props(CrawlerSettings settings, IActorRef hosts, Props printer, string? crawlId = null,
        Func<IUntypedActorContext, Crawl.FetchPlanet, CrawlContext, IActorRef>? fetcherFactory = null, CrawlMode mode = CrawlMode.Planets,
        bool paced = false) =>
        Akka.Actor.Props.Create<CrawlCoordinator>(settings, hosts, printer, crawlId, fetcherFactory, mode, paced).On(settings?.Dispatcher);

    /// <summary>A new crawl id, unique in the process and across processes: <c>crawl-N-guid</c>.</summary>
    public static string NewCrawlId() => $"crawl-{Interlocked.Increment(ref _crawls)}-{Guid.NewGuid():N}";

    /// <summary>Fetchers that throw are stopped, never restarted (a restart would fetch the planet twice); the
    /// exception is kept for the planet's <c>crash</c> result.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new CrashRecordingStrategy(_crashes);

    /// <inheritdoc />
    protected override void PreStart()
    {
        // Before any fetcher starts its planet timer: however the crawl was started (Props of an embedder's, a test's).
        SchedulerWarmUp.Ensure(Context.System);

        // The printer is watched: the coordinator ends with it, so results are never cut off by its own stop.
        _printer = Context.ActorOf(_printerProps.On(_settings.Dispatcher), "printer");
        Context.Watch(_printer);
        Become(Idle);
    }

    /// <summary>A coordinator that threw has lost its crawl's state (a bug of ours): under a parent that restarts it,
    /// it stops instead of waiting for a start that will never come; its printer has already been stopped with it, which
    /// cancels the crawl's task.</summary>
    protected override void PostRestart(Exception reason)
    {
        _log.Error(reason, "Crawl {CrawlId} failed and was stopped", _crawlId);
        Context.Stop(Self);
    }

    /// <inheritdoc />
    protected override void OnReceive(object message) => Unhandled(message);

    private void Idle(object message)
    {
        switch (message)
        {
            case Crawl.StartCrawl start:
                var urls = start.Urls.IsDefault ? [] : start.Urls;
                var batch = Begin(start.Mode ?? _mode, urls.Length);
                foreach (var url in urls)
                {
                    batch.Admit(url ?? string.Empty);
                }

                batch.InputDone = true;
                Advance(batch);
                break;
            case Crawl.StartStreamedCrawl start:
                var stream = Begin(start.Mode ?? _mode, -1);
                stream.AckTo = Sender;
                Advance(stream);
                break;
            case Terminated terminated when terminated.ActorRef.Equals(_printer):
                Context.Stop(Self);
                break;
            case Crawl.CancelCrawl:
                break; // nothing started, nothing to cancel
            default:
                Unhandled(message);
                break;
        }
    }

    private UntypedReceive Crawling(CrawlRun run) => message =>
    {
        switch (message)
        {
            case Crawl.Planet planet when !run.InputDone:
                run.AckTo = Sender;
                run.Admit(planet.Url);
                Advance(run);
                break;
            case Crawl.StreamEnded:
                run.InputDone = true;
                Advance(run);
                break;
            case Crawl.StreamFailed failed:
                _log.Warning("The planets' source failed ({Reason}); crawling what came before it", failed.Reason);
                run.InputDone = true;
                Advance(run);
                break;
            case Crawl.PlanetResult result:
                OnResult(run, result);
                break;
            case ResultTaken:
                run.Untaken = Math.Max(0, run.Untaken - 1);
                Advance(run);
                break;
            case Terminated terminated when terminated.ActorRef.Equals(_printer):
                Context.Stop(Self); // the printer was stopped with the system: nobody to report to
                break;
            case Terminated terminated:
                OnFetcherStopped(run, terminated.ActorRef);
                break;
            case Crawl.CancelCrawl cancel:
                EndEverything(run, ErrorKind.Cancelled, $"cancelled: {cancel.Reason}", null);
                break;
            case DeadlineReached:
                EndEverything(run, ErrorKind.Timeout,
                    $"timeout: the crawl reached its deadline of {_settings.Deadline!.Value.TotalSeconds:0.###} s before this planet finished (deadline phase)",
                    TimeoutPhase.Deadline);
                break;
            case Crawl.StartCrawl or Crawl.StartStreamedCrawl:
                Sender.Tell(new Crawl.CrawlRefused("this coordinator is already crawling"));
                break;
            case Crawl.Planet or Crawl.PlanetAck:
                break; // a planet the stream sent before it learnt that the crawl was cut short
            default:
                Unhandled(message);
                break;
        }
    };

    /// <summary>Every planet has its result: the printer finishes (summary, completion), and once it and every fetcher
    /// have stopped, so does the coordinator (stopping it earlier would stop them a second time: dead letters).</summary>
    private void Ending(object message)
    {
        switch (message)
        {
            case Terminated when !Context.GetChildren().Any():
                Context.Stop(Self);
                break;
            case ChildrenLingered:
                Context.Stop(Self); // a fetcher that does not stop after its result (a test's fake) cannot hold the crawl up
                break;
            case Crawl.StartCrawl or Crawl.StartStreamedCrawl:
                Sender.Tell(new Crawl.CrawlRefused("this coordinator has crawled already"));
                break;
            default:
                break; // late results of fetchers cut short, stream elements after the end
        }
    }

    private CrawlRun Begin(CrawlMode mode, int count)
    {
        var context = CrawlContext.Create(_hostsKey, _settings, _hosts) with { Id = _crawlId };
        var run = new CrawlRun(mode, _settings.Sequential ? 1 : _settings.MaxPlanetsInFlight, context);
        _hosts.Tell(new Host.CrawlStarted(_hostsKey));
        _printer.Tell(new Crawl.CrawlStarted(count, mode) { CrawlId = _crawlId, Pages = context.Pages });
        _log.Debug("Crawl {CrawlId}: {Count} {Mode} ({How})", _crawlId, count < 0 ? "a stream of" : (object)count, mode,
            _settings.Sequential ? "sequentially" : "concurrently");
        if (_settings.Deadline is { } deadline)
        {
            Timers.StartSingleTimer(DeadlineTimerKey, DeadlineReached.Instance, deadline);
        }

        Become(Crawling(run));
        return run;
    }

    /// <summary>Starts waiting planets while there is room, acknowledges the stream when there is room for another,
    /// and finishes when everything is done.</summary>
    private void Advance(CrawlRun run)
    {
        while (run.HasRoom && run.Waiting.TryDequeue(out var job))
        {
            var fetcher = _fetcherFactory(Context, job, run.Context);
            Context.Watch(fetcher);
            run.Running[fetcher] = new Running(job, Stopwatch.StartNew());
        }

        if (run.AckTo is { } ackTo && !run.InputDone && run.HasRoom)
        {
            ackTo.Tell(Crawl.PlanetAck.Instance);
            run.AckTo = null;
        }

        FinishIfDone(run);
    }

    private void OnResult(CrawlRun run, Crawl.PlanetResult result)
    {
        if (!run.Running.Remove(Sender, out var running) || running.Job.Index != result.Index)
        {
            _log.Warning("Dropping a result for planet {Index} from {Sender}: it is not a running fetcher's", result.Index, Sender);
            return;
        }

        Deliver(run, result); // still watched: the crawl stops only after its fetchers (see Ending)
    }

    private void OnFetcherStopped(CrawlRun run, IActorRef fetcher)
    {
        if (run.Running.Remove(fetcher, out var running))
        {
            Deliver(run, Cut(running, ErrorKind.Crash, CrashRecordingStrategy.Describe(_crashes, fetcher, "fetch actor"), null));
        }
    }

    /// <summary>Ends every unfinished planet at once (deadline or cancel): no fetcher is started any more, no planet is
    /// read any more, the running ones are stopped (their connections close with the crawl) and each planet gets the
    /// given result.</summary>
    private void EndEverything(CrawlRun run, ErrorKind kind, string message, TimeoutPhase? phase)
    {
        run.InputDone = true;
        run.AckTo = null;
        foreach (var (fetcher, running) in run.Running.ToList())
        {
            Context.Stop(fetcher);
            Deliver(run, Cut(running, kind, message, phase), advance: false);
        }

        run.Running.Clear();
        while (run.Waiting.TryDequeue(out var job))
        {
            Deliver(run, Cut(new Running(job, null), kind, message, phase), advance: false);
        }

        FinishIfDone(run);
    }

    private void Deliver(CrawlRun run, Crawl.PlanetResult result, bool advance = true)
    {
        _printer.Tell(result with { CrawlId = _crawlId });
        run.Delivered++;
        if (_paced)
        {
            run.Untaken++;
        }

        if (advance)
        {
            Advance(run);
        }
    }

    /// <summary>The one place where the crawl is done: the input has ended and every planet read has its result.</summary>
    private void FinishIfDone(CrawlRun run)
    {
        if (!run.InputDone || run.Delivered < run.Admitted)
        {
            return;
        }

        Timers.CancelAll();
        _printer.Tell(new Crawl.CrawlFinished(run.Admitted));
        Timers.StartSingleTimer(ChildrenTimerKey, ChildrenLingered.Instance, ChildrenTimeout);
        Become(Ending);
    }

    private static Crawl.PlanetFailed Cut(Running running, ErrorKind kind, string message, TimeoutPhase? phase) =>
        new(running.Job.Index, running.Job.Url, FetchStage.Planet, new Failure(kind, message, running.Job.Url, null, phase), 0,
            running.Clock?.ElapsedMilliseconds ?? 0);

    /// <summary>The planets of a crawl under way: those read and not started, those running, and the counts.</summary>
    private sealed class CrawlRun(CrawlMode mode, int maxInFlight, CrawlContext context)
    {
        public CrawlContext Context { get; } = context;

        public int MaxInFlight { get; } = maxInFlight;

        public Queue<Crawl.FetchPlanet> Waiting { get; } = new();

        public Dictionary<IActorRef, Running> Running { get; } = [];

        public int Admitted { get; private set; }

        public int Delivered { get; set; }

        public bool InputDone { get; set; }

        /// <summary>The stream waiting for an acknowledgement, if one is.</summary>
        public IActorRef? AckTo { get; set; }

        /// <summary>Results delivered and not yet taken by a paced crawl's consumer (always 0 when not paced).</summary>
        public int Untaken { get; set; }

        /// <summary>Another planet may start: the running ones and the results not yet taken leave room.</summary>
        public bool HasRoom => Running.Count + Untaken < MaxInFlight;

        public void Admit(string url) => Waiting.Enqueue(new Crawl.FetchPlanet(Admitted++, url, mode));
    }

    private sealed record Running(Crawl.FetchPlanet Job, Stopwatch? Clock);

    /// <summary>A paced crawl's consumer took one result (pushed it downstream): one more planet may run.</summary>
    internal sealed record ResultTaken : INoSerializationVerificationNeeded
    {
        public static readonly ResultTaken Instance = new();
    }

    private sealed record ChildrenLingered
    {
        public static readonly ChildrenLingered Instance = new();
    }

    private sealed record DeadlineReached
    {
        public static readonly DeadlineReached Instance = new();
    }
}
