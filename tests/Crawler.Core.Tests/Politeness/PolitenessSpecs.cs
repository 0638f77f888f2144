using Akka.Actor;
using Crawler.Core.Configuration;
using Crawler.Core.Coordination;
using Crawler.Http;
using Crawler.Testing;
using Xunit.Abstractions;

namespace Crawler.Core.Tests.Politeness;

/// <summary>robots.txt (RFC 9309) with Crawl-delay, and the least delay between requests to one host, over real sockets.
/// Spacing is enforced, and asserted exactly, in the host owner (<see cref="Hosts.HostOwnerSpecs"/>); here the server's
/// clock only checks that it was applied and capped, with room for a loaded machine's jitter.</summary>
public sealed class PolitenessSpecs : CrawlSpec
{
    private const string Hocon = """
        crawler.http.first-byte-timeout = 10s
        crawler.retry.max-retries = 0
        crawler.robots.max-crawl-delay = 300ms
        """;

    public PolitenessSpecs(ITestOutputHelper output) : base(Hocon, output)
    {
    }

    /// <summary>Applied: the requests took at least most of the spacing between them, in all (arrival jitter on a loaded
    /// machine moves single gaps, not their sum). Capped: nowhere near the uncapped delay.</summary>
    private static void AssertSpaced(IReadOnlyList<TimeSpan> arrivals, TimeSpan spacing, TimeSpan uncapped)
    {
        var span = arrivals[^1] - arrivals[0];
        var gaps = string.Join(", ", arrivals.Zip(arrivals.Skip(1), (a, b) => (b - a).TotalMilliseconds));
        Assert.True(span >= 0.8 * (arrivals.Count - 1) * spacing, $"gaps: {gaps} ms");
        Assert.True(span < uncapped, $"gaps: {gaps} ms");
    }

    private static CrawlerSettings OneConnection(CrawlerSettings settings) =>
        settings with { Http = settings.Http with { MaxConnectionsPerHost = 1 } };

    private static LoopbackHttpServer Site(Func<RecordedRequest, ServerAction> robots) => LoopbackHttpServer.Start(request => request.Target switch
    {
        "/robots.txt" => robots(request),
        var t when t.EndsWith("/planet", StringComparison.Ordinal) => ServerAction.Ok(TestPages.Planet("article")),
        _ => ServerAction.Ok(TestPages.Article("Article at " + request.Target)),
    }, scriptRobots: true);

    private static ServerAction RobotsTxt(string text) => ServerAction.Ok(text, "text/plain");

    private Task<Dictionary<string, Crawl.PlanetResult>> Crawl(IEnumerable<Uri> planets, CrawlerSettings? settings = null) =>
        CrawlByPlanetAsync([.. planets.Select(p => p.ToString())], settings, timeout: TimeSpan.FromSeconds(20));

    [Fact]
    public async Task A_planet_that_robots_txt_disallows_should_be_a_robots_result_while_the_others_are_fetched()
    {
        await using var site = Site(_ => RobotsTxt("User-agent: *\nDisallow: /private/\n"));
        var results = await Crawl([site.Url("/public/planet"), site.Url("/private/planet"), site.Url("/also-public/planet")]);

        var denied = Assert.IsType<Crawl.PlanetFailed>(results[site.Url("/private/planet").ToString()]);
        Assert.Equal((ErrorKind.Robots, FetchStage.Planet, 0), (denied.Kind, denied.Stage, denied.Attempts));
        Assert.Contains("Disallow: /private/", denied.Message, StringComparison.Ordinal); // golden: names the deciding rule
        Assert.IsType<Crawl.PlanetFetched>(results[site.Url("/public/planet").ToString()]);
        Assert.IsType<Crawl.PlanetFetched>(results[site.Url("/also-public/planet").ToString()]);
        Assert.Single(site.Requests, r => r.Target == "/robots.txt");
        Assert.DoesNotContain(site.Requests, r => r.Target.StartsWith("/private/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_article_that_robots_txt_disallows_should_be_a_robots_result_at_the_article_stage()
    {
        await using var site = Site(_ => RobotsTxt("User-agent: *\nDisallow: /*/article$\n"));
        var denied = Assert.IsType<Crawl.PlanetFailed>((await Crawl([site.Url("/blog/planet")])).Values.Single());
        Assert.Equal((ErrorKind.Robots, FetchStage.Article), (denied.Kind, denied.Stage));
    }

    [Fact]
    public async Task Our_own_user_agent_group_should_win_over_the_star_group()
    {
        await using var site = Site(_ => RobotsTxt("User-agent: *\nDisallow: /\n\nUser-agent: Crawler\nDisallow: /nothing-of-ours\n"));
        Assert.All((await Crawl([site.Url("/a/planet")])).Values, r => Assert.IsType<Crawl.PlanetFetched>(r));
        Assert.All(site.Requests, r => Assert.StartsWith("Crawler/", r.Header("User-Agent"), StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_robots_txt_that_answers_5xx_should_disallow_everything()
    {
        await using var site = Site(_ => ServerAction.Status(503, "Service Unavailable"));
        var denied = Assert.IsType<Crawl.PlanetFailed>((await Crawl([site.Url("/a/planet")])).Values.Single());
        Assert.Equal((ErrorKind.Robots, FetchStage.Planet, 0), (denied.Kind, denied.Stage, denied.Attempts));
    }

    [Fact]
    public async Task A_robots_txt_that_cannot_be_fetched_should_not_stop_the_page()
    {
        await using var site = Site(_ => ServerAction.Hang);
        var impatient = Settings with { Http = Settings.Http with { FirstByteTimeout = TimeSpan.FromMilliseconds(500) } };
        Assert.IsType<Crawl.PlanetFetched>((await Crawl([site.Url("/a/planet")], impatient)).Values.Single());
    }

    [Fact]
    public async Task Robots_txt_should_not_be_fetched_when_switched_off()
    {
        await using var site = Site(_ => RobotsTxt("User-agent: *\nDisallow: /\n"));
        Assert.IsType<Crawl.PlanetFetched>((await Crawl([site.Url("/a/planet")], Settings with { RespectRobots = false })).Values.Single());
        Assert.DoesNotContain(site.Requests, r => r.Target == "/robots.txt");
    }

    [Fact]
    public async Task A_crawl_delay_should_space_the_hosts_requests_capped_at_the_configured_maximum()
    {
        await using var site = Site(_ => RobotsTxt("User-agent: *\nCrawl-delay: 100\n"));

        // One connection, so that arrival times at the server are not blurred by connects of different lengths.
        var results = await Crawl([site.Url("/1/planet"), site.Url("/2/planet"), site.Url("/3/planet")], OneConnection(Settings));
        Assert.All(results.Values, r => Assert.IsType<Crawl.PlanetFetched>(r));
        var pages = site.Requests.Where(r => r.Target != "/robots.txt").Select(r => r.At).Order().ToList();
        Assert.Equal(6, pages.Count);
        AssertSpaced(pages, TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(10)); // capped at 300 ms, not 100 s
    }

    [Fact]
    public async Task The_least_delay_between_requests_should_space_every_host()
    {
        await using var site = Site(_ => ServerAction.Status(404, "Not Found"));
        var settings = OneConnection(Settings) with { MinHostDelay = TimeSpan.FromMilliseconds(200) };
        await Crawl([site.Url("/1/planet"), site.Url("/2/planet")], settings);
        var pages = site.Requests.Where(r => r.Target != "/robots.txt").Select(r => r.At).Order().ToList();
        Assert.Equal(4, pages.Count);
        AssertSpaced(pages, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10));
    }
}
