namespace Crawler.Core.Embedding;

/// <summary>The outcome of a whole crawl, as <see cref="ICrawler.CrawlAsync"/> returns it.</summary>
/// <param name="Summary">The counts and the time the crawl took.</param>
/// <param name="Results">One result per planet, in the order the planets were given.</param>
public sealed record CrawlReport(CrawlSummary Summary, IReadOnlyList<Crawl.PlanetResult> Results)
{
    /// <summary>The planets that succeeded.</summary>
    public IEnumerable<Crawl.PlanetFetched> Fetched => Results.OfType<Crawl.PlanetFetched>();

    /// <summary>The planets that failed, each with its error kind.</summary>
    public IEnumerable<Crawl.PlanetFailed> Failed => Results.OfType<Crawl.PlanetFailed>();
}
