using Crawler.Core;
using Crawler.Core.Embedding;

namespace Crawler.TestKit;

/// <summary>
/// Builders of the crawler's results for tests, with defaults for everything a test does not care about (index 0,
/// one attempt, no time, status 200): <c>PlanetResults.Fetched(url, "Title")</c>,
/// <c>PlanetResults.Failed(url, ErrorKind.Timeout, phase: TimeoutPhase.FirstByte)</c>, and the summary and report of a
/// list of them.
/// </summary>
public static class PlanetResults
{
    /// <summary>A planet that succeeded: its article <paramref name="article"/> (none in the titles job) has the title
    /// <paramref name="title"/>.</summary>
    public static Crawl.PlanetFetched Fetched(string planet, string title, string? article = null, int status = 200,
        int index = 0, int attempts = 1, long elapsedMs = 0, string crawlId = "") =>
        new(index, planet, article, title, status, attempts, elapsedMs) { CrawlId = crawlId };

    /// <summary>A planet that failed with <paramref name="kind"/> at <paramref name="stage"/>; the message defaults to
    /// the kind's name, the failing URL to the planet's (or the article's, at the article stage).</summary>
    public static Crawl.PlanetFailed Failed(string planet, ErrorKind kind, FetchStage stage = FetchStage.Planet, string? message = null,
        string? url = null, int? status = null, TimeoutPhase? phase = null, int index = 0, int attempts = 1, long elapsedMs = 0,
        string crawlId = "") =>
        new(index, planet, stage, new Failure(kind, message ?? kind.Name(), url ?? planet, status, phase), attempts, elapsedMs) { CrawlId = crawlId };

    /// <summary>The summary of <paramref name="results"/> (counts by kind), which took <paramref name="elapsed"/>.</summary>
    public static CrawlSummary Summary(IReadOnlyCollection<Crawl.PlanetResult> results, TimeSpan elapsed = default) =>
        CrawlSummary.Of(results, elapsed);

    /// <summary>The report <see cref="ICrawler.CrawlAsync"/> would return for <paramref name="results"/>, in their order
    /// and renumbered 0, 1, ...</summary>
    public static CrawlReport Report(IEnumerable<Crawl.PlanetResult> results, string crawlId = "", TimeSpan elapsed = default)
    {
        ArgumentNullException.ThrowIfNull(results);
        var numbered = results.Select((result, i) => result with { Index = i, CrawlId = crawlId }).ToList();
        return new CrawlReport(CrawlSummary.Of(numbered, elapsed), numbered) { CrawlId = crawlId };
    }
}
