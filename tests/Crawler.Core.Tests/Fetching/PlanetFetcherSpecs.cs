using System.Text;
using Akka.Actor;
using Akka.TestKit;
using Crawler.Core.Configuration;
using Crawler.Core.Fetching;
using Crawler.Core.Hosts;
using Xunit.Abstractions;
using static Crawler.Core.Tests.TestPages;
using Crawler.Http;

namespace Crawler.Core.Tests.Fetching;

/// <summary>The fetcher on its production path, with a probe for the hosts and one for its parent: every branch of the
/// planet job, the planet's clock, and what goes to the hosts.</summary>
public sealed class PlanetFetcherSpecs : Akka.TestKit.Xunit2.TestKit
{
    public PlanetFetcherSpecs(ITestOutputHelper output)
        : base("akka.test.timefactor = 3\nakka.loglevel = DEBUG\nakka.actor.serialize-messages = on", output)
    {
    }

    private (TestProbe Parent, TestProbe Hosts, IActorRef Fetcher) Start(string url, CrawlMode mode = CrawlMode.Planets, string hocon = "")
    {
        var settings = CrawlerSettings.Create(Akka.Configuration.ConfigurationFactory.ParseString(hocon)
            .WithFallback(CrawlerSettings.DefaultConfig()).GetConfig("crawler"));
        var parent = CreateTestProbe("coordinator");
        var hosts = CreateTestProbe("hosts");
        var fetcher = parent.ChildActorOf(PlanetFetcher.Props(new Crawl.FetchPlanet(3, url, mode), CrawlContext.Create("crawl-t", settings, hosts)));
        return (parent, hosts, fetcher);
    }

    private static Http.Http.ResponseReceived Page(Host.Fetch fetch, int status, string html, string reason = "OK", string? location = null) =>
        new(fetch.RequestId, fetch.Url, status, reason,
            location is null ? [new("Content-Type", "text/html; charset=utf-8")] : [new("Location", location)], Encoding.UTF8.GetBytes(html));

    /// <summary>Answers the next fetch with a page.</summary>
    private static async Task<Host.Fetch> Serve(TestProbe hosts, int status, string html, string reason = "OK")
    {
        var fetch = await hosts.ExpectMsgAsync<Host.Fetch>();
        hosts.Reply(new Host.Fetched(fetch.RequestId, Page(fetch, status, html, reason)));
        return fetch;
    }

    [Fact]
    public async Task Fetcher_should_fetch_the_planet_as_new_then_its_first_article_as_a_follow_up_and_report_the_title()
    {
        var (parent, hosts, fetcher) = Start("http://planet.test/blog/");
        Watch(fetcher);
        var planet = await Serve(hosts, 200, Planet("2026/first-post.html"));
        Assert.Equal((new Uri("http://planet.test/blog/"), FetchPriority.New, 1, "crawl-t", true), (planet.Url, planet.Priority, planet.Attempt, planet.CrawlId, planet.Robots));
        var article = await Serve(hosts, 200, Article("  The   first\npost "));
        Assert.Equal((new Uri("http://planet.test/blog/2026/first-post.html"), FetchPriority.FollowUp), (article.Url, article.Priority));
        Assert.NotEqual(planet.RequestId, article.RequestId);

        var result = await parent.ExpectMsgAsync<Crawl.PlanetFetched>();
        Assert.Equal((3, "http://planet.test/blog/", "http://planet.test/blog/2026/first-post.html", "The first post", 200, 1),
            (result.Index, result.Planet, result.Article, result.Title, result.Status, result.Attempts));
        await ExpectTerminatedAsync(fetcher);
    }

    [Fact]
    public async Task Fetcher_should_follow_a_redirect_as_a_follow_up_and_report_the_final_url()
    {
        var (parent, hosts, _) = Start("http://planet.test/");
        var first = await hosts.ExpectMsgAsync<Host.Fetch>();
        hosts.Reply(new Host.Fetched(first.RequestId, Page(first, 301, "", "Moved", "https://www.planet.test/home")));
        var moved = await Serve(hosts, 200, Planet("/a"));
        Assert.Equal((new Uri("https://www.planet.test/home"), FetchPriority.FollowUp, 1), (moved.Url, moved.Priority, moved.Attempt));
        await Serve(hosts, 200, Article("Moved on"));
        Assert.Equal("https://www.planet.test/a", (await parent.ExpectMsgAsync<Crawl.PlanetFetched>()).Article);
    }

    [Fact]
    public async Task Fetcher_should_report_http_status_with_the_code_when_the_planet_is_not_found()
    {
        var (parent, hosts, _) = Start("http://planet.test/");
        await Serve(hosts, 404, "<html>gone</html>", "Not Found");
        var failed = await parent.ExpectMsgAsync<Crawl.PlanetFailed>();
        Assert.Equal((ErrorKind.HttpStatus, FetchStage.Planet, 404, "http://planet.test/", 1), (failed.Kind, failed.Stage, failed.Status, failed.Url, failed.Attempts));
        await hosts.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200)); // a 404 is never retried
    }

    [Fact]
    public async Task Fetcher_should_report_http_status_at_the_article_stage()
    {
        var (parent, hosts, _) = Start("http://planet.test/", hocon: "crawler.retry.max-retries = 0");
        await Serve(hosts, 200, Planet("/a"));
        await Serve(hosts, 500, "", "Internal Server Error");
        var failed = await parent.ExpectMsgAsync<Crawl.PlanetFailed>();
        Assert.Equal((ErrorKind.HttpStatus, FetchStage.Article, 500, "http://planet.test/a"), (failed.Kind, failed.Stage, failed.Status, failed.Url));
    }

    [Fact]
    public async Task Fetcher_should_report_no_article_when_the_planet_has_no_link()
    {
        var (parent, hosts, _) = Start("http://planet.test/");
        await Serve(hosts, 200, "<html><body><h2><a href=\"/x\">not h3</a></h2></body></html>");
        var failed = await parent.ExpectMsgAsync<Crawl.PlanetFailed>();
        Assert.Equal((ErrorKind.NoArticle, FetchStage.Planet, 200), (failed.Kind, failed.Stage, failed.Status));
        Assert.Contains("h3 > a[href]", failed.Message, StringComparison.Ordinal); // golden: names the selector
    }

    [Fact]
    public async Task Fetcher_should_report_no_title_when_the_article_has_none()
    {
        var (parent, hosts, _) = Start("http://planet.test/");
        await Serve(hosts, 200, Planet("/a"));
        await Serve(hosts, 200, "<html><body>untitled</body></html>");
        var failed = await parent.ExpectMsgAsync<Crawl.PlanetFailed>();
        Assert.Equal((ErrorKind.NoTitle, FetchStage.Article, 200), (failed.Kind, failed.Stage, failed.Status));
    }

    [Theory]
    [InlineData("mailto:editor@planet.test", ErrorKind.UnsupportedScheme)]
    [InlineData("gopher://old.test/post", ErrorKind.UnsupportedScheme)]
    [InlineData("http://[oops/post", ErrorKind.BadUrl)]
    public async Task Fetcher_should_refuse_an_article_link_it_cannot_fetch(string href, ErrorKind kind)
    {
        var (parent, hosts, _) = Start("http://planet.test/");
        await Serve(hosts, 200, Planet(href));
        var failed = await parent.ExpectMsgAsync<Crawl.PlanetFailed>();
        Assert.Equal((kind, FetchStage.Article), (failed.Kind, failed.Stage));
        await hosts.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    [Theory]
    [InlineData("not a url", ErrorKind.BadUrl)]
    [InlineData("/relative/path", ErrorKind.BadUrl)]
    [InlineData("ftp://files.test/", ErrorKind.UnsupportedScheme)]
    [InlineData("javascript:alert(1)", ErrorKind.UnsupportedScheme)]
    public async Task Fetcher_should_report_a_planet_url_it_cannot_fetch_without_any_request(string url, ErrorKind kind)
    {
        var (parent, hosts, _) = Start(url);
        var failed = await parent.ExpectMsgAsync<Crawl.PlanetFailed>();
        Assert.Equal((kind, FetchStage.Planet, url, 0), (failed.Kind, failed.Stage, failed.Planet, failed.Attempts));
        await hosts.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task Fetcher_should_pass_on_the_failure_of_a_request_and_never_retry_dns()
    {
        var (parent, hosts, _) = Start("http://planet.test/");
        var fetch = await hosts.ExpectMsgAsync<Host.Fetch>();
        var dns = new Failure(ErrorKind.Dns, "could not resolve host planet.test", "http://planet.test/");
        hosts.Reply(new Host.Failed(fetch.RequestId, dns));
        var failed = await parent.ExpectMsgAsync<Crawl.PlanetFailed>();
        Assert.Equal((dns, FetchStage.Planet, 1), (failed.Failure, failed.Stage, failed.Attempts));
        await hosts.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task Fetcher_should_report_a_url_that_robots_txt_disallows_with_no_attempt()
    {
        var (parent, hosts, _) = Start("http://planet.test/private/");
        var fetch = await hosts.ExpectMsgAsync<Host.Fetch>();
        hosts.Reply(new Host.Failed(fetch.RequestId, new Failure(ErrorKind.Robots, "disallowed", fetch.Url.ToString())));
        var failed = await parent.ExpectMsgAsync<Crawl.PlanetFailed>();
        Assert.Equal((ErrorKind.Robots, FetchStage.Planet, 0), (failed.Kind, failed.Stage, failed.Attempts));
    }

    [Fact]
    public async Task Fetcher_should_retry_a_transient_failure_after_its_backoff_and_report_the_attempts()
    {
        var (parent, hosts, _) = Start("http://planet.test/", hocon: "crawler.retry.backoff = 10ms");
        var first = await hosts.ExpectMsgAsync<Host.Fetch>();
        hosts.Reply(new Host.Failed(first.RequestId, new Failure(ErrorKind.Timeout, "timeout: no byte", first.Url.ToString(), null, TimeoutPhase.FirstByte)));
        var second = await hosts.ExpectMsgAsync<Host.Fetch>();
        Assert.Equal((first.Url, 2, FetchPriority.FollowUp), (second.Url, second.Attempt, second.Priority));
        Assert.InRange(second.Delay, TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(15)); // the backoff, jittered, waited at the host
        hosts.Reply(new Host.Fetched(second.RequestId, Page(second, 200, Planet("/a"))));
        await Serve(hosts, 200, Article("Second time lucky"));
        Assert.True(await parent.ExpectMsgAsync<Crawl.PlanetFetched>() is { Title: "Second time lucky", Attempts: 2 });
    }

    [Fact]
    public async Task Fetcher_should_honour_a_retry_after_and_give_up_when_the_host_denies_the_retry()
    {
        var (parent, hosts, _) = Start("http://planet.test/");
        var first = await hosts.ExpectMsgAsync<Host.Fetch>();
        var busy = Page(first, 503, "", "Service Unavailable") with { Headers = [new("Retry-After", "2")] };
        hosts.Reply(new Host.Fetched(first.RequestId, busy));
        var retry = await hosts.ExpectMsgAsync<Host.Fetch>();
        Assert.Equal((2, TimeSpan.FromSeconds(2)), (retry.Attempt, retry.Delay));
        hosts.Reply(new Host.Denied(retry.RequestId, "the retry budget of planet.test is spent"));
        var failed = await parent.ExpectMsgAsync<Crawl.PlanetFailed>();
        Assert.Equal((ErrorKind.HttpStatus, 503, 2), (failed.Kind, failed.Status, failed.Attempts));
    }

    [Fact]
    public async Task Fetcher_should_ignore_a_late_reply_to_a_request_it_left_behind()
    {
        var (parent, hosts, _) = Start("http://planet.test/", hocon: "crawler.retry.backoff = 10ms");
        var first = await hosts.ExpectMsgAsync<Host.Fetch>();
        hosts.Reply(new Host.Failed(first.RequestId, new Failure(ErrorKind.Reset, "reset", first.Url.ToString())));
        var second = await hosts.ExpectMsgAsync<Host.Fetch>();
        hosts.Reply(new Host.Fetched(first.RequestId, Page(first, 200, Planet("/late")))); // the first one, answered after all
        hosts.Reply(new Host.Fetched(second.RequestId, Page(second, 200, Planet("/on-time"))));
        Assert.Equal(new Uri("http://planet.test/on-time"), (await Serve(hosts, 200, Article("On time"))).Url);
        await parent.ExpectMsgAsync<Crawl.PlanetFetched>();
    }

    [Fact]
    public async Task Fetcher_should_report_a_timeout_when_the_whole_planet_takes_too_long()
    {
        var (parent, hosts, fetcher) = Start("http://planet.test/", hocon: "crawler.planet-timeout = 2s");
        Watch(fetcher);
        await Serve(hosts, 200, Planet("/a"));
        await hosts.ExpectMsgAsync<Host.Fetch>(); // the article never comes
        var failed = await parent.ExpectMsgAsync<Crawl.PlanetFailed>();
        Assert.Equal((ErrorKind.Timeout, FetchStage.Article, TimeoutPhase.Planet), (failed.Kind, failed.Stage, failed.Phase));
        await ExpectTerminatedAsync(fetcher);
        await parent.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Fetcher_should_stop_the_planets_clock_while_its_request_waits_at_the_host()
    {
        var (parent, hosts, _) = Start("http://planet.test/", hocon: "crawler.planet-timeout = 1s");
        var planet = await hosts.ExpectMsgAsync<Host.Fetch>();
        hosts.Reply(new Host.Queued(planet.RequestId));
        await parent.ExpectNoMsgAsync(TimeSpan.FromSeconds(2)); // twice the planet's limit, all of it queued
        hosts.Reply(new Host.Dispatched(planet.RequestId));
        hosts.Reply(new Host.Fetched(planet.RequestId, Page(planet, 200, Planet("/a"))));
        await Serve(hosts, 200, Article("Worth the wait"));
        Assert.Equal("Worth the wait", (await parent.ExpectMsgAsync<Crawl.PlanetFetched>()).Title);
    }

    [Fact]
    public async Task Fetcher_should_report_the_pages_own_title_in_the_titles_job()
    {
        var (parent, hosts, _) = Start("http://planet.test/", CrawlMode.Titles);
        await Serve(hosts, 200, Article("Just the page"));
        var result = await parent.ExpectMsgAsync<Crawl.PlanetFetched>();
        Assert.Equal(("Just the page", (string?)null), (result.Title, result.Article));
        await hosts.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }
}
