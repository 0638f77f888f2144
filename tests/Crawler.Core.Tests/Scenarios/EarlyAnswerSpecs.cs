using System.Text;
using Crawler.Core.Configuration;
using Crawler.Core.Fetching;
using Crawler.Testing;
using Xunit.Abstractions;

namespace Crawler.Core.Tests.Scenarios;

/// <summary>
/// Early answers over real sockets: a planet page whose first 4 KB hold the article link and whose rest never comes
/// (the server stays silent with the connection open) gives its article's title when the crawler acts on the first
/// bytes (drain or close), and a timeout when it waits for the whole page (off); the same for a title, for a chunked
/// page, and never for a page whose status is not 2xx.
/// </summary>
public sealed class EarlyAnswerSpecs : CrawlSpec
{
    private const string Hocon = """
        crawler.http.first-byte-timeout = 2s
        crawler.http.read-idle-timeout = 2s
        crawler.planet-timeout = 20s
        crawler.retry.max-retries = 0
        """;

    public EarlyAnswerSpecs(ITestOutputHelper output) : base(Hocon, output)
    {
    }

    private static string Filler => string.Concat(Enumerable.Repeat("<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit.</p>\n", 64));

    /// <summary>A 256 KB page by its length, of which only the first bytes (the head, <paramref name="start"/> and 4 KB of
    /// text) are sent before the server falls silent.</summary>
    private static ServerAction StalledPage(string start, int status = 200)
    {
        var sent = Encoding.UTF8.GetBytes(start + Filler);
        var head = Encoding.ASCII.GetBytes($"HTTP/1.1 {status} Whatever\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {256 * 1024}\r\n\r\n");
        return new ServerAction.Stall([.. head, .. sent]);
    }

    private async Task<Crawl.PlanetResult> Crawl(Func<RecordedRequest, ServerAction> script, EarlyAnswerMode mode, CrawlMode job = CrawlMode.Planets)
    {
        await using var server = LoopbackHttpServer.Start(script);
        var results = await CrawlAsync([server.Url("/planet").ToString()], Settings with { EarlyAnswers = mode }, job, TimeSpan.FromSeconds(30));
        return results[0];
    }

    private static ServerAction Site(RecordedRequest request) => request.Target switch
    {
        "/planet" => StalledPage("<!DOCTYPE html><html><head><title>Planet</title></head><body><div><h3><a href=\"/article\">First</a></h3>"),
        _ => ServerAction.Ok(TestPages.Article("Fine")),
    };

    [Theory]
    [InlineData(EarlyAnswerMode.Drain)]
    [InlineData(EarlyAnswerMode.Close)]
    public async Task A_planet_whose_first_bytes_hold_the_link_should_get_its_article_while_the_page_never_ends(EarlyAnswerMode mode) =>
        Assert.Equal("Fine", Assert.IsType<Crawl.PlanetFetched>(await Crawl(Site, mode)).Title);

    [Fact]
    public async Task Without_early_answers_the_same_planet_should_time_out_waiting_for_its_end()
    {
        var failed = Failed(await Crawl(Site, EarlyAnswerMode.Off), ErrorKind.Timeout, FetchStage.Planet);
        Assert.Equal(TimeoutPhase.Body, failed.Phase);
    }

    [Fact]
    public async Task An_article_whose_first_bytes_hold_the_title_should_end_the_planet_while_the_article_never_ends()
    {
        var result = await Crawl(request => request.Target switch
        {
            "/planet" => ServerAction.Ok(TestPages.Planet("/article")),
            _ => StalledPage("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Caf\u00e9 early</title></head><body>"),
        }, EarlyAnswerMode.Drain);
        Assert.Equal("Caf\u00e9 early", Assert.IsType<Crawl.PlanetFetched>(result).Title);
    }

    [Fact]
    public async Task The_titles_job_should_take_a_page_title_from_its_first_bytes() =>
        Assert.Equal("Planet", Assert.IsType<Crawl.PlanetFetched>(await Crawl(Site, EarlyAnswerMode.Drain, CrawlMode.Titles)).Title);

    [Fact]
    public async Task A_chunked_page_should_be_answered_from_its_first_chunks()
    {
        var body = "<!DOCTYPE html><html><head><title>P</title></head><body><h3><a href=\"/article\">First</a></h3>" + Filler;
        var chunked = Responses.Chunked(body, 1000);
        var result = await Crawl(request => request.Target switch
        {
            "/planet" => new ServerAction.Stall(chunked[..^5]), // every chunk but the last: the page never ends
            _ => ServerAction.Ok(TestPages.Article("Fine")),
        }, EarlyAnswerMode.Drain);
        Assert.Equal("Fine", Assert.IsType<Crawl.PlanetFetched>(result).Title);
    }

    [Fact]
    public async Task A_page_whose_status_is_not_2xx_should_never_be_answered_early()
    {
        var page = Encoding.UTF8.GetBytes("<!DOCTYPE html><html><head><title>Oops</title></head><body><h3><a href=\"/article\">First</a></h3>" + Filler + "</body></html>");
        var head = Encoding.ASCII.GetBytes($"HTTP/1.1 500 Oops\r\nContent-Type: text/html\r\nContent-Length: {page.Length}\r\n\r\n");
        var result = await Crawl(request => request.Target switch
        {
            "/planet" => new ServerAction.Drip([.. head, .. page], 1024, TimeSpan.FromMilliseconds(5)),
            _ => ServerAction.Ok(TestPages.Article("Fine")),
        }, EarlyAnswerMode.Drain);
        Assert.Equal(500, Failed(result, ErrorKind.HttpStatus, FetchStage.Planet).Status);
    }
}
