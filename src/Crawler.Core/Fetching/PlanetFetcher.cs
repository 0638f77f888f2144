using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using AngleSharp.Html.Dom;
using Crawler.Core.Hosts;
using Crawler.Core.Telemetry;
using Crawler.Http;

namespace Crawler.Core.Fetching;

#pragma warning disable IDE0065 // Inside namespace Crawler.*, the name Http means the namespace Crawler.Http;
using Http = Crawler.Http.Http; // an alias in the namespace lets call sites read Http.ResponseReceived, as Tcp.Connected.
#pragma warning restore IDE0065

/// <summary>
/// Fetches one planet: the planet page, then its first article link, then the article's title; in the titles job,
/// the page's own title. It reports exactly one <see cref="Crawl.PlanetResult"/> to its parent (the coordinator) and
/// stops. It is a short driver of <see cref="PageRequest"/>s (one per page: redirects, retries), whose fetches go to the
/// hosts (<see cref="Host.Fetch"/>); the first request of a planet queues behind the follow-ups of planets already under
/// way. The planet is bounded by <see cref="Configuration.CrawlerSettings.PlanetTimeout"/> of its own time: while a
/// request waits at its host (<see cref="Host.Queued"/> until <see cref="Host.Dispatched"/>) the planet's clock stops.
/// </summary>
/// <remarks>States: <see cref="Fetching"/> the planet, then <see cref="Fetching"/> the article, each with its stage and
/// its request as parameters.</remarks>
internal sealed class PlanetFetcher : UntypedActor, IWithTimers
{
    private const string PlanetTimerKey = "planet-timeout";

    private readonly Crawl.FetchPlanet _job;
    private readonly CrawlContext _crawl;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly long _startedAt = Stopwatch.GetTimestamp();
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly List<Crawl.RequestTiming> _timings = [];
    private long _ids;
    private int _attempts;

    // The fetch whose page was answered early: its reply (the rest of the page, dropped) may still come.
    private long _answeredEarly;

    // The planet's own time: it runs except while a request waits at its host.
    private TimeSpan _active;
    private long _activeSince;

    /// <summary>Creates the fetcher; prefer <see cref="Props"/>.</summary>
    public PlanetFetcher(Crawl.FetchPlanet job, CrawlContext crawl)
    {
        _job = job;
        _crawl = crawl;
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props for the fetcher of <paramref name="job"/> in <paramref name="crawl"/>.</summary>
    public static Props Props(Crawl.FetchPlanet job, CrawlContext crawl) => DirectProps.Of(() => new PlanetFetcher(job, crawl));

    /// <summary>The actor name of the fetcher of <paramref name="job"/>: <c>fetch-{index}-{host}</c>.</summary>
    public static string ActorName(Crawl.FetchPlanet job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var host = Uri.TryCreate(job.Url, UriKind.Absolute, out var url) && !string.IsNullOrEmpty(url.Host) ? url.Host : "bad-url";
        return ActorNames.Safe($"fetch-{job.Index}-{host}");
    }

    /// <inheritdoc />
    protected override void PreStart()
    {
        CrawlerTelemetry.PlanetStarted();
        Resume();
        if (UrlPolicy.Check(_job.Url, out var url, out var failure, _crawl.Settings.MaxUrlLength))
        {
            Begin(_job.Stage, url!, _job.Stage == FetchStage.Planet ? FetchPriority.New : FetchPriority.FollowUp);
        }
        else
        {
            Fail(_job.Stage, failure!);
        }
    }

    /// <inheritdoc />
    protected override void OnReceive(object message) => Unhandled(message);

    // The fetcher is created once per planet, so it is an UntypedActor with plain state methods: a ReceiveActor
    // compiles its handlers for every instance, which cost more than the rest of a planet's actor work together.
    private UntypedReceive Fetching(FetchStage stage, PageRequest request) => message =>
    {
        switch (message)
        {
            case Host.Fetched fetched when fetched.RequestId == request.RequestId:
                _crawl.Pages.Add();
                AddRobots(fetched.Robots);
                Resume();
                Step(stage, request, request.OnFetched(fetched.Response));
                break;
            case Host.Failed failed when failed.RequestId == request.RequestId:
                _crawl.Pages.Add();
                AddRobots(failed.Robots);
                if (failed.Timings is { } spent)
                {
                    _timings.Add(new Crawl.RequestTiming(request.Url.ToString(), spent) { Error = failed.Failure.Kind });
                }

                Resume();
                Step(stage, request, request.OnFailed(failed.Failure));
                break;
            case Host.Denied denied when denied.RequestId == request.RequestId:
                Resume();
                Step(stage, request, request.OnDenied(denied.Reason));
                break;
            case Host.Queued queued when queued.RequestId == request.RequestId:
                Pause();
                break;
            case Host.Dispatched dispatched when dispatched.RequestId == request.RequestId:
                Resume();
                break;
            case PageDecided decided when decided.RequestId == request.RequestId:
                _crawl.Pages.Add();
                Resume();
                _answeredEarly = decided.RequestId;
                _attempts = Math.Max(_attempts, request.MaxAttempts);
                OnDecided(stage, request, decided);
                break;
            case Host.Fetched late when late.RequestId == _answeredEarly && late.Response.Timings is { } lateTimings:
                _timings.Add(new Crawl.RequestTiming(late.Response.Url.ToString(), lateTimings) { Status = late.Response.StatusCode });
                break;
            case PlanetTimedOut:
                Fail(stage, new Failure(ErrorKind.Timeout,
                    $"timeout: the planet took longer than {_crawl.Settings.PlanetTimeout.TotalSeconds:0.###} s (planet phase, while fetching the {stage.Name()})",
                    request.Url.ToString(), null, TimeoutPhase.Planet), request);
                break;
            case Host.Fetched or Host.Failed or Host.Denied or Host.Queued or Host.Dispatched or PageDecided:
                break; // late: for a request already left behind (a retry or a redirect moved on)
            default:
                Unhandled(message);
                break;
        }
    };

    private void AddRobots(Crawl.RequestTiming? robots)
    {
        if (robots is not null)
        {
            _timings.Add(robots);
        }
    }

    private void Begin(FetchStage stage, Uri url, FetchPriority priority)
    {
        var title = stage == FetchStage.Article || _job.Mode == CrawlMode.Titles;
        var request = new PageRequest(_crawl.CrawlId, _crawl.Profile, url, priority, () => ++_ids, () => _clock.Elapsed, _timings)
        {
            Early = EarlyAnswer.For(_crawl.Settings, _crawl.Extractor, title),
            HandOff = _job.HandOff,
            Earlier = stage == _job.Stage ? [.. _job.Chain.Select(hop => new Uri(hop))] : [],
        };
        Become(Fetching(stage, request));
        Send(request.Start());
    }

    private void Step(FetchStage stage, PageRequest request, RequestStep step)
    {
        switch (step)
        {
            case RequestStep.Send send:
                Send(send.Fetch);
                break;
            case RequestStep.Failed failed:
                Fail(stage, failed.Failure, failed.Failure.Kind == ErrorKind.Robots ? null : request);
                break;
            case RequestStep.Moved moved:
                _attempts = Math.Max(_attempts, request.MaxAttempts);
                Report(new Crawl.PlanetMoved(_job.Index, _job.Url, stage, moved.Next.ToString(), [.. moved.Chain.Select(hop => hop.ToString())], _attempts,
                    _clock.ElapsedMilliseconds));
                break;
            case RequestStep.Done done when stage == FetchStage.Planet:
                _attempts = Math.Max(_attempts, request.MaxAttempts);
                OnPlanetPage(done.Response);
                break;
            case RequestStep.Done done:
                _attempts = Math.Max(_attempts, request.MaxAttempts);
                ReportTitle(FetchStage.Article, _crawl.Extractor.Parse(done.Response.Body, done.Response.Header("Content-Type")), done.Response,
                    done.Response.Url.ToString());
                break;
        }
    }

    private void Send(Host.Fetch fetch)
    {
        if (_log.IsDebugEnabled)
        {
            _log.Debug("GET {Url} (attempt {Attempt})", fetch.Url, fetch.Attempt);
        }

        _crawl.Hosts.Tell(fetch);
    }

    // ---- Pages --------------------------------------------------------------------------------------------------

    private void OnPlanetPage(Http.ResponseReceived response)
    {
        var extractor = _crawl.Extractor;
        var page = extractor.Parse(response.Body, response.Header("Content-Type"));
        if (_job.Mode == CrawlMode.Titles)
        {
            ReportTitle(FetchStage.Planet, page, response, article: null);
            return;
        }

        if (!extractor.FindArticleLink(page, response.Url, out var link, out var badHref, out var problem))
        {
            if (badHref is not null)
            {
                Fail(FetchStage.Article, new Failure(ErrorKind.BadUrl, $"{problem} (on {response.Url})", badHref));
            }
            else
            {
                Fail(FetchStage.Planet, new Failure(ErrorKind.NoArticle, $"no article link on {response.Url}: {problem}", response.Url.ToString(),
                    response.StatusCode));
            }

            return;
        }

        FollowArticle(link!, response.StatusCode);
    }

    /// <summary>The page's answer came before its end (<see cref="PageWatch"/>): the same steps as for the whole page.</summary>
    private void OnDecided(FetchStage stage, PageRequest request, PageDecided decided)
    {
        if (decided.Link is { } link)
        {
            FollowArticle(link, decided.StatusCode);
            return;
        }

        Report(new Crawl.PlanetFetched(_job.Index, _job.Url, stage == FetchStage.Article ? request.Url.ToString() : null, decided.Title!,
            decided.StatusCode, _attempts, _clock.ElapsedMilliseconds));
    }

    private void FollowArticle(Uri link, int status)
    {
        if (!UrlPolicy.Check(link.ToString(), out var article, out var refused, _crawl.Settings.MaxUrlLength))
        {
            Fail(FetchStage.Article, refused! with { Message = $"the article link {refused.Message}" });
            return;
        }

        if (_job.LinkOnly)
        {
            Report(new Crawl.PlanetFetched(_job.Index, _job.Url, article!.ToString(), string.Empty, status, _attempts, _clock.ElapsedMilliseconds));
            return;
        }

        _log.Debug("First article on {Planet}: {Article}", _job.Url, article);
        Begin(FetchStage.Article, article!, FetchPriority.FollowUp);
    }

    private void ReportTitle(FetchStage stage, IHtmlDocument page, Http.ResponseReceived response, string? article)
    {
        if (_crawl.Extractor.FindTitle(page, out var title, out var problem))
        {
            Report(new Crawl.PlanetFetched(_job.Index, _job.Url, article, title, response.StatusCode, _attempts, _clock.ElapsedMilliseconds));
        }
        else
        {
            Fail(stage, new Failure(ErrorKind.NoTitle, $"no title on {response.Url}: {problem}", response.Url.ToString(), response.StatusCode));
        }
    }

    // ---- The planet's clock and its end ----------------------------------------------------------------------------

    private void Pause()
    {
        if (_activeSince != 0)
        {
            _active += Stopwatch.GetElapsedTime(_activeSince);
            _activeSince = 0;
            Timers.Cancel(PlanetTimerKey);
        }
    }

    private void Resume()
    {
        if (_activeSince == 0)
        {
            _activeSince = Stopwatch.GetTimestamp();
            var left = _crawl.Settings.PlanetTimeout - _active;
            Timers.StartSingleTimer(PlanetTimerKey, PlanetTimedOut.Instance, left > TimeSpan.Zero ? left : TimeSpan.Zero);
        }
    }

    /// <summary>Reports the failure at <paramref name="stage"/>; <paramref name="request"/>'s attempts count when it
    /// reached a server.</summary>
    private void Fail(FetchStage stage, Failure failure, PageRequest? request = null)
    {
        if (request is not null)
        {
            _attempts = Math.Max(_attempts, request.MaxAttempts);
        }

        Report(new Crawl.PlanetFailed(_job.Index, _job.Url, stage, failure, _attempts, _clock.ElapsedMilliseconds));
    }

    /// <inheritdoc />
    protected override void PostStop() => CrawlerTelemetry.PlanetEnded();

    private void Report(Crawl.PlanetResult result)
    {
        result = result with { Timings = _timings.ToArray() };
        CrawlerTelemetry.Record(_crawl.Id, _job, result, _startedAt);
        Context.Parent.Tell(result);
        Become(_ => { }); // nothing more: one result per planet
        Context.Stop(Self);
    }

    private sealed record PlanetTimedOut
    {
        public static readonly PlanetTimedOut Instance = new();
    }
}
