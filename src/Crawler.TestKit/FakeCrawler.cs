using System.Collections.Concurrent;
using System.Collections.Immutable;
using Akka;
using Akka.Actor;
using Akka.Streams.Dsl;
using Crawler.Core;
using Crawler.Core.Configuration;
using Crawler.Core.Embedding;

namespace Crawler.TestKit;

/// <summary>
/// An <see cref="ICrawler"/> that makes no request: each planet's result is the one scripted for its URL
/// (<see cref="Fetches"/>, <see cref="Fails"/>, <see cref="Answers"/>), else <see cref="Otherwise"/>'s (by default a
/// 404 <c>http-status</c> failure, as a site without that page). For the tests of code that takes an
/// <see cref="ICrawler"/> (from DI, say): it keeps the crawler's contract (one result per planet, numbered in the
/// order given, each with the crawl's id; <c>cancelled</c> results when cancelled; <see cref="Crawl.Completed"/> last;
/// a crawl whose results actor stops is dropped) and records every crawl it was asked for (<see cref="Crawls"/>).
/// </summary>
public sealed class FakeCrawler : ICrawler
{
    private readonly ConcurrentDictionary<string, Func<CrawlMode, Crawl.PlanetResult>> _scripted = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<FakeCrawl> _crawls = new();
    private Func<string, CrawlMode, Crawl.PlanetResult> _otherwise = (planet, _) =>
        PlanetResults.Failed(planet, ErrorKind.HttpStatus, status: 404, message: "http-status: 404 (no result is scripted for it in the FakeCrawler)");
    private long _ids;

    /// <param name="settings">What <see cref="Settings"/> returns (default: the reference settings).</param>
    public FakeCrawler(CrawlerSettings? settings = null) =>
        Settings = settings ?? CrawlerSettings.Create(CrawlerSettings.DefaultConfig().GetConfig("crawler"));

    /// <inheritdoc />
    public CrawlerSettings Settings { get; }

    /// <summary>How long each planet takes before its result (default none). A crawl's planets run side by side, so a
    /// crawl takes about this long; a cancel during it makes the planets <c>cancelled</c>.</summary>
    public TimeSpan ResultDelay { get; set; }

    /// <summary>Every crawl asked for so far, in order.</summary>
    public IReadOnlyList<FakeCrawl> Crawls => [.. _crawls];

    /// <summary><paramref name="planet"/> succeeds: its article (<paramref name="article"/>) has the title
    /// <paramref name="title"/> (in the titles job, the page itself has it and there is no article).</summary>
    public FakeCrawler Fetches(string planet, string title, string? article = null)
    {
        _scripted[planet] = mode => PlanetResults.Fetched(planet, title, mode == CrawlMode.Titles ? null : article ?? planet);
        return this;
    }

    /// <summary><paramref name="planet"/> fails with <paramref name="kind"/>.</summary>
    public FakeCrawler Fails(string planet, ErrorKind kind, FetchStage stage = FetchStage.Planet, int? status = null, TimeoutPhase? phase = null)
    {
        _scripted[planet] = _ => PlanetResults.Failed(planet, kind, stage, status: status, phase: phase);
        return this;
    }

    /// <summary><paramref name="planet"/>'s result is <paramref name="result"/> (its index and crawl id are set per crawl).</summary>
    public FakeCrawler Answers(string planet, Crawl.PlanetResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        _scripted[planet] = _ => result;
        return this;
    }

    /// <summary>The result of every planet not scripted otherwise.</summary>
    public FakeCrawler Otherwise(Func<string, CrawlMode, Crawl.PlanetResult> answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        _otherwise = answer;
        return this;
    }

    /// <inheritdoc />
    public async Task<CrawlReport> CrawlAsync(IEnumerable<string> planets, CrawlOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(planets);
        var crawl = Record(options, nameof(CrawlAsync), planets);
        var cancelled = false;
        try
        {
            await Task.Delay(ResultDelay, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            cancelled = true;
        }

        var results = crawl.Urls.Select((url, i) => cancelled ? Cancelled(url, i, crawl.CrawlId, "the caller cancelled the crawl") : ResultOf(crawl, url, i)).ToList();
        return new CrawlReport(CrawlSummary.Of(results, ResultDelay), results) { CrawlId = crawl.CrawlId };
    }

    /// <inheritdoc />
    public Source<Crawl.PlanetResult, NotUsed> Results(Source<string, NotUsed> planets, CrawlOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(planets);
        return planets.Via(ResultsFlow(options)).MapMaterializedValue(_ => NotUsed.Instance);
    }

    /// <inheritdoc />
    public Flow<string, Crawl.PlanetResult, StreamedCrawl> ResultsFlow(CrawlOptions? options = null) =>
        Flow.FromGraph(new FakeCrawlStage(this, options));

    /// <inheritdoc />
    public Props CrawlProps(IActorRef resultsTo, CrawlOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(resultsTo);
        return Props.Create(() => new FakeCrawlActor(this, resultsTo, options));
    }

    internal FakeCrawl Record(CrawlOptions? options, string way, IEnumerable<string?> planets)
    {
        var id = string.IsNullOrWhiteSpace(options?.CrawlId) ? $"fake-{Interlocked.Increment(ref _ids)}" : options.CrawlId;
        var crawl = new FakeCrawl(id, options?.Mode ?? CrawlMode.Planets, options, way);
        foreach (var planet in planets)
        {
            crawl.Add(planet ?? string.Empty);
        }

        _crawls.Enqueue(crawl);
        return crawl;
    }

    internal Crawl.PlanetResult ResultOf(FakeCrawl crawl, string planet, int index)
    {
        var result = _scripted.TryGetValue(planet, out var scripted) ? scripted(crawl.Mode) : _otherwise(planet, crawl.Mode);
        return result with { Index = index, CrawlId = crawl.CrawlId };
    }

    internal static Crawl.PlanetResult Cancelled(string planet, int index, string crawlId, string reason) =>
        PlanetResults.Failed(planet, ErrorKind.Cancelled, message: "cancelled: " + reason, index: index, attempts: 0, crawlId: crawlId);
}

/// <summary>A crawl a <see cref="FakeCrawler"/> was asked for.</summary>
public sealed class FakeCrawl
{
    private readonly ConcurrentQueue<string> _urls = new();

    internal FakeCrawl(string crawlId, CrawlMode mode, CrawlOptions? options, string way)
    {
        CrawlId = crawlId;
        Mode = mode;
        Options = options;
        Way = way;
    }

    /// <summary>The crawl's id (the options' or a new one).</summary>
    public string CrawlId { get; }

    /// <summary>The job (a <see cref="Crawl.StartCrawl"/> that names one wins over the options).</summary>
    public CrawlMode Mode { get; internal set; }

    /// <summary>The options it was given, if any.</summary>
    public CrawlOptions? Options { get; }

    /// <summary>How it was asked for: <c>CrawlAsync</c>, <c>ResultsFlow</c> (streams) or <c>CrawlProps</c>.</summary>
    public string Way { get; }

    /// <summary>Its planets so far, in order (a stream's grow as they are pulled).</summary>
    public IReadOnlyList<string> Urls => [.. _urls];

    internal void Add(string url) => _urls.Enqueue(url);
}

/// <summary>The actor of <see cref="FakeCrawler.CrawlProps"/>: waits for a start, then for the crawler's
/// <see cref="FakeCrawler.ResultDelay"/> (or a cancel), sends every result and <see cref="Crawl.Completed"/>, and stops.</summary>
internal sealed class FakeCrawlActor : UntypedActor, IWithTimers
{
    private readonly FakeCrawler _crawler;
    private readonly IActorRef _resultsTo;
    private readonly CrawlOptions? _options;
    private FakeCrawl? _crawl;

    public FakeCrawlActor(FakeCrawler crawler, IActorRef resultsTo, CrawlOptions? options)
    {
        _crawler = crawler;
        _resultsTo = resultsTo;
        _options = options;
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() => Context.Watch(_resultsTo);

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Crawl.StartCrawl when _crawl is not null:
                Sender.Tell(new Crawl.CrawlRefused("this crawl has already started"));
                break;
            case Crawl.StartCrawl start:
                var urls = start.Urls.IsDefault ? ImmutableArray<string>.Empty : start.Urls;
                _crawl = _crawler.Record(_options, nameof(FakeCrawler.CrawlProps), urls);
                if (start.Mode is { } mode)
                {
                    _crawl.Mode = mode;
                }

                Timers.StartSingleTimer("results", Emit.Instance, _crawler.ResultDelay);
                break;
            case Emit when _crawl is not null:
                Finish(_crawl.Urls.Select((url, i) => _crawler.ResultOf(_crawl, url, i)));
                break;
            case Crawl.CancelCrawl cancel when _crawl is not null:
                Finish(_crawl.Urls.Select((url, i) => FakeCrawler.Cancelled(url, i, _crawl.CrawlId, cancel.Reason)));
                break;
            case Crawl.CancelCrawl:
                Context.Stop(Self);
                break;
            case Terminated terminated when terminated.ActorRef.Equals(_resultsTo):
                Context.Stop(Self);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Finish(IEnumerable<Crawl.PlanetResult> results)
    {
        var sent = results.ToList();
        foreach (var result in sent)
        {
            _resultsTo.Tell(result);
        }

        _resultsTo.Tell(new Crawl.Completed(CrawlSummary.Of(sent, _crawler.ResultDelay)) { CrawlId = _crawl!.CrawlId });
        Context.Stop(Self);
    }

    private sealed class Emit
    {
        public static readonly Emit Instance = new();
    }
}
