using System.Collections.Immutable;
using Crawler.Core;

namespace Crawler.Cluster;

/// <summary>Every message and event of a cluster crawl that crosses a node or is persisted: bound to
/// <see cref="ClusterSerializer"/>, whose manifests are the stable names on the wire and on disk.</summary>
public interface IClusterCrawlMessage
{
}

/// <summary>
/// The protocol of a crawl spread over a cluster. A client sends <see cref="Submit"/> to the crawl region; the crawl's
/// <see cref="CrawlLedger"/> persists it, answers <see cref="Accepted"/> and delivers one <see cref="FetchStep"/> per planet
/// stage (the planet page, then its article) to the host region, where the <see cref="HostDesk"/> of the step's host
/// fetches it and answers <see cref="StepDone"/> through the crawl region. The client follows the results with
/// <see cref="GetResults"/> (answered with <see cref="Results"/>) and may end the crawl with <see cref="Cancel"/>.
/// Messages carry no actor refs and no page bodies: the node that fetches extracts.
/// </summary>
public static class ClusterCrawl
{
    /// <summary>The shard region of the crawls' ledgers.</summary>
    public const string CrawlRegion = "crawl";

    /// <summary>The shard region of the hosts' desks.</summary>
    public const string HostRegion = "host";

    /// <summary>The role of the nodes that hold the regions (clients only hold proxies).</summary>
    public const string WorkerRole = "worker";

    /// <summary>Starts crawl <paramref name="CrawlId"/> of <paramref name="Urls"/> (idempotent: a second Submit of the same
    /// crawl is answered with <see cref="Accepted"/> again, or refused when it differs).</summary>
    /// <param name="CrawlId">The crawl's id (a job name): the ledger's persistence id is <c>cluster-crawl-ID</c>.</param>
    /// <param name="Mode">The planet job or the titles job.</param>
    /// <param name="Hocon">The crawl's own <c>crawler</c> settings (selectors, timeouts ...), over each node's.</param>
    /// <param name="Urls">The planets, in order (the first chunk when <paramref name="More"/>).</param>
    /// <param name="More">More planets follow in <see cref="AddPlanets"/> chunks (a long list, or a stream of planets):
    /// the crawl is finished only once the last chunk is in and every planet has its result.</param>
    public sealed record Submit(string CrawlId, CrawlMode Mode, string Hocon, ImmutableArray<string> Urls, bool More = false) : IClusterCrawlMessage;

    /// <summary>The next chunk of an open crawl's planets, from position <paramref name="From"/> (idempotent: a chunk
    /// sent again is answered again). Answered with <see cref="Accepted"/> (the planets known now), or refused when it
    /// leaves a gap, differs from what was added at those positions, or comes after the last chunk.</summary>
    /// <param name="CrawlId">The crawl.</param>
    /// <param name="From">The position of the chunk's first planet.</param>
    /// <param name="Urls">The planets.</param>
    /// <param name="Last">No more planets follow.</param>
    public sealed record AddPlanets(string CrawlId, int From, ImmutableArray<string> Urls, bool Last) : IClusterCrawlMessage;

    /// <summary>The crawl is persisted and under way.</summary>
    /// <param name="CrawlId">The crawl.</param>
    /// <param name="Planets">How many planets it has (so far, while more may be added).</param>
    /// <param name="Refusal">Why a Submit that differs from the crawl already persisted under this id was refused; null
    /// when accepted.</param>
    public sealed record Accepted(string CrawlId, int Planets, string? Refusal = null) : IClusterCrawlMessage;

    /// <summary>One stage of one planet, for the desk of <paramref name="Host"/>.</summary>
    /// <param name="CrawlId">The crawl.</param>
    /// <param name="Host">The host key of <paramref name="Url"/>: the desk's entity id.</param>
    /// <param name="Index">The planet's place in the crawl.</param>
    /// <param name="Stage">The planet page (in the planet job: up to its article link) or the article (its title).</param>
    /// <param name="Url">The page to fetch.</param>
    /// <param name="Mode">The crawl's job.</param>
    /// <param name="Hocon">The crawl's own settings.</param>
    public sealed record FetchStep(string CrawlId, string Host, int Index, FetchStage Stage, string Url, CrawlMode Mode, string Hocon) : IClusterCrawlMessage
    {
        /// <summary>The redirect chain of the stage before <see cref="Url"/>, followed by other hosts' desks (empty for
        /// the stage's first URL): loops and max-redirects count it.</summary>
        public ImmutableArray<string> Chain { get; init; } = [];
    }

    /// <summary>What a step found instead of a result: its page redirects to another host, whose desk takes the next hop
    /// (a cross-host redirect is handed off, so that host's politeness and cap hold for it).</summary>
    /// <param name="CrawlId">The crawl.</param>
    /// <param name="Index">The planet.</param>
    /// <param name="Stage">The step's stage.</param>
    /// <param name="From">The step's URL (a stale answer, for a step the planet has moved past, names another).</param>
    /// <param name="Url">The redirect's target: the next step's URL.</param>
    /// <param name="Attempts">The most attempts one URL needed.</param>
    /// <param name="ElapsedMs">The step's time.</param>
    public sealed record StepMoved(string CrawlId, int Index, FetchStage Stage, string From, string Url, int Attempts, long ElapsedMs) : IClusterCrawlMessage
    {
        /// <summary>The chain so far, the stage's first URL first (the target not among it).</summary>
        public ImmutableArray<string> Chain { get; init; } = [];

        /// <summary>The step's requests.</summary>
        public ImmutableArray<Crawl.RequestTiming> Timings { get; init; } = [];
    }

    /// <summary>What one step found: for a planet step of the planet job, a <see cref="Crawl.PlanetFetched"/> whose
    /// article is the link; otherwise the step's final result. <see cref="Crawl.PlanetResult.Index"/> is the planet's.</summary>
    /// <param name="CrawlId">The crawl.</param>
    /// <param name="Stage">The step's stage.</param>
    /// <param name="Result">What the desk's fetch reported.</param>
    public sealed record StepDone(string CrawlId, FetchStage Stage, Crawl.PlanetResult Result) : IClusterCrawlMessage;

    /// <summary>Asks the ledger for the results from position <paramref name="From"/> of its results log.</summary>
    public sealed record GetResults(string CrawlId, int From) : IClusterCrawlMessage;

    /// <summary>Results <paramref name="From"/> onwards (in the order they were recorded), the crawl's size, and whether
    /// every planet has one. <paramref name="Known"/> is false when no crawl was submitted under the id;
    /// <paramref name="Ledger"/> is the address of the node that holds the crawl's ledger.</summary>
    public sealed record Results(string CrawlId, int Planets, int From, ImmutableArray<Crawl.PlanetResult> Items, bool Finished, bool Known,
        string? Ledger = null) : IClusterCrawlMessage
    {
        /// <summary>The crawl's job (what a client that attaches prints).</summary>
        public CrawlMode Mode { get; init; }
    }

    /// <summary>From a ledger whose crawl ended early (a cancel, its deadline) to the desk of each host it had steps
    /// out at: stop the crawl's running and queued fetches there, whose answers would only be dropped.</summary>
    public sealed record DropCrawl(string CrawlId, string Host) : IClusterCrawlMessage;

    /// <summary>Ends the crawl: unfinished planets get <c>cancelled</c> results.</summary>
    public sealed record Cancel(string CrawlId, string Reason) : IClusterCrawlMessage;

    /// <summary>Published on its node's event stream (never sent to another node) when a crawl's ledger starts there:
    /// submitted, or recovered after its node died. <c>crawler node</c> says so on stderr.</summary>
    public sealed record LedgerStarted(string CrawlId, int Done, int Planets);

    /// <summary>Event: the crawl was submitted; <paramref name="More"/>: planets may still be added.</summary>
    public sealed record Submitted(CrawlMode Mode, string Hocon, ImmutableArray<string> Urls, DateTimeOffset At, bool More = false) : IClusterCrawlMessage;

    /// <summary>Event: planets were added to an open crawl at <paramref name="From"/>; <paramref name="Last"/> closes it
    /// (a cancel closes it with no planets).</summary>
    public sealed record PlanetsAdded(int From, ImmutableArray<string> Urls, bool Last) : IClusterCrawlMessage;

    /// <summary>Event: a planet's page gave its article link; the article is the next step.</summary>
    public sealed record ArticleFound(int Index, string Article, int Attempts, long ElapsedMs, ImmutableArray<Crawl.RequestTiming> Timings)
        : IClusterCrawlMessage;

    /// <summary>Event: a planet's stage was redirected to another host: <paramref name="Url"/> is its next step. Attempts,
    /// time and timings are the stage's so far (its earlier hops' included).</summary>
    public sealed record Redirected(int Index, FetchStage Stage, string Url, ImmutableArray<string> Chain, int Attempts, long ElapsedMs,
        ImmutableArray<Crawl.RequestTiming> Timings) : IClusterCrawlMessage;

    /// <summary>Event: a planet's final result.</summary>
    public sealed record Finished(Crawl.PlanetResult Result) : IClusterCrawlMessage;
}
