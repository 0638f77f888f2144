using Akka.Actor;
using Akka.TestKit;
using Crawler.Core.Configuration;
using Crawler.Core.Fetching;
using Crawler.Http;
using Xunit.Abstractions;
using static Crawler.Core.Tests.TestPages;

namespace Crawler.Core.Tests;

/// <summary>The fetcher with probes for its connections and its parent: every branch of the planet job.</summary>
public sealed class PlanetFetcherSpecs : Akka.TestKit.Xunit2.TestKit
{
    private readonly List<(Uri Url, TestProbe Probe)> _connections = [];

    public PlanetFetcherSpecs(ITestOutputHelper output)
        : base("akka.test.timefactor = 3\nakka.loglevel = DEBUG\nakka.actor.serialize-messages = on", output)
    {
    }

    private (TestProbe Parent, IActorRef Fetcher) Start(string url, CrawlMode mode = CrawlMode.Planets, string hocon = "")
    {
        // robots.txt is the subject of its own specs; here the probes stand for the planet's own requests.
        var settings = CrawlerSettings.Create(Akka.Configuration.ConfigurationFactory.ParseString(hocon)
            .WithFallback(Akka.Configuration.ConfigurationFactory.ParseString("crawler.robots.enabled = off"))
            .WithFallback(CrawlerSettings.DefaultConfig()).GetConfig("crawler"));
        var parent = CreateTestProbe("coordinator");
        var fetcher = parent.ChildActorOf(PlanetFetcher.Props(new Crawl.FetchPlanet(3, url, mode), settings, connectionFactory: (_, origin) =>
        {
            var probe = CreateTestProbe($"connection-{_connections.Count}");
            _connections.Add((origin, probe));
            return probe;
        }));
        return (parent, fetcher);
    }

    private TestProbe Connection(int i) => _connections[i].Probe;

    [Fact]
    public async Task Fetcher_should_fetch_the_planet_then_its_first_article_over_the_same_connection_and_report_the_title()
    {
        var (parent, fetcher) = Start("http://planet.test/blog/");
        Watch(fetcher);
        await AwaitConditionAsync(() => Task.FromResult(_connections.Count == 1));
        var planet = await Serve(Connection(0), 200, Planet("2026/first-post.html"));
        Assert.Equal(new Uri("http://planet.test/blog/"), planet.Url);
        var article = await Serve(Connection(0), 200, Article("  The   first\npost "));
        Assert.Equal(new Uri("http://planet.test/blog/2026/first-post.html"), article.Url);

        var result = await parent.ExpectMsgAsync<Crawl.PlanetFetched>();
        Assert.Equal((3, "http://planet.test/blog/", "http://planet.test/blog/2026/first-post.html", "The first post", 200),
            (result.Index, result.Planet, result.Article, result.Title, result.Status));
        Assert.Single(_connections);
        await ExpectTerminatedAsync(fetcher);
    }

    [Fact]
    public async Task Fetcher_should_open_a_second_connection_for_an_article_on_another_origin()
    {
        var (parent, _) = Start("http://planet.test/");
        await AwaitConditionAsync(() => Task.FromResult(_connections.Count == 1));
        await Serve(Connection(0), 200, Planet("http://blog.test:8080/post"));
        await AwaitConditionAsync(() => Task.FromResult(_connections.Count == 2));
        Assert.Equal(new Uri("http://blog.test:8080/post"), _connections[1].Url);
        await Serve(Connection(1), 200, Article("Elsewhere"));
        Assert.Equal("Elsewhere", (await parent.ExpectMsgAsync<Crawl.PlanetFetched>()).Title);
    }

    [Fact]
    public async Task Fetcher_should_report_http_status_with_the_code_when_the_planet_is_not_found()
    {
        var (parent, _) = Start("http://planet.test/");
        await AwaitConditionAsync(() => Task.FromResult(_connections.Count == 1));
        await Serve(Connection(0), 404, "<html>gone</html>", "Not Found");
        var failed = await parent.ExpectMsgAsync<Crawl.PlanetFailed>();
        Assert.Equal((ErrorKind.HttpStatus, FetchStage.Planet, 404, "http://planet.test/"), (failed.Kind, failed.Stage, failed.Status, failed.Url));
        Assert.StartsWith("404 Not Found", failed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fetcher_should_report_http_status_at_the_article_stage()
    {
        var (parent, _) = Start("http://planet.test/");
        await AwaitConditionAsync(() => Task.FromResult(_connections.Count == 1));
        await Serve(Connection(0), 200, Planet("/a"));
        await Serve(Connection(0), 500, "", "Internal Server Error");
        var failed = await parent.ExpectMsgAsync<Crawl.PlanetFailed>();
        Assert.Equal((ErrorKind.HttpStatus, FetchStage.Article, 500, "http://planet.test/a"), (failed.Kind, failed.Stage, failed.Status, failed.Url));
    }

    [Fact]
    public async Task Fetcher_should_report_no_article_when_the_planet_has_no_link()
    {
        var (parent, _) = Start("http://planet.test/");
        await AwaitConditionAsync(() => Task.FromResult(_connections.Count == 1));
        await Serve(Connection(0), 200, "<html><body><h2><a href=\"/x\">not h3</a></h2></body></html>");
        var failed = await parent.ExpectMsgAsync<Crawl.PlanetFailed>();
        Assert.Equal((ErrorKind.NoArticle, FetchStage.Planet), (failed.Kind, failed.Stage));
        Assert.Contains("h3 > a[href]", failed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fetcher_should_report_no_title_when_the_article_has_none()
    {
        var (parent, _) = Start("http://planet.test/");
        await AwaitConditionAsync(() => Task.FromResult(_connections.Count == 1));
        await Serve(Connection(0), 200, Planet("/a"));
        await Serve(Connection(0), 200, "<html><body>untitled</body></html>");
        var failed = await parent.ExpectMsgAsync<Crawl.PlanetFailed>();
        Assert.Equal((ErrorKind.NoTitle, FetchStage.Article, 200), (failed.Kind, failed.Stage, failed.Status));
    }

    [Theory]
    [InlineData("mailto:editor@planet.test", ErrorKind.UnsupportedScheme)]
    [InlineData("gopher://old.test/post", ErrorKind.UnsupportedScheme)]
    [InlineData("http://[oops/post", ErrorKind.BadUrl)]
    public async Task Fetcher_should_refuse_an_article_link_it_cannot_fetch(string href, ErrorKind kind)
    {
        var (parent, _) = Start("http://planet.test/");
        await AwaitConditionAsync(() => Task.FromResult(_connections.Count == 1));
        await Serve(Connection(0), 200, Planet(href));
        var failed = await parent.ExpectMsgAsync<Crawl.PlanetFailed>();
        Assert.Equal(kind, failed.Kind);
        await Connection(0).ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    [Theory]
    [InlineData("not a url", ErrorKind.BadUrl)]
    [InlineData("/relative/path", ErrorKind.BadUrl)]
    [InlineData("ftp://files.test/", ErrorKind.UnsupportedScheme)]
    [InlineData("javascript:alert(1)", ErrorKind.UnsupportedScheme)]
    public async Task Fetcher_should_report_a_planet_url_it_cannot_fetch_without_any_request(string url, ErrorKind kind)
    {
        var (parent, _) = Start(url);
        var failed = await parent.ExpectMsgAsync<Crawl.PlanetFailed>();
        Assert.Equal((kind, FetchStage.Planet, url), (failed.Kind, failed.Stage, failed.Planet));
        Assert.Empty(_connections);
    }

    [Fact]
    public async Task Fetcher_should_pass_on_the_kind_and_message_of_a_failed_request()
    {
        var (parent, _) = Start("http://planet.test/");
        await AwaitConditionAsync(() => Task.FromResult(_connections.Count == 1));
        var send = await Connection(0).ExpectMsgAsync<Http.Http.Send>();
        Connection(0).Reply(send.Failed(HttpFailureKind.Dns, "could not resolve host planet.test"));
        var failed = await parent.ExpectMsgAsync<Crawl.PlanetFailed>();
        Assert.Equal((ErrorKind.Dns, FetchStage.Planet, "could not resolve host planet.test", 1), (failed.Kind, failed.Stage, failed.Message, failed.Attempts));
        await Connection(0).ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300)); // dns is never retried
    }

    [Fact]
    public async Task Fetcher_should_report_a_timeout_when_the_whole_planet_takes_too_long()
    {
        var (parent, fetcher) = Start("http://planet.test/", hocon: "crawler.planet-timeout = 2s");
        Watch(fetcher);
        await AwaitConditionAsync(() => Task.FromResult(_connections.Count == 1));
        await Serve(Connection(0), 200, Planet("/a"));
        await Connection(0).ExpectMsgAsync<Http.Http.Send>(); // the article never comes
        var failed = await parent.ExpectMsgAsync<Crawl.PlanetFailed>();
        Assert.Equal((ErrorKind.Timeout, FetchStage.Article, TimeoutPhase.Planet), (failed.Kind, failed.Stage, failed.Phase));
        Assert.Contains("planet phase", failed.Message, StringComparison.Ordinal);
        await ExpectTerminatedAsync(fetcher);
        await parent.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Fetcher_should_report_a_crash_when_its_connection_actor_throws()
    {
        var settings = CrawlerSettings.Create(CrawlerSettings.DefaultConfig().GetConfig("crawler")) with { RespectRobots = false };
        var parent = CreateTestProbe("coordinator");
        var fetcher = parent.ChildActorOf(PlanetFetcher.Props(new Crawl.FetchPlanet(0, "http://planet.test/", CrawlMode.Planets), settings,
            connectionFactory: (context, _) => context.ActorOf(Props.Create(() => new ThrowingConnection()), "http-planet.test-80")));
        Watch(fetcher);
        var failed = await parent.ExpectMsgAsync<Crawl.PlanetFailed>();
        Assert.Equal(ErrorKind.Crash, failed.Kind);
        Assert.Contains("connection to http://planet.test:80 failed: InvalidOperationException: socket on fire", failed.Message, StringComparison.Ordinal);
        await ExpectTerminatedAsync(fetcher);
    }

    [Fact]
    public async Task Fetcher_should_retry_a_transient_failure_and_report_the_attempts()
    {
        var (parent, _) = Start("http://planet.test/", hocon: "crawler.retry.backoff = 10ms");
        await AwaitConditionAsync(() => Task.FromResult(_connections.Count == 1));
        var first = await Connection(0).ExpectMsgAsync<Http.Http.Send>();
        Connection(0).Reply(first.TimedOut(HttpTimeoutPhase.FirstByte, "timeout: no byte"));
        var second = await Connection(0).ExpectMsgAsync<Http.Http.Send>();
        Assert.Equal(first.Url, second.Url);
        Assert.NotEqual(first.RequestId, second.RequestId);
        Connection(0).Reply(Response(second, 200, Planet("/a")));
        await Serve(Connection(0), 200, Article("Second time lucky"));
        Assert.True(await parent.ExpectMsgAsync<Crawl.PlanetFetched>() is { Title: "Second time lucky", Attempts: 2 });
    }

    private sealed class ThrowingConnection : ReceiveActor
    {
        public ThrowingConnection() => Receive<Http.Http.Send>(_ => throw new InvalidOperationException("socket on fire"));
    }

    [Fact]
    public async Task Fetcher_should_report_the_pages_own_title_in_the_titles_job()
    {
        var (parent, _) = Start("http://planet.test/", CrawlMode.Titles);
        await AwaitConditionAsync(() => Task.FromResult(_connections.Count == 1));
        await Serve(Connection(0), 200, Article("Just the page"));
        var result = await parent.ExpectMsgAsync<Crawl.PlanetFetched>();
        Assert.Equal(("Just the page", (string?)null), (result.Title, result.Article));
        await Connection(0).ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }
}
