using System.Collections.Immutable;
using Crawler.Http;

namespace Crawler.Core;

/// <summary>Which job a crawl does.</summary>
public enum CrawlMode
{
    /// <summary>The planet job: fetch each planet, follow its first article link, report the article's title.</summary>
    Planets,

    /// <summary>The trivial job: fetch each URL and report its title.</summary>
    Titles,
}

/// <summary>Which of a planet's two requests a failure belongs to.</summary>
public enum FetchStage
{
    /// <summary><c>planet</c>: the planet page (or, in the titles job, the page).</summary>
    Planet,

    /// <summary><c>article</c>: the article the planet links to.</summary>
    Article,
}

/// <summary>
/// The crawl's messages, as an embedder's actor sees them. A crawl made from <see cref="Embedding.ICrawler.CrawlProps"/>
/// is started with <see cref="StartCrawl"/> (ended early with <see cref="CancelCrawl"/>); it sends the actor given to
/// <c>CrawlProps</c> exactly one <see cref="PlanetResult"/> per planet as each finishes (a <see cref="PlanetFetched"/> or a
/// <see cref="PlanetFailed"/>), then one <see cref="Completed"/> with the summary, and stops.
/// </summary>
public static class Crawl
{
    /// <summary>
    /// Starts a crawl: sent once to the actor made from <see cref="Embedding.ICrawler.CrawlProps"/>. The results go to the
    /// actor given to <c>CrawlProps</c> (never as a reply to the sender of <c>StartCrawl</c>). A second
    /// <c>StartCrawl</c> to the same crawl is answered with <see cref="CrawlRefused"/>.
    /// </summary>
    /// <param name="Urls">The planets (or pages, in the titles job), in order; duplicates are crawled as often as listed.
    /// A default (uninitialised) array is an empty crawl; a null or blank URL is a <c>bad-url</c> result.</param>
    /// <param name="Mode">The planet job or the titles job; null (the default) for the crawl's own mode (its
    /// <see cref="Embedding.CrawlOptions.Mode"/>, or the planet job).</param>
    public sealed record StartCrawl(ImmutableArray<string> Urls, CrawlMode? Mode = null);

    /// <summary>
    /// Stops a running crawl (Ctrl-C in the console host, a cancelled task when embedded). The coordinator starts no
    /// more planets, stops the running fetchers (closing their connections) and reports every unfinished planet as a
    /// <c>cancelled</c> <see cref="PlanetFailed"/>; results already delivered stay as they were. No reply.
    /// </summary>
    /// <param name="Reason">Why, for the results' message.</param>
    public sealed record CancelCrawl(string Reason);

    /// <summary>
    /// Starts a crawl whose planets come one by one from an Akka.Streams source (a file of a million URLs, read
    /// lazily): the <c>onInitMessage</c> of <c>Sink.ActorRefWithAck</c>, followed by <see cref="Planet"/> elements,
    /// then <see cref="StreamEnded"/> (or <see cref="StreamFailed"/>). The coordinator answers the start and each
    /// planet with <see cref="PlanetAck"/> only while fewer than max-planets-in-flight fetchers run (back-pressure),
    /// tells the printer <see cref="CrawlStarted"/> with a count of -1, and <see cref="CrawlFinished"/> after the last result.
    /// </summary>
    /// <param name="Mode">The planet job or the titles job; null (the default) for the crawl's own mode.</param>
    internal sealed record StartStreamedCrawl(CrawlMode? Mode = null);

    /// <summary>One planet of a streamed crawl.</summary>
    /// <param name="Url">The planet URL as given.</param>
    internal sealed record Planet(string Url);

    /// <summary>The coordinator is ready for the next <see cref="Planet"/> (the ack of <c>Sink.ActorRefWithAck</c>).</summary>
    internal sealed record PlanetAck
    {
        private PlanetAck()
        {
        }

        /// <summary>The single instance.</summary>
        public static PlanetAck Instance { get; } = new();
    }

    /// <summary>The streamed planets ended.</summary>
    internal sealed record StreamEnded
    {
        private StreamEnded()
        {
        }

        /// <summary>The single instance.</summary>
        public static StreamEnded Instance { get; } = new();
    }

    /// <summary>The source of streamed planets failed: the crawl reads no more planets and finishes those it has; a
    /// crawl whose results are a stream then fails that stream with <see cref="Cause"/>.</summary>
    /// <param name="Reason">What went wrong.</param>
    internal sealed record StreamFailed(string Reason) : Akka.Actor.INoSerializationVerificationNeeded
    {
        /// <summary>The source's exception, when there is one (a stream and its crawl are in one process).</summary>
        public Exception? Cause { get; init; }
    }

    /// <summary>Sent by the coordinator to its printer after the last result: the crawl is done.</summary>
    /// <param name="PlanetCount">How many planets the crawl had.</param>
    internal sealed record CrawlFinished(int PlanetCount);

    /// <summary>The reply to a <see cref="StartCrawl"/> sent to a crawl that has already started.</summary>
    /// <param name="Reason">Why.</param>
    public sealed record CrawlRefused(string Reason);

    /// <summary>Sent by the coordinator to the printer before any result: how many results to expect.</summary>
    /// <param name="PlanetCount">The number of results that will follow; -1 for a streamed crawl, whose
    /// <see cref="CrawlFinished"/> gives the count after the last result.</param>
    /// <param name="Mode">The job, which decides the output format.</param>
    internal sealed record CrawlStarted(int PlanetCount, CrawlMode Mode) : Akka.Actor.INoSerializationVerificationNeeded
    {
        /// <summary>The crawl's count of requests ended (shared with its fetchers: never leaves the process).</summary>
        public Output.PageCounter? Pages { get; init; }

        /// <summary>The crawl's id, which its results and <see cref="Completed"/> carry.</summary>
        public string CrawlId { get; init; } = string.Empty;
    }

    /// <summary>The job of one <see cref="Fetching.PlanetFetcher"/>, given in its Props. The fetcher reports one
    /// <see cref="PlanetResult"/> with the same <paramref name="Index"/> to its parent and stops.</summary>
    /// <param name="Index">The planet's position in the crawl (0-based); results echo it.</param>
    /// <param name="Url">The planet URL as given (it may be malformed: that is a <c>bad-url</c> result).</param>
    /// <param name="Mode">Follow the first article link (planets) or stop at the page's title (titles).</param>
    internal sealed record FetchPlanet(int Index, string Url, CrawlMode Mode)
    {
        /// <summary>Where the fetch starts: <see cref="FetchStage.Planet"/> (the whole planet), or
        /// <see cref="FetchStage.Article"/>: <see cref="Url"/> is an article, fetched for its title (one step of a
        /// cluster crawl, whose planet page was fetched elsewhere).</summary>
        public FetchStage Stage { get; init; } = FetchStage.Planet;

        /// <summary>Hand a redirect to another host back instead of following it: the result is then a
        /// <see cref="PlanetMoved"/> (a cluster step: the next hop is the target host's desk's).</summary>
        public bool HandOff { get; init; }

        /// <summary>The redirect chain of this stage before <see cref="Url"/> (hops followed by other hosts' desks).</summary>
        public ImmutableArray<string> Chain { get; init; } = [];

        /// <summary>Stop at the article link: the result is a <see cref="PlanetFetched"/> whose
        /// <see cref="PlanetFetched.Article"/> is the link and whose title is empty (the planet step of a cluster
        /// crawl: the article is fetched by its own host's desk).</summary>
        public bool LinkOnly { get; init; }
    }

    /// <summary>The outcome of one planet: <see cref="PlanetFetched"/> or <see cref="PlanetFailed"/>.</summary>
    /// <param name="Index">The planet's position in the crawl.</param>
    /// <param name="Planet">The planet URL as given.</param>
    /// <param name="ElapsedMs">Milliseconds from the start of the planet's first request to the result.</param>
    public abstract record PlanetResult(int Index, string Planet, long ElapsedMs)
    {
        /// <summary>Where the time of each answered request of the planet went, in order (redirects and retries
        /// included).</summary>
        public IReadOnlyList<RequestTiming> Timings { get; init; } = [];

        /// <summary>The id of the crawl the result belongs to (<see cref="Embedding.CrawlOptions.CrawlId"/>, or the
        /// one the crawl made up): an actor running several crawls tells their results apart by it.</summary>
        public string CrawlId { get; init; } = string.Empty;
    }

    /// <summary>The phases of one request of a planet.</summary>
    /// <param name="Url">The URL requested.</param>
    /// <param name="Timings">Its phases.</param>
    public sealed record RequestTiming(string Url, RequestTimings Timings)
    {
        /// <summary>Why it got no response, or null when it was answered.</summary>
        public ErrorKind? Error { get; init; }

        /// <summary>True for the host's robots.txt request that the planet waited for.</summary>
        public bool Robots { get; init; }

        /// <summary>The response's status, or null when there was none (or it is not known: a result recorded in a
        /// journal keeps no status per request).</summary>
        public int? Status { get; init; }
    }

    /// <summary>A planet whose article title was found.</summary>
    /// <param name="Index">The planet's position in the crawl.</param>
    /// <param name="Planet">The planet URL as given.</param>
    /// <param name="Article">The article URL (absolute); null in the titles job.</param>
    /// <param name="Title">The title, whitespace collapsed.</param>
    /// <param name="Status">The HTTP status of the last response.</param>
    /// <param name="Attempts">The most attempts one of the planet's requests needed (1 when nothing was retried).</param>
    /// <param name="ElapsedMs">Milliseconds the planet took.</param>
    public sealed record PlanetFetched(int Index, string Planet, string? Article, string Title, int Status, int Attempts, long ElapsedMs)
        : PlanetResult(Index, Planet, ElapsedMs);

    /// <summary>A planet that ended in an error.</summary>
    /// <param name="Index">The planet's position in the crawl.</param>
    /// <param name="Planet">The planet URL as given.</param>
    /// <param name="Stage">Which request failed.</param>
    /// <param name="Failure">What went wrong: kind, message, the URL that failed, the status and the timeout phase.</param>
    /// <param name="Attempts">Attempts made of the failing request (0 when none was made, or the planet was cut
    /// short by a crash, a cancel or the deadline).</param>
    /// <param name="ElapsedMs">Milliseconds the planet took.</param>
    public sealed record PlanetFailed(int Index, string Planet, FetchStage Stage, Failure Failure, int Attempts, long ElapsedMs)
        : PlanetResult(Index, Planet, ElapsedMs)
    {
        /// <summary>The error kind; its kebab-case name is printed.</summary>
        public ErrorKind Kind => Failure.Kind;

        /// <summary>The URL that failed (the planet, the article or a redirect target), when there was one.</summary>
        public string? Url => Failure.Url;

        /// <summary>The HTTP status, when a response arrived.</summary>
        public int? Status => Failure.Status;

        /// <summary>What happened, for a person.</summary>
        public string Message => Failure.Message;

        /// <summary>For a timeout, which limit was broken.</summary>
        public TimeoutPhase? Phase => Failure.Phase;
    }

    /// <summary>The outcome of a fetch that hands off (<see cref="FetchPlanet.HandOff"/>): the page at
    /// <paramref name="Stage"/> redirects to another host, <paramref name="Url"/>, whose owner takes the next hop. Never
    /// reaches a crawl's printer or an embedding user.</summary>
    /// <param name="Index">The planet's position.</param>
    /// <param name="Planet">The URL the fetch was given.</param>
    /// <param name="Stage">The stage that moved.</param>
    /// <param name="Url">The redirect's target.</param>
    /// <param name="Chain">The chain so far (the target not among it).</param>
    /// <param name="Attempts">The most attempts one URL needed.</param>
    /// <param name="ElapsedMs">The fetch's time.</param>
    internal sealed record PlanetMoved(int Index, string Planet, FetchStage Stage, string Url, ImmutableArray<string> Chain, int Attempts, long ElapsedMs)
        : PlanetResult(Index, Planet, ElapsedMs);

    /// <summary>Sent by the printer to its completion target once every planet has reported.</summary>
    /// <param name="Summary">The counts and the time the crawl took.</param>
    public sealed record Completed(CrawlSummary Summary)
    {
        /// <summary>The id of the crawl that completed, as its results carry it.</summary>
        public string CrawlId { get; init; } = string.Empty;
    }
}

/// <summary>Counts of a finished crawl.</summary>
/// <param name="Total">Planets crawled.</param>
/// <param name="Ok">Planets that succeeded.</param>
/// <param name="Failed">Planets that failed.</param>
/// <param name="Elapsed">From the start of the crawl to the last result.</param>
/// <param name="FailuresByKind">How many failures of each kind (kinds with none are absent).</param>
public sealed record CrawlSummary(int Total, int Ok, int Failed, TimeSpan Elapsed, IReadOnlyDictionary<ErrorKind, int> FailuresByKind)
{
    /// <summary>True when every planet succeeded.</summary>
    public bool AllOk => Failed == 0;

    /// <summary>The summary of <paramref name="results"/>, which took <paramref name="elapsed"/>.</summary>
    public static CrawlSummary Of(IReadOnlyCollection<Crawl.PlanetResult> results, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(results);
        var failures = results.OfType<Crawl.PlanetFailed>().GroupBy(f => f.Kind).ToDictionary(g => g.Key, g => g.Count());
        var failed = failures.Values.Sum();
        return new CrawlSummary(results.Count, results.Count - failed, failed, elapsed, failures);
    }
}

/// <summary>Names of <see cref="FetchStage"/> values.</summary>
public static class FetchStages
{
    /// <summary><c>planet</c> or <c>article</c>.</summary>
    public static string Name(this FetchStage stage) => stage == FetchStage.Planet ? "planet" : "article";
}
