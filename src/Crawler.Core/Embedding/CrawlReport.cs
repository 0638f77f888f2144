namespace Crawler.Core.Embedding;

/// <summary>The outcome of a whole crawl, as <see cref="ICrawler.CrawlAsync"/> returns it.</summary>
/// <param name="Summary">The counts and the time the crawl took.</param>
/// <param name="Results">One result per planet, in the order the planets were given.</param>
public sealed record CrawlReport(CrawlSummary Summary, IReadOnlyList<Crawl.PlanetResult> Results)
{
    /// <summary>The crawl's id (<see cref="CrawlOptions.CrawlId"/>, or the one it made up), as every result carries it.</summary>
    public string CrawlId { get; init; } = string.Empty;

    /// <summary>The planets that succeeded.</summary>
    public IEnumerable<Crawl.PlanetFetched> Fetched => Results.OfType<Crawl.PlanetFetched>();

    /// <summary>The planets that failed, each with its error kind.</summary>
    public IEnumerable<Crawl.PlanetFailed> Failed => Results.OfType<Crawl.PlanetFailed>();

    /// <summary>The report of a crawl of <paramref name="planets"/> cancelled before it started: every planet is
    /// <c>cancelled</c>, no request was made.</summary>
    public static CrawlReport Cancelled(string crawlId, IReadOnlyList<string?> planets, string message)
    {
        ArgumentNullException.ThrowIfNull(planets);
        var results = planets.Select((planet, index) => (Crawl.PlanetResult)new Crawl.PlanetFailed(index, planet ?? string.Empty, FetchStage.Planet,
            new Failure(ErrorKind.Cancelled, message, planet), 0, 0) { CrawlId = crawlId }).ToList();
        return new CrawlReport(CrawlSummary.Of(results, TimeSpan.Zero), results) { CrawlId = crawlId };
    }
}
