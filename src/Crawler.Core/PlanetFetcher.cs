using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Crawler.Http;

namespace Crawler.Core;

#pragma warning disable IDE0065 // Inside namespace Crawler.*, the name Http means the namespace Crawler.Http;
using Http = Crawler.Http.Http; // an alias in the namespace lets call sites read Http.Send, as Tcp.Connect.
#pragma warning restore IDE0065

/// <summary>
/// Fetches one planet: GET the planet page, follow its first article link, GET the article, find its title. It
/// reports exactly one <see cref="Crawl.PlanetResult"/> to its parent (the coordinator) and stops. In the titles job
/// it stops at the first page's title. Its HTTP connections are children, one per origin, so the article goes over
/// the planet's keep-alive connection when both share an origin, and stopping the fetcher closes its sockets.
/// </summary>
/// <remarks>States: <see cref="FetchingPlanet"/> → <see cref="FetchingArticle"/>; the whole planet is bounded by
/// <see cref="CrawlerSettings.PlanetTimeout"/>.</remarks>
public sealed class PlanetFetcher : ReceiveActor, IWithTimers
{
    private const string PlanetTimerKey = "planet-timeout";

    private readonly Crawl.FetchPlanet _job;
    private readonly CrawlerSettings _settings;
    private readonly Func<IUntypedActorContext, Uri, IActorRef> _connectionFactory;
    private readonly Dictionary<string, IActorRef> _connections = new(StringComparer.OrdinalIgnoreCase);
    private readonly PageExtractor _extractor;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private long _requestId;
    private Uri? _pending;
    private FetchStage _stage = FetchStage.Planet;
    private bool _reported;

    /// <summary>Creates the fetcher; prefer <see cref="Props"/>.</summary>
    public PlanetFetcher(Crawl.FetchPlanet job, CrawlerSettings settings, Func<IUntypedActorContext, Uri, IActorRef>? connectionFactory)
    {
        _job = job;
        _settings = settings;
        _connectionFactory = connectionFactory ?? DefaultConnection(settings);
        _extractor = new PageExtractor(settings.ArticleSelector, settings.TitleSelector);
        FetchingPlanet();
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props for the fetcher of <paramref name="job"/>. <paramref name="connectionFactory"/> makes the
    /// connection actor of an origin (default: an <see cref="HttpClientConnection"/> child); tests pass probes.</summary>
    public static Props Props(Crawl.FetchPlanet job, CrawlerSettings settings,
        Func<IUntypedActorContext, Uri, IActorRef>? connectionFactory = null) =>
        Akka.Actor.Props.Create(() => new PlanetFetcher(job, settings, connectionFactory));

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
        Timers.StartSingleTimer(PlanetTimerKey, PlanetTimedOut.Instance, _settings.PlanetTimeout);
        if (UrlPolicy.Check(_job.Url, out var url, out var kind, out var problem))
        {
            Request(url!);
        }
        else
        {
            Fail(kind, _job.Url, null, problem);
        }
    }

    private void FetchingPlanet()
    {
        Receive<Http.ResponseReceived>(r => r.RequestId == _requestId, OnPlanetPage);
        Receive<Http.RequestFailed>(f => f.RequestId == _requestId, OnRequestFailed);
        Receive<PlanetTimedOut>(_ => OnPlanetTimedOut());
    }

    private void FetchingArticle()
    {
        Receive<Http.ResponseReceived>(r => r.RequestId == _requestId, OnArticlePage);
        Receive<Http.RequestFailed>(f => f.RequestId == _requestId, OnRequestFailed);
        Receive<PlanetTimedOut>(_ => OnPlanetTimedOut());
    }

    private void OnPlanetPage(Http.ResponseReceived response)
    {
        if (!IsSuccess(response))
        {
            return;
        }

        var page = PageExtractor.Parse(BodyText.Decode(response));
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
                Fail(ErrorKind.BadUrl, badHref, null, $"{problem} (on {response.Url})");
            }
            else
            {
                Fail(ErrorKind.NoArticle, response.Url.ToString(), response.StatusCode, $"no article link on {response.Url}: {problem}");
            }

            return;
        }

        _stage = FetchStage.Article;
        if (!UrlPolicy.Check(link!.ToString(), out var article, out var kind, out var urlProblem))
        {
            Fail(kind, link.ToString(), null, $"the article link {urlProblem}");
            return;
        }

        _log.Debug("First article on {Planet}: {Article}", _job.Url, article);
        Become(FetchingArticle);
        Request(article!);
    }

    private void OnArticlePage(Http.ResponseReceived response)
    {
        if (IsSuccess(response))
        {
            ReportTitle(PageExtractor.Parse(BodyText.Decode(response)), response, response.Url.ToString());
        }
    }

    private void ReportTitle(AngleSharp.Html.Dom.IHtmlDocument page, Http.ResponseReceived response, string? article)
    {
        if (_extractor.FindTitle(page, out var title, out var problem))
        {
            Report(new Crawl.PlanetFetched(_job.Index, _job.Url, article, title, response.StatusCode, _clock.ElapsedMilliseconds));
        }
        else
        {
            Fail(ErrorKind.NoTitle, response.Url.ToString(), response.StatusCode, $"no title on {response.Url}: {problem}");
        }
    }

    private bool IsSuccess(Http.ResponseReceived response)
    {
        if (response.StatusCode is >= 200 and < 300)
        {
            return true;
        }

        var reason = string.IsNullOrEmpty(response.ReasonPhrase) ? string.Empty : " " + response.ReasonPhrase;
        Fail(ErrorKind.HttpStatus, response.Url.ToString(), response.StatusCode, $"{response.StatusCode}{reason} from {response.Url}");
        return false;
    }

    private void OnRequestFailed(Http.RequestFailed failed) =>
        Fail(failed.Kind, failed.Request.Url.ToString(), null, failed.Message);

    private void OnPlanetTimedOut() =>
        Fail(ErrorKind.Timeout, _pending?.ToString(), null,
            $"timeout: the planet took longer than {_settings.PlanetTimeout.TotalSeconds:0.###} s (whole planet, while fetching the {_stage.Name()})");

    private void Request(Uri url)
    {
        _pending = url;
        var origin = $"{url.IdnHost}:{url.Port}";
        if (!_connections.TryGetValue(origin, out var connection))
        {
            connection = _connectionFactory(Context, url);
            _connections[origin] = connection;
        }

        connection.Tell(Http.Send.Get(++_requestId, url));
    }

    private void Fail(ErrorKind kind, string? url, int? status, string message) =>
        Report(new Crawl.PlanetFailed(_job.Index, _job.Url, kind, _stage, url, status, message, _clock.ElapsedMilliseconds));

    private void Report(Crawl.PlanetResult result)
    {
        if (_reported)
        {
            return;
        }

        _reported = true;
        Context.Parent.Tell(result);
        Context.Stop(Self);
    }

    private static Func<IUntypedActorContext, Uri, IActorRef> DefaultConnection(CrawlerSettings settings) =>
        (context, url) => context.ActorOf(HttpClientConnection.Props(url.IdnHost, url.Port, settings.Http), HttpClientConnection.ActorName(url));

    private sealed record PlanetTimedOut
    {
        public static readonly PlanetTimedOut Instance = new();
    }
}
