using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using AngleSharp.Html.Dom;
using Crawler.Core.Configuration;
using Crawler.Core.Coordination;
using Crawler.Core.Extraction;
using Crawler.Core.Politeness;
using Crawler.Http;
using Crawler.Http.Connection;
using Crawler.Http.Pool;

namespace Crawler.Core.Fetching;

#pragma warning disable IDE0065 // Inside namespace Crawler.*, the name Http means the namespace Crawler.Http;
using Http = Crawler.Http.Http; // an alias in the namespace lets call sites read Http.Send, as Tcp.Connect.
#pragma warning restore IDE0065

/// <summary>
/// Fetches one planet: GET the planet page, follow its first article link, GET the article, find its title. It
/// reports exactly one <see cref="Crawl.PlanetResult"/> to its parent (the coordinator) and stops. In the titles job
/// it stops at the first page's title. Along the way it follows redirects (up to <c>max-redirects</c>, refusing
/// loops) and retries transient failures with backoff, each attempt granted by the crawl's
/// <see cref="HostGovernor"/>. Its HTTP connections are children, one per origin, so the article goes over the
/// planet's keep-alive connection when both share an origin, and stopping the fetcher closes its sockets.
/// </summary>
/// <remarks>States: <see cref="FetchingPlanet"/> → <see cref="FetchingArticle"/>; in each, a request waits for its
/// grant, then for its reply. The whole planet is bounded by <see cref="CrawlerSettings.PlanetTimeout"/>. A
/// connection that throws is stopped, and the planet ends as a <c>crash</c>.</remarks>
public sealed class PlanetFetcher : UntypedActor, IWithTimers
{
    private const string PlanetTimerKey = "planet-timeout";
    private const string SendTimerKey = "send";

    private readonly Crawl.FetchPlanet _job;
    private readonly CrawlerSettings _settings;
    private readonly Func<IUntypedActorContext, Uri, IActorRef> _connectionFactory;
    private readonly IPageExtractor _extractor;
    private readonly Dictionary<string, IActorRef> _connections = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<IActorRef, Exception> _crashes = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly List<Uri> _chain = [];
    private readonly List<Crawl.RequestTiming> _timings = [];
    private IActorRef _governor;
    private SlowedHosts _slowed;
    private IActorRef _robots;
    private RobotsCache _robotsCache;
    private FetchStage _stage = FetchStage.Planet;
    private Uri? _target;
    private long _token;
    private int _attempt;
    private int _maxAttempts;
    private Failure? _lastFailure;
    private bool _reported;

    /// <summary>Creates the fetcher; prefer <see cref="Props"/>.</summary>
    public PlanetFetcher(Crawl.FetchPlanet job, CrawlerSettings settings, CrawlServices? services,
        Func<IUntypedActorContext, Uri, IActorRef>? connectionFactory, IPageExtractor? extractor)
    {
        _job = job;
        _settings = settings;
        _governor = services?.Governor ?? ActorRefs.Nobody;
        _slowed = services?.SlowedHosts ?? new SlowedHosts();
        _robots = services?.Robots ?? ActorRefs.Nobody;
        _robotsCache = services?.RobotsCache ?? new RobotsCache();
        _connectionFactory = connectionFactory ?? (services is null ? DefaultConnection(settings) : (_, _) => services.Pool);
        _extractor = extractor ?? services?.Extractor ?? new PageExtractor(settings.ArticleSelector, settings.TitleSelector);
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props for the fetcher of <paramref name="job"/>. <paramref name="services"/> are the crawl's shared
    /// governor, robots keeper and their caches (null: the fetcher makes private ones).
    /// <paramref name="connectionFactory"/> makes the connection actor of an origin (default: an
    /// <see cref="HttpClientConnection"/> child) and <paramref name="extractor"/> reads the pages; tests pass probes
    /// and fakes.</summary>
    public static Props Props(Crawl.FetchPlanet job, CrawlerSettings settings, CrawlServices? services = null,
        Func<IUntypedActorContext, Uri, IActorRef>? connectionFactory = null, IPageExtractor? extractor = null) =>
        Akka.Actor.Props.Create<PlanetFetcher>(job, settings, services, connectionFactory, extractor);

    /// <summary>The actor name of the fetcher of <paramref name="job"/>: <c>fetch-{index}-{host}</c>.</summary>
    public static string ActorName(Crawl.FetchPlanet job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var host = Uri.TryCreate(job.Url, UriKind.Absolute, out var url) && !string.IsNullOrEmpty(url.Host) ? url.Host : "bad-url";
        return ActorNames.Safe($"fetch-{job.Index}-{host}");
    }

    /// <inheritdoc />
    protected override SupervisorStrategy SupervisorStrategy() => new CrashRecordingStrategy(_crashes);

    /// <inheritdoc />
    protected override void PreStart()
    {
        if (_governor.IsNobody())
        {
            _governor = Context.ActorOf(HostGovernor.Props(_settings.Retry, _slowed, minHostDelay: _settings.MinHostDelay), "host-governor");
        }

        if (_robots.IsNobody() && _settings.RespectRobots)
        {
            _robots = Context.ActorOf(RobotsKeeper.Props(_settings, _robotsCache, _slowed, _governor, _connectionFactory), "robots-keeper");
        }

        Timers.StartSingleTimer(PlanetTimerKey, PlanetTimedOut.Instance, _settings.PlanetTimeout);
        if (UrlPolicy.Check(_job.Url, out var url, out var failure))
        {
            Begin(url!);
        }
        else
        {
            Fail(failure!);
        }
    }

    /// <inheritdoc />
    protected override void OnReceive(object message) => FetchingPlanet(message);

    // The fetcher is created once per planet, so it is an UntypedActor with plain state methods: a ReceiveActor
    // compiles its handlers for every instance, which cost more than the rest of a planet's actor work together.
    private void FetchingPlanet(object message)
    {
        if (message is Http.ResponseReceived response)
        {
            if (response.RequestId == _token)
            {
                OnResponse(response, OnPlanetPage);
            }

            return;
        }

        Common(message);
    }

    private void FetchingArticle(object message)
    {
        if (message is Http.ResponseReceived response)
        {
            if (response.RequestId == _token)
            {
                OnResponse(response, OnArticlePage);
            }

            return;
        }

        Common(message);
    }

    /// <summary>What both states handle. Replies that carry an older token are late (a retry or a redirect moved
    /// on) and are dropped.</summary>
    private void Common(object message)
    {
        switch (message)
        {
            case Http.RequestFailed failed when failed.RequestId == _token:
                OnRequestFailed(failed);
                break;
            case HostGovernor.Granted granted when granted.Token == _token:
                OnGranted(granted);
                break;
            case RobotsKeeper.Verdict verdict when verdict.Token == _token:
                Obey(verdict.Rules);
                break;
            case HostGovernor.Denied denied when denied.Token == _token:
                Fail(_lastFailure! with { Message = $"{_lastFailure.Message} (not retried: {denied.Reason})" });
                break;
            case SendNow now when now.Token == _token:
                Send();
                break;
            case PlanetTimedOut:
                OnPlanetTimedOut();
                break;
            case Terminated terminated:
                OnConnectionTerminated(terminated);
                break;
            case Http.RequestFailed or HostGovernor.Granted or HostGovernor.Denied or RobotsKeeper.Verdict or SendNow:
                break; // late: for a token already left behind
            default:
                Unhandled(message);
                break;
        }
    }

    // ---- Requests: grant, send, retry, redirect -----------------------------------------------------------------

    /// <summary>Starts the request for a new URL of the current stage (the planet, or its article).</summary>
    private void Begin(Uri url)
    {
        _chain.Clear();
        _chain.Add(url);
        Start(url);
    }

    private void Start(Uri url)
    {
        _target = url;
        _attempt = 1;
        ++_token;
        if (!_settings.RespectRobots)
        {
            Proceed();
        }
        else if (_robotsCache.TryGet(url, out var rules))
        {
            Obey(rules!);
        }
        else
        {
            _robots.Tell(new RobotsKeeper.Check(url, _token));
        }
    }

    private void Obey(RobotsRules rules)
    {
        var path = _target!.PathAndQuery;
        if (rules.IsAllowed(path))
        {
            Proceed();
            return;
        }

        Fail(new Failure(ErrorKind.Robots, $"{_target} is disallowed for {_settings.ProductToken} by {rules.Source} ({rules.Explain(path)})",
            _target.ToString()));
    }

    /// <summary>The first attempt: at once for a host nobody asked to slow down, else when the governor grants it.</summary>
    private void Proceed()
    {
        var url = _target!;
        _maxAttempts = Math.Max(_maxAttempts, 1);
        if (_settings.MinHostDelay > TimeSpan.Zero || _slowed.Contains(url.IdnHost))
        {
            _governor.Tell(new HostGovernor.Acquire(url.IdnHost, _token));
            return;
        }

        _governor.Tell(new HostGovernor.Requested(url.IdnHost));
        Send();
    }

    private void OnGranted(HostGovernor.Granted granted)
    {
        if (granted.Delay > TimeSpan.Zero)
        {
            Timers.StartSingleTimer(SendTimerKey, new SendNow(granted.Token), granted.Delay);
        }
        else
        {
            Send();
        }
    }

    private void Send()
    {
        var url = _target!;
        var origin = HttpConnectionPool.OriginOf(url);
        if (!_connections.TryGetValue(origin, out var connection))
        {
            connection = _connectionFactory(Context, url);
            Context.Watch(connection);
            _connections[origin] = connection;
        }

        if (_log.IsDebugEnabled)
        {
            _log.Debug("GET {Url} (attempt {Attempt})", url, _attempt);
        }

        connection.Tell(Http.Send.Get(_token, url));
    }

    private void OnResponse(Http.ResponseReceived response, Action<Http.ResponseReceived> onSuccess)
    {
        if (response.Timings is { } timings)
        {
            _timings.Add(new Crawl.RequestTiming(response.Url.ToString(), timings));
        }

        if (RedirectPolicy.IsRedirect(response.StatusCode) && response.Header("Location") is { } location)
        {
            FollowRedirect(response, location);
            return;
        }

        if (response.StatusCode is >= 200 and < 300)
        {
            onSuccess(response);
            return;
        }

        var reason = string.IsNullOrEmpty(response.ReasonPhrase) ? string.Empty : " " + response.ReasonPhrase;
        var failure = new Failure(ErrorKind.HttpStatus, $"{response.StatusCode}{reason} from {response.Url}", response.Url.ToString(),
            response.StatusCode);
        var retryAfter = RetryPolicy.ParseRetryAfter(response.Header("Retry-After"), DateTimeOffset.UtcNow);
        if (RetryPolicy.AsksToSlowDown(response.StatusCode))
        {
            _governor.Tell(new HostGovernor.SlowDown(response.Url.IdnHost, retryAfter));
        }

        RetryOrFail(failure, retryAfter);
    }

    private void OnRequestFailed(Http.RequestFailed failed) => RetryOrFail(Failure.From(failed.Failure, failed.Request.Url), null);

    private void RetryOrFail(Failure failure, TimeSpan? retryAfter)
    {
        var retry = _settings.Retry;
        if (!RetryPolicy.IsTransient(failure, _clock.Elapsed, retry))
        {
            Fail(failure);
            return;
        }

        if (_attempt > retry.MaxRetries)
        {
            Fail(failure with { Message = $"{failure.Message} (after {_attempt} attempts)" });
            return;
        }

        if (retryAfter > retry.MaxRetryAfter)
        {
            Fail(failure with
            {
                Message = $"{failure.Message} (it asked to retry after {retryAfter.Value.TotalSeconds:0} s, more than crawler.retry.max-retry-after)",
            });
            return;
        }

        _lastFailure = failure;
        var backoff = RetryPolicy.Backoff(_attempt, retry, Random.Shared.NextDouble());
        _attempt++;
        _maxAttempts = Math.Max(_maxAttempts, _attempt);
        _log.Debug("Retrying {Url} after {Kind}: attempt {Attempt}", _target, failure.Kind.Name(), _attempt);
        _governor.Tell(new HostGovernor.AcquireRetry(_target!.IdnHost, ++_token, backoff, retryAfter));
    }

    private void FollowRedirect(Http.ResponseReceived response, string location)
    {
        if (!RedirectPolicy.TryFollow(_chain, location, response.StatusCode, _settings.Http.MaxRedirects, out var next, out var failure))
        {
            Fail(failure!);
            return;
        }

        if (_log.IsDebugEnabled)
        {
            _log.Debug("{From} redirects ({Status}) to {To}", response.Url, response.StatusCode, next);
        }

        _chain.Add(next!);
        Start(next!);
    }

    // ---- Pages --------------------------------------------------------------------------------------------------

    private void OnPlanetPage(Http.ResponseReceived response)
    {
        var page = _extractor.Parse(response.Body, response.Header("Content-Type"));
        if (_job.Mode == CrawlMode.Titles)
        {
            ReportTitle(page, response, article: null);
            return;
        }

        if (!_extractor.FindArticleLink(page, response.Url, out var link, out var badHref, out var problem))
        {
            if (badHref is not null)
            {
                _stage = FetchStage.Article;
                Fail(new Failure(ErrorKind.BadUrl, $"{problem} (on {response.Url})", badHref));
            }
            else
            {
                Fail(new Failure(ErrorKind.NoArticle, $"no article link on {response.Url}: {problem}", response.Url.ToString(), response.StatusCode));
            }

            return;
        }

        _stage = FetchStage.Article;
        if (!UrlPolicy.Check(link!.ToString(), out var article, out var refused))
        {
            Fail(refused! with { Message = $"the article link {refused.Message}" });
            return;
        }

        _log.Debug("First article on {Planet}: {Article}", _job.Url, article);
        Context.Become(FetchingArticle);
        Begin(article!);
    }

    private void OnArticlePage(Http.ResponseReceived response) =>
        ReportTitle(_extractor.Parse(response.Body, response.Header("Content-Type")), response, response.Url.ToString());

    private void ReportTitle(IHtmlDocument page, Http.ResponseReceived response, string? article)
    {
        if (_extractor.FindTitle(page, out var title, out var problem))
        {
            Report(new Crawl.PlanetFetched(_job.Index, _job.Url, article, title, response.StatusCode, _maxAttempts, _clock.ElapsedMilliseconds));
        }
        else
        {
            Fail(new Failure(ErrorKind.NoTitle, $"no title on {response.Url}: {problem}", response.Url.ToString(), response.StatusCode));
        }
    }

    // ---- Endings ------------------------------------------------------------------------------------------------

    private void OnPlanetTimedOut() =>
        Fail(new Failure(ErrorKind.Timeout,
            $"timeout: the planet took longer than {_settings.PlanetTimeout.TotalSeconds:0.###} s (planet phase, while fetching the {_stage.Name()})",
            _target?.ToString(), null, TimeoutPhase.Planet));

    private void OnConnectionTerminated(Terminated terminated)
    {
        var origin = _connections.FirstOrDefault(c => c.Value.Equals(terminated.ActorRef)).Key;
        if (origin is null)
        {
            return;
        }

        _connections.Remove(origin);
        Fail(new Failure(ErrorKind.Crash, CrashRecordingStrategy.Describe(_crashes, terminated.ActorRef, $"connection to {origin}"),
            _target?.ToString()));
    }

    private void Fail(Failure failure) =>
        Report(new Crawl.PlanetFailed(_job.Index, _job.Url, _stage, failure, _maxAttempts, _clock.ElapsedMilliseconds));

    private void Report(Crawl.PlanetResult result)
    {
        if (_reported)
        {
            return;
        }

        _reported = true;
        Context.Parent.Tell(result with { Timings = _timings.ToArray() });
        Context.Stop(Self);
    }

    private static Func<IUntypedActorContext, Uri, IActorRef> DefaultConnection(CrawlerSettings settings) =>
        (context, url) => context.ActorOf(HttpClientConnection.PropsFor(url, settings.Http), HttpClientConnection.ActorName(url));

    private sealed record SendNow(long Token);

    private sealed record PlanetTimedOut
    {
        public static readonly PlanetTimedOut Instance = new();
    }
}
