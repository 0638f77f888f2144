using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Crawler.Core.Embedding;
using Crawler.Http;
using Crawler.Testing;
using Xunit.Abstractions;

namespace Crawler.Core.Tests.Embedding;

/// <summary>The crawler embedded in someone else's ActorSystem through <c>system.Crawler()</c>: the system and its
/// other actors are left alone, crawls run side by side with their own settings and results, cancelling one leaves
/// the others, and the host's HOCON overrides the embedded defaults.</summary>
public sealed class EmbeddingSpecs : CrawlSpec
{
    private const string Hocon = """
        crawler.robots.enabled = off
        crawler.http.connect-timeout = 700ms
        crawler.http.max-connections-per-host = 3
        """;

    public EmbeddingSpecs(ITestOutputHelper output) : base(Hocon, output)
    {
    }

    private static LoopbackHttpServer Site(TimeSpan delay) => LoopbackHttpServer.Start(async request =>
    {
        await Task.Delay(delay);
        return request.Target.EndsWith("/planet", StringComparison.Ordinal)
            ? ServerAction.Ok(TestPages.Planet("article"))
            : ServerAction.Ok($"<html><head><title>Title of {request.Target}</title></head><body><h1>Heading of {request.Target}</h1></body></html>");
    });

    private static List<string> Planets(LoopbackHttpServer server, string prefix, int count) =>
        [.. Enumerable.Range(0, count).Select(i => server.Url($"/{prefix}{i}/planet").ToString())];

    [Fact]
    public async Task An_embedded_crawl_should_leave_the_system_running_and_the_hosts_other_actors_untouched()
    {
        var echo = Sys.ActorOf(Props.Create(() => new EchoActor()), "hosts-own-actor");
        await using var server = Site(TimeSpan.Zero);

        var report = await Sys.Crawler().CrawlAsync(Planets(server, "p", 3)).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal((3, 3), (report.Summary.Total, report.Summary.Ok));
        Assert.Equal(["Title of /p0/article", "Title of /p1/article", "Title of /p2/article"], report.Fetched.Select(f => f.Title));
        Assert.False(Sys.WhenTerminated.IsCompleted);
        Assert.Equal("pong", await echo.Ask<string>("ping", TimeSpan.FromSeconds(5)));
        var userActors = await Sys.ActorSelection("/user/*").Ask<ActorIdentity>(new Identify(1), TimeSpan.FromSeconds(5));
        Assert.Equal(echo, userActors.Subject); // the crawl made no actor of its own under /user
        await AwaitAssertAsync(async () =>
        {
            var crawls = await Sys.ActorSelection("/system/crawler-crawl-*").Ask<ActorIdentity>(new Identify(2), TimeSpan.FromSeconds(1));
            Assert.Null(crawls.Subject); // the crawl's actors are gone once it is done
        }, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Two_concurrent_crawls_with_different_selectors_should_each_get_exactly_their_results()
    {
        await using var server = Site(TimeSpan.FromMilliseconds(100));
        var crawler = Sys.Crawler();

        var byTitle = crawler.CrawlAsync(Planets(server, "t", 4), new CrawlOptions { TitleSelector = "head > title" });
        var byHeading = crawler.CrawlAsync(Planets(server, "h", 5), new CrawlOptions { TitleSelector = "//h1" });
        var reports = await Task.WhenAll(byTitle, byHeading).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(Enumerable.Range(0, 4).Select(i => $"Title of /t{i}/article"), reports[0].Fetched.Select(f => f.Title));
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"Heading of /h{i}/article"), reports[1].Fetched.Select(f => f.Title));
        Assert.Equal((4, 5), (reports[0].Results.Count, reports[1].Results.Count));
    }

    [Fact]
    public async Task Cancelling_one_crawl_midway_should_end_it_with_cancelled_results_close_its_connections_and_leave_the_other_intact()
    {
        await using var stuck = LoopbackHttpServer.Start(_ => ServerAction.Hang);
        await using var healthy = Site(TimeSpan.FromMilliseconds(300));
        var crawler = Sys.Crawler();
        using var cancel = new CancellationTokenSource();

        var doomed = crawler.CrawlAsync(Planets(stuck, "x", 3), cancellationToken: cancel.Token);
        var intact = crawler.CrawlAsync(Planets(healthy, "y", 3));
        await AwaitConditionAsync(() => Task.FromResult(stuck.OpenConnections == 3), TimeSpan.FromSeconds(10));
        cancel.Cancel();
        var cancelled = await doomed.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.All(cancelled.Results, r => Assert.Equal(ErrorKind.Cancelled, Assert.IsType<Crawl.PlanetFailed>(r).Kind));
        Assert.Equal(3, cancelled.Results.Count);
        await AwaitConditionAsync(() => Task.FromResult(stuck.OpenConnections == 0), TimeSpan.FromSeconds(10)); // nothing leaks
        var report = await intact.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal((3, 3), (report.Summary.Total, report.Summary.Ok));
    }

    [Fact]
    public async Task A_host_that_overrides_connect_timeout_in_its_hocon_should_see_the_override_applied()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(700), Sys.Crawler().Settings.Http.ConnectTimeout);
        Assert.Equal("h3 > a[href]", Sys.Crawler().Settings.ArticleSelector); // the rest from the embedded reference.conf

        // A TLS handshake the server never answers is bounded by the connect timeout.
        await using var silent = LoopbackHttpServer.Start(_ => ServerAction.Hang);
        var report = await Sys.Crawler()
            .CrawlAsync([$"https://127.0.0.1:{silent.Port}/planet"], new CrawlOptions { Hocon = "retry.max-retries = 0" })
            .WaitAsync(TimeSpan.FromSeconds(20));

        var failed = Assert.IsType<Crawl.PlanetFailed>(Assert.Single(report.Results));
        Assert.Equal((ErrorKind.Timeout, TimeoutPhase.Connect), (failed.Kind, failed.Phase));
        Assert.InRange(failed.ElapsedMs, 500, 5000);
    }

    [Fact]
    public async Task Crawl_props_should_send_each_result_and_then_one_completed_to_the_actor_it_reports_to()
    {
        await using var server = Site(TimeSpan.Zero);
        var crawl = Sys.ActorOf(Sys.Crawler().CrawlProps(TestActor, new CrawlOptions { Mode = CrawlMode.Titles }));
        Watch(crawl);
        crawl.Tell(new Crawl.StartCrawl([server.Url("/a/article").ToString(), server.Url("/b/article").ToString()], CrawlMode.Titles));

        var titles = new[] { await ExpectMsgAsync<Crawl.PlanetResult>(), await ExpectMsgAsync<Crawl.PlanetResult>() }
            .Cast<Crawl.PlanetFetched>().Select(f => f.Title).Order();
        Assert.Equal(["Title of /a/article", "Title of /b/article"], titles);
        var completed = await ExpectMsgAsync<Crawl.Completed>();
        Assert.Equal((2, 2), (completed.Summary.Total, completed.Summary.Ok));
        await ExpectTerminatedAsync(crawl);
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task The_results_source_should_emit_one_result_per_planet_and_a_cancelling_consumer_should_cancel_the_crawl()
    {
        await using var server = Site(TimeSpan.FromMilliseconds(50));
        var crawler = Sys.Crawler();
        var all = await crawler.Results(Source.From(Planets(server, "s", 6)))
            .RunWith(Sink.Seq<Crawl.PlanetResult>(), Sys.Materializer()).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(Enumerable.Range(0, 6), all.Select(r => r.Index).Order());
        Assert.All(all, r => Assert.IsType<Crawl.PlanetFetched>(r));

        await using var stuck = LoopbackHttpServer.Start(request => request.Target.StartsWith("/fast", StringComparison.Ordinal)
            ? ServerAction.Ok(TestPages.Article("fast"))
            : ServerAction.Hang);
        var first = await crawler.Results(Source.From(new[] { "/fast/0", "/slow/1", "/slow/2" }.Select(p => stuck.Url(p).ToString())),
                new CrawlOptions { Mode = CrawlMode.Titles })
            .Take(1).RunWith(Sink.Seq<Crawl.PlanetResult>(), Sys.Materializer()).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("fast", Assert.IsType<Crawl.PlanetFetched>(Assert.Single(first)).Title);
        await AwaitConditionAsync(() => Task.FromResult(stuck.OpenConnections == 0), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task The_per_host_connection_cap_should_hold_across_crawls_sharing_the_systems_pool()
    {
        var open = 0;
        var most = 0;
        var gate = new object();
        await using var server = LoopbackHttpServer.Start(async request =>
        {
            var now = Interlocked.Increment(ref open);
            lock (gate)
            {
                most = Math.Max(most, now);
            }

            await Task.Delay(60);
            Interlocked.Decrement(ref open);
            return request.Target.EndsWith("/planet", StringComparison.Ordinal)
                ? ServerAction.Ok(TestPages.Planet("article"))
                : ServerAction.Ok(TestPages.Article("t"));
        });
        var crawler = Sys.Crawler();

        var reports = await Task.WhenAll(
                crawler.CrawlAsync(Planets(server, "a", 6)),
                crawler.CrawlAsync(Planets(server, "b", 6), new CrawlOptions { ArticleSelector = "h3 a" }))
            .WaitAsync(TimeSpan.FromSeconds(30));

        Assert.All(reports, r => Assert.Equal(6, r.Summary.Ok));
        Assert.InRange(most, 1, 3); // crawler.http.max-connections-per-host = 3 for the whole system
    }

    [Fact]
    public void Bad_crawl_options_should_be_a_configuration_error_that_names_the_key()
    {
        var error = Assert.ThrowsAny<Akka.Configuration.ConfigurationException>(() =>
            Sys.Crawler().CrawlProps(TestActor, new CrawlOptions { ArticleSelector = "h3 >>> a[" }));
        Assert.Contains("article-selector", error.Message, StringComparison.Ordinal);
    }

    private sealed class EchoActor : ReceiveActor
    {
        public EchoActor() => Receive<string>(_ => Sender.Tell("pong"));
    }
}
