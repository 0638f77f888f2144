using System.Diagnostics;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Crawler.Core.Embedding;
using Crawler.SampleSite;
using Crawler.TestKit;
using Xunit.Abstractions;

namespace Crawler.Core.Tests.Embedding;

/// <summary>
/// Written as an embedder writes their own specs with Crawler.TestKit: an Akka.TestKit spec (their system, their
/// HOCON) against a <see cref="FakeSite"/>, and code that takes an <see cref="ICrawler"/> tested with a
/// <see cref="FakeCrawler"/> and <see cref="PlanetResults"/>. Only the packages' public API is used.
/// </summary>
public sealed class EmbedderTestKitSpecs : Akka.TestKit.Xunit2.TestKit
{
    private const string Hocon = """
        crawler.retry.max-retries = 1
        crawler.retry.backoff = 10ms
        """;

    public EmbedderTestKitSpecs(ITestOutputHelper output) : base(Hocon, output)
    {
    }

    [Fact]
    public async Task A_fake_site_should_serve_planets_articles_statuses_redirects_faults_and_robots_as_scripted()
    {
        await using var site = FakeSite.Start(s => s
            .Planet("/planet", "/post", "/second")
            .Article("/post", "Hello & welcome")
            .Status("/gone", 410)
            .Redirect("/moved", "/post")
            .Page("/slow", "<html><head><title>Slowly</title></head><body>" + new string('x', 4000) + "</body></html>",
                dripOver: TimeSpan.FromMilliseconds(160))
            .Fault("/flaky", SiteFault.Reset, times: 1)
            .Article("/flaky", "Second time lucky")
            .Fault("/garbage", SiteFault.Garbage)
            .Robots("User-agent: *\nDisallow: /private\n"));

        var report = await Sys.Crawler().CrawlAsync(
            [.. new[] { "/planet", "/gone", "/moved", "/slow", "/flaky", "/garbage", "/private/page" }.Select(p => site.Url(p).ToString())],
            new CrawlOptions { Mode = CrawlMode.Titles, RespectRobots = true }).WaitAsync(TimeSpan.FromSeconds(30));

        var results = report.Results;
        Assert.Equal("Planet", Assert.IsType<Crawl.PlanetFetched>(results[0]).Title);
        Assert.Equal(410, Assert.IsType<Crawl.PlanetFailed>(results[1]).Status);
        Assert.Equal(ErrorKind.HttpStatus, ((Crawl.PlanetFailed)results[1]).Kind);
        Assert.Equal("Hello & welcome", Assert.IsType<Crawl.PlanetFetched>(results[2]).Title);
        Assert.Equal("Slowly", Assert.IsType<Crawl.PlanetFetched>(results[3]).Title);
        var flaky = Assert.IsType<Crawl.PlanetFetched>(results[4]);
        Assert.Equal(("Second time lucky", 2), (flaky.Title, flaky.Attempts));
        Assert.Equal(ErrorKind.Protocol, Assert.IsType<Crawl.PlanetFailed>(results[5]).Kind);
        Assert.Equal(ErrorKind.Robots, Assert.IsType<Crawl.PlanetFailed>(results[6]).Kind);
        Assert.Equal(0, site.RequestCount("/private/page"));
        Assert.Equal(2, site.RequestCount("/flaky"));

        var planet = await Sys.Crawler().CrawlAsync([site.Url("/planet").ToString()]).WaitAsync(TimeSpan.FromSeconds(30));
        var fetched = Assert.Single(planet.Fetched);
        Assert.Equal((site.Url("/post").ToString(), "Hello & welcome"), (fetched.Article, fetched.Title));
    }

    [Fact]
    public async Task Disposing_the_fake_site_first_should_end_its_open_requests_at_once()
    {
        var site = FakeSite.Start(s => s.Fault("/hang", SiteFault.Hang));
        var crawl = Sys.Crawler().CrawlAsync([site.Url("/hang").ToString(), site.Url("/hang?2").ToString()],
            new CrawlOptions { Mode = CrawlMode.Titles, FirstByteTimeout = TimeSpan.FromSeconds(20) });
        await AwaitConditionAsync(() => Task.FromResult(site.OpenConnections == 2), TimeSpan.FromSeconds(10));

        var clock = Stopwatch.StartNew();
        await site.DisposeAsync();
        var report = await crawl.WaitAsync(TimeSpan.FromSeconds(15));

        // Ended by the site going away, not by the 20 s first-byte timeout.
        Assert.All(report.Failed, failed => Assert.NotEqual(ErrorKind.Timeout, failed.Kind));
        Assert.Equal(2, report.Summary.Failed);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Disposing_the_sample_site_first_should_end_its_open_requests_at_once()
    {
        var farm = await PlanetFarm.StartAsync(new PlanetFarmOptions(2, TimeSpan.FromSeconds(60)));
        var crawl = Sys.Crawler().CrawlAsync(farm.PlanetUrls, new CrawlOptions { FirstByteTimeout = TimeSpan.FromSeconds(20), RespectRobots = false });
        await AwaitConditionAsync(() => Task.FromResult(farm.RequestCount == 2), TimeSpan.FromSeconds(10));

        await farm.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        var report = await crawl.WaitAsync(TimeSpan.FromSeconds(15));

        Assert.Equal(2, report.Summary.Failed);
        Assert.All(report.Failed, failed => Assert.NotEqual(ErrorKind.Timeout, failed.Kind));
    }

    [Fact]
    public async Task Disposing_the_actor_system_first_should_leave_the_fake_site_quick_to_dispose()
    {
        var system = ActorSystem.Create("embedder-disposing-first", "crawler.robots.enabled = off");
        var site = FakeSite.Start(s => s.Fault("/hang", SiteFault.Hang));
        var crawl = system.Crawler().CrawlAsync([site.Url("/hang").ToString()]);
        await AwaitConditionAsync(() => Task.FromResult(site.OpenConnections == 1), TimeSpan.FromSeconds(10));

        await system.Terminate().WaitAsync(TimeSpan.FromSeconds(10));
        await site.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));

        var report = await crawl.WaitAsync(TimeSpan.FromSeconds(5)); // cancelled at the system's shutdown
        Assert.Equal(ErrorKind.Cancelled, Assert.Single(report.Failed).Kind);
    }

    [Fact]
    public async Task A_fake_crawler_should_answer_what_was_scripted_and_record_each_crawl()
    {
        var crawler = new FakeCrawler()
            .Fetches("http://planet.test/", "Scripted title", article: "http://planet.test/post")
            .Fails("http://down.test/", ErrorKind.Dns);

        var report = await crawler.CrawlAsync(["http://planet.test/", "http://down.test/", "http://unknown.test/"],
            new CrawlOptions { CrawlId = "mine" });

        Assert.Equal("mine", report.CrawlId);
        Assert.Equal([0, 1, 2], report.Results.Select(r => r.Index));
        Assert.All(report.Results, r => Assert.Equal("mine", r.CrawlId));
        Assert.Equal("Scripted title", Assert.IsType<Crawl.PlanetFetched>(report.Results[0]).Title);
        Assert.Equal(PlanetResults.Failed("http://down.test/", ErrorKind.Dns, index: 1, crawlId: "mine"), report.Results[1]);
        Assert.Equal(404, Assert.IsType<Crawl.PlanetFailed>(report.Results[2]).Status);
        Assert.Equal((3, 1, 2), (report.Summary.Total, report.Summary.Ok, report.Summary.Failed));
        var recorded = Assert.Single(crawler.Crawls);
        Assert.Equal(("CrawlAsync", 3), (recorded.Way, recorded.Urls.Count));
    }

    [Fact]
    public async Task A_fake_crawler_should_keep_the_actor_protocol_with_cancel_and_crawl_ids()
    {
        var crawler = new FakeCrawler { ResultDelay = TimeSpan.FromSeconds(30) }.Fetches("http://a.test/", "A");
        var crawl = Sys.ActorOf(crawler.CrawlProps(TestActor, new CrawlOptions { CrawlId = "by-actor" }));
        crawl.Tell(new Crawl.StartCrawl(["http://a.test/", "http://b.test/"], CrawlMode.Titles));
        await AwaitConditionAsync(() => Task.FromResult(crawler.Crawls.Count == 1), TimeSpan.FromSeconds(5));

        crawl.Tell(new Crawl.CancelCrawl("the test is done"));

        var first = await ExpectMsgAsync<Crawl.PlanetFailed>();
        var second = await ExpectMsgAsync<Crawl.PlanetFailed>();
        Assert.Equal((ErrorKind.Cancelled, ErrorKind.Cancelled), (first.Kind, second.Kind));
        var completed = await ExpectMsgAsync<Crawl.Completed>();
        Assert.Equal(("by-actor", 2), (completed.CrawlId, completed.Summary.FailuresByKind[ErrorKind.Cancelled]));
        Assert.Equal(CrawlMode.Titles, crawler.Crawls[0].Mode);

        crawler.ResultDelay = TimeSpan.Zero;
        var another = Sys.ActorOf(crawler.CrawlProps(TestActor));
        another.Tell(new Crawl.StartCrawl(["http://a.test/"]));
        Assert.Equal("A", (await ExpectMsgAsync<Crawl.PlanetFetched>()).Title);
        await ExpectMsgAsync<Crawl.Completed>();

        var busy = Sys.ActorOf(new FakeCrawler { ResultDelay = TimeSpan.FromSeconds(30) }.CrawlProps(CreateTestProbe()));
        busy.Tell(new Crawl.StartCrawl(["http://a.test/"]));
        busy.Tell(new Crawl.StartCrawl(["http://a.test/"]));
        await ExpectMsgAsync<Crawl.CrawlRefused>();
    }

    [Fact]
    public async Task A_fake_crawlers_flow_should_emit_one_result_per_planet_and_complete_its_handle()
    {
        var crawler = new FakeCrawler().Fetches("http://a.test/", "A");
        var (handle, results) = Source.From(new[] { "http://a.test/", "http://b.test/" })
            .ViaMaterialized(crawler.ResultsFlow(new CrawlOptions { CrawlId = "streamed" }), Keep.Right)
            .ToMaterialized(Sink.Seq<Crawl.PlanetResult>(), Keep.Both)
            .Run(Sys.Materializer());

        var summary = await handle.Completion.WaitAsync(TimeSpan.FromSeconds(5));
        var all = await results.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(("streamed", 2, 1), (handle.CrawlId, summary.Total, summary.Ok));
        Assert.Equal(["A"], all.OfType<Crawl.PlanetFetched>().Select(f => f.Title));
        Assert.Equal(["http://a.test/", "http://b.test/"], crawler.Crawls.Single(c => c.Way == "ResultsFlow").Urls);

        var slow = new FakeCrawler { ResultDelay = TimeSpan.FromSeconds(30) };
        var (cancellable, pending) = Source.From(new[] { "http://c.test/" })
            .ViaMaterialized(slow.ResultsFlow(), Keep.Right)
            .ToMaterialized(Sink.Seq<Crawl.PlanetResult>(), Keep.Both)
            .Run(Sys.Materializer());
        await AwaitConditionAsync(() => Task.FromResult(slow.Crawls.Single().Urls.Count == 1), TimeSpan.FromSeconds(5));
        cancellable.Cancel("enough");
        Assert.Equal(ErrorKind.Cancelled, Assert.IsType<Crawl.PlanetFailed>(Assert.Single(await pending.WaitAsync(TimeSpan.FromSeconds(5)))).Kind);
    }

    [Fact]
    public void Result_builders_should_fill_what_a_test_does_not_care_about_and_sum_up_a_report()
    {
        var report = PlanetResults.Report(
        [
            PlanetResults.Fetched("http://a.test/", "A"),
            PlanetResults.Failed("http://b.test/", ErrorKind.Timeout, phase: TimeoutPhase.FirstByte),
            PlanetResults.Failed("http://c.test/", ErrorKind.Timeout, FetchStage.Article, url: "http://c.test/post"),
        ], crawlId: "built");

        Assert.Equal([0, 1, 2], report.Results.Select(r => r.Index));
        Assert.Equal((3, 1, 2), (report.Summary.Total, report.Summary.Ok, report.Summary.Failed));
        Assert.Equal(2, report.Summary.FailuresByKind[ErrorKind.Timeout]);
        var article = report.Failed.Last();
        Assert.Equal((FetchStage.Article, "http://c.test/post", "built"), (article.Stage, article.Url, article.CrawlId));
        Assert.Equal(TimeoutPhase.FirstByte, report.Failed.First().Phase);
    }
}
