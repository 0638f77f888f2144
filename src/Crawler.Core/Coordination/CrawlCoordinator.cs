using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Crawler.Core.Configuration;
using Crawler.Core.Fetching;
using Crawler.Core.Output;
using Crawler.Http;

namespace Crawler.Core.Coordination;

/// <summary>
/// Runs one crawl: on <see cref="Crawl.StartCrawl"/> it tells the printer <see cref="Crawl.CrawlStarted"/> and spawns
/// one <see cref="PlanetFetcher"/> per planet, all at once (or one after the other when
/// <see cref="CrawlerSettings.Sequential"/>), sharing one <see cref="Politeness.HostGovernor"/>. It forwards exactly one
/// <see cref="Crawl.PlanetResult"/> per planet to the printer: a fetcher that throws is stopped by its supervisor
/// strategy and the <c>Terminated</c> that follows becomes a <c>crash</c> result with the exception's message; at
/// <see cref="CrawlerSettings.Deadline"/> every unfinished planet becomes a <c>timeout</c> (phase <c>deadline</c>), and
/// on <see cref="Crawl.CancelCrawl"/> a <c>cancelled</c> result. So nothing leaves the printer waiting. It stops
/// when every planet has reported.
/// </summary>
public sealed class CrawlCoordinator : UntypedActor, IWithTimers
{
    private const string DeadlineTimerKey = "deadline";

    private readonly CrawlerSettings _settings;
    private readonly PrinterOptions? _ownPrinter;
    private IActorRef _printer;
    private readonly Func<IUntypedActorContext, Crawl.FetchPlanet, IActorRef> _fetcherFactory;
    private readonly Dictionary<IActorRef, Running> _running = [];
    private readonly Dictionary<IActorRef, Exception> _crashes = [];
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private Queue<Crawl.FetchPlanet> _waiting = new();
    private CrawlServices? _services;
    private CrawlMode _mode;
    private int _outstanding;
    private int _nextIndex;
    private int _maxInFlight;
    private bool _streamed;
    private bool _inputDone = true;
    private IActorRef? _ackTo;

    /// <summary>Creates the coordinator; prefer <see cref="Props"/>.</summary>
    public CrawlCoordinator(CrawlerSettings settings, IActorRef printer, Func<IUntypedActorContext, Crawl.FetchPlanet, IActorRef>? fetcherFactory)
        : this(settings, printer, null, fetcherFactory)
    {
    }

    /// <summary>Creates a coordinator with a printer of its own; prefer <see cref="PropsWithPrinter"/>.</summary>
    public CrawlCoordinator(CrawlerSettings settings, PrinterOptions printer)
        : this(settings, ActorRefs.Nobody, printer, null)
    {
    }

    private CrawlCoordinator(CrawlerSettings settings, IActorRef printer, PrinterOptions? ownPrinter,
        Func<IUntypedActorContext, Crawl.FetchPlanet, IActorRef>? fetcherFactory)
    {
        _settings = settings;
        _printer = printer;
        _ownPrinter = ownPrinter;
        _fetcherFactory = fetcherFactory ?? ((context, job) =>
            context.ActorOf(PlanetFetcher.Props(job, settings, _services), PlanetFetcher.ActorName(job)));
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props for a coordinator that reports to <paramref name="printer"/>. <paramref name="fetcherFactory"/>
    /// makes the fetcher of one planet (default: a <see cref="PlanetFetcher"/> child); tests pass probes.</summary>
    public static Props Props(CrawlerSettings settings, IActorRef printer,
        Func<IUntypedActorContext, Crawl.FetchPlanet, IActorRef>? fetcherFactory = null) =>
        Akka.Actor.Props.Create<CrawlCoordinator>(settings, printer, fetcherFactory);

    /// <summary>Props for a coordinator whose printer is its own child, made from <paramref name="printer"/>: the
    /// coordinator stops after the printer has reported the end of the crawl. This is how embedders get results as
    /// messages (<see cref="PrinterOptions.Silent"/>) with one actor to start and to cancel.</summary>
    public static Props PropsWithPrinter(CrawlerSettings settings, PrinterOptions printer) =>
        Akka.Actor.Props.Create<CrawlCoordinator>(settings, printer);

    /// <inheritdoc />
    protected override void PreStart()
    {
        if (_ownPrinter is not null)
        {
            // The printer is watched: the coordinator ends with it, so results are never cut off by its own stop.
            _printer = Context.ActorOf(ResultPrinter.Props(_ownPrinter), "printer");
            Context.Watch(_printer);
        }
    }

    /// <summary>Fetchers that throw are stopped, never restarted (a restart would fetch the planet twice); the
    /// exception is kept for the planet's <c>crash</c> result.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new CrashRecordingStrategy(_crashes);

    /// <inheritdoc />
    protected override void OnReceive(object message) => Idle(message);

    private void Idle(object message)
    {
        switch (message)
        {
            case Crawl.StartCrawl start:
                Start(start);
                break;
            case Crawl.StartStreamedCrawl start:
                StartStreamedCrawl(start);
                break;
            case Crawl.CancelCrawl:
                break;
            case Terminated terminated:
                OnTerminated(terminated);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Crawling(object message)
    {
        switch (message)
        {
            case Crawl.Planet planet:
                OnPlanet(planet);
                break;
            case Crawl.StreamEnded:
                OnInputEnded();
                break;
            case Crawl.StreamFailed failed:
                _log.Warning("The planets' source failed ({Reason}); crawling what came before it", failed.Reason);
                OnInputEnded();
                break;
            case Crawl.PlanetResult result:
                OnResult(result);
                break;
            case Terminated terminated:
                OnTerminated(terminated);
                break;
            case Crawl.CancelCrawl cancel:
                EndEverything(job => Cut(job, ErrorKind.Cancelled, $"cancelled: {cancel.Reason}", null));
                break;
            case DeadlineReached:
                EndEverything(job => Cut(job, ErrorKind.Timeout,
                    $"timeout: the crawl reached its deadline of {_settings.Deadline!.Value.TotalSeconds:0.###} s before this planet finished (deadline phase)",
                    TimeoutPhase.Deadline));
                break;
            case Crawl.StartCrawl or Crawl.StartStreamedCrawl:
                Sender.Tell(new Crawl.CrawlRefused("this coordinator is already crawling"));
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Start(Crawl.StartCrawl start)
    {
        var jobs = start.Urls.Select((url, index) => new Crawl.FetchPlanet(index, url, start.Mode)).ToList();
        _outstanding = jobs.Count;
        _nextIndex = jobs.Count;
        _printer.Tell(new Crawl.CrawlStarted(jobs.Count, start.Mode));
        _log.Info("Crawling {Count} {Mode} ({How})", jobs.Count, start.Mode, _settings.Sequential ? "sequentially" : "concurrently");
        if (jobs.Count == 0)
        {
            if (_ownPrinter is null)
            {
                Context.Stop(Self);
            }

            return;
        }

        Begin(start.Mode);
        _waiting = new Queue<Crawl.FetchPlanet>(jobs);
        while (_running.Count < _maxInFlight && _waiting.Count > 0)
        {
            SpawnNext();
        }
    }

    /// <summary>A crawl whose planets arrive one by one from an Akka.Streams source through
    /// <c>Sink.ActorRefWithAck</c>: each <see cref="Crawl.Planet"/> is acknowledged only while fewer than
    /// max-planets-in-flight fetchers run, which back-pressures the source.</summary>
    private void StartStreamedCrawl(Crawl.StartStreamedCrawl start)
    {
        _streamed = true;
        _inputDone = false;
        _printer.Tell(new Crawl.CrawlStarted(-1, start.Mode));
        _log.Info("Crawling a stream of {Mode} ({How})", start.Mode, _settings.Sequential ? "sequentially" : "concurrently");
        Begin(start.Mode);
        Sender.Tell(Crawl.PlanetAck.Instance);
    }

    private void Begin(CrawlMode mode)
    {
        _mode = mode;
        _maxInFlight = _settings.Sequential ? 1 : _settings.MaxPlanetsInFlight;
        Context.Become(Crawling);
        _services = CrawlServices.Start(Context, _settings);
        if (_settings.Deadline is { } deadline)
        {
            Timers.StartSingleTimer(DeadlineTimerKey, DeadlineReached.Instance, deadline);
        }
    }

    private void OnPlanet(Crawl.Planet planet)
    {
        if (_inputDone)
        {
            return; // cancelled or past the deadline: no new planets
        }

        _outstanding++;
        _waiting.Enqueue(new Crawl.FetchPlanet(_nextIndex++, planet.Url, _mode));
        SpawnNext();
        if (_running.Count < _maxInFlight)
        {
            Sender.Tell(Crawl.PlanetAck.Instance);
        }
        else
        {
            _ackTo = Sender;
        }
    }

    private void OnInputEnded()
    {
        _inputDone = true;
        _ackTo = null;
        FinishIfDone();
    }

    private void SpawnNext()
    {
        if (_running.Count >= _maxInFlight || !_waiting.TryDequeue(out var job))
        {
            return;
        }

        var fetcher = _fetcherFactory(Context, job);
        Context.Watch(fetcher);
        _running[fetcher] = new Running(job, Stopwatch.StartNew());
    }

    private void OnResult(Crawl.PlanetResult result)
    {
        if (!_running.Remove(Sender, out var running) || running.Job.Index != result.Index)
        {
            _log.Warning("Dropping a result for planet {Index} from {Sender}: it is not a running fetcher's", result.Index, Sender);
            return;
        }

        Context.Unwatch(Sender);
        Deliver(result);
    }

    private void OnTerminated(Terminated terminated)
    {
        if (_ownPrinter is not null && terminated.ActorRef.Equals(_printer))
        {
            Context.Stop(Self); // the printer reported the end (or was stopped with the system)
            return;
        }

        if (!_running.Remove(terminated.ActorRef, out var running))
        {
            return;
        }

        var message = CrashRecordingStrategy.Describe(_crashes, terminated.ActorRef, "fetch actor");
        Deliver(Cut(running, ErrorKind.Crash, message, null));
    }

    /// <summary>Ends every unfinished planet at once (deadline or cancel): no fetcher is started any more, the
    /// running ones are stopped (their connections close with them) and each planet gets the given result.</summary>
    private void EndEverything(Func<Running, Crawl.PlanetFailed> result)
    {
        // A streamed crawl reads no further: planets not yet read are not part of the crawl.
        _inputDone = true;
        _ackTo = null;
        var unfinished = _running.ToList();
        var waiting = _waiting.ToList();
        _waiting.Clear();
        _running.Clear();
        foreach (var (fetcher, running) in unfinished)
        {
            Context.Unwatch(fetcher);
            Context.Stop(fetcher);
            Deliver(result(running));
        }

        foreach (var job in waiting)
        {
            Deliver(result(new Running(job, null)));
        }
    }

    private static Crawl.PlanetFailed Cut(Running running, ErrorKind kind, string message, TimeoutPhase? phase) =>
        new(running.Job.Index, running.Job.Url, FetchStage.Planet, new Failure(kind, message, running.Job.Url, null, phase), 0,
            running.Clock?.ElapsedMilliseconds ?? 0);

    private void Deliver(Crawl.PlanetResult result)
    {
        _printer.Tell(result);
        _outstanding--;
        SpawnNext();
        if (_ackTo is not null && _running.Count < _maxInFlight)
        {
            _ackTo.Tell(Crawl.PlanetAck.Instance);
            _ackTo = null;
        }

        FinishIfDone();
    }

    private void FinishIfDone()
    {
        if (_outstanding > 0 || !_inputDone)
        {
            return;
        }

        if (_streamed)
        {
            _printer.Tell(new Crawl.CrawlFinished(_nextIndex));
        }

        // With a printer of its own, the coordinator waits for the printer to report and stop (see OnTerminated).
        if (_ownPrinter is null)
        {
            Context.Stop(Self);
        }
    }

    private sealed record Running(Crawl.FetchPlanet Job, Stopwatch? Clock);

    private sealed record DeadlineReached
    {
        public static readonly DeadlineReached Instance = new();
    }
}
