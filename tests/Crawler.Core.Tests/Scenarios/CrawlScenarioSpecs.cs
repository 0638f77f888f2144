using System.Collections.Concurrent;
using System.Text.Json;
using Akka.Actor;
using Akka.TestKit;
using Crawler.Core.Configuration;
using Crawler.Core.Coordination;
using Crawler.Core.Embedding;
using Crawler.Core.Output;
using Crawler.Http;
using Crawler.SampleSite;
using Crawler.Testing;
using Xunit.Abstractions;

namespace Crawler.Core.Tests.Scenarios;

/// <summary>Whole crawls: the real coordinator, fetchers and connections over loopback sockets, against the scripted
/// fixture server and the Kestrel planet farm.</summary>
public sealed class CrawlScenarioSpecs : CrawlSpec
{
    private const string Hocon = """
        crawler.http.request-timeout = 10s
        crawler.http.connect-timeout = 5s
        crawler.http.max-body-bytes = 64k
        crawler.planet-timeout = 20s
        """;

    public CrawlScenarioSpecs(ITestOutputHelper output) : base(Hocon, output)
    {
    }

    private Task<Dictionary<string, Crawl.PlanetResult>> Crawl(IReadOnlyList<string> urls, CrawlerSettings? settings = null) =>
        CrawlByPlanetAsync(urls, settings, timeout: TimeSpan.FromSeconds(20));

    [Fact]
    public async Task Crawl_should_fetch_four_planets_concurrently_as_proved_by_a_server_that_answers_only_when_all_four_asked()
    {
        var arrived = 0;
        var allFour = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = LoopbackHttpServer.Start(async request =>
        {
            if (!request.Target.StartsWith("/planet/", StringComparison.Ordinal))
            {
                return ServerAction.Ok(TestPages.Article("Article of " + request.Target));
            }

            if (Interlocked.Increment(ref arrived) == 4)
            {
                allFour.TrySetResult();
            }

            // A sequential crawler would send one planet request at a time: it would get a 503 after 3 s.
            var released = await Task.WhenAny(allFour.Task, Task.Delay(TimeSpan.FromSeconds(3))) == allFour.Task;
            return released ? ServerAction.Ok(TestPages.Planet($"/article{request.Target}")) : ServerAction.Status(503, "Service Unavailable");
        });
        var planets = Enumerable.Range(0, 4).Select(n => server.Url($"/planet/{n}").ToString()).ToList();

        var results = await Crawl(planets);

        Assert.True(allFour.Task.IsCompleted);
        Assert.All(planets, p => Assert.Equal("Article of /article" + new Uri(p).AbsolutePath, Fetched(results[p]).Title));
    }

    [Fact]
    public async Task Crawl_should_not_pass_the_concurrency_proof_when_sequential()
    {
        var arrived = 0;
        var both = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = LoopbackHttpServer.Start(async request =>
        {
            if (Interlocked.Increment(ref arrived) == 2)
            {
                both.TrySetResult();
            }

            var released = await Task.WhenAny(both.Task, Task.Delay(TimeSpan.FromMilliseconds(300))) == both.Task;
            return released ? ServerAction.Ok(TestPages.Planet("/a")) : ServerAction.Status(503, "Service Unavailable");
        });
        var results = await Crawl([server.Url("/planet/0").ToString(), server.Url("/planet/1").ToString()],
            Settings with { Sequential = true, Retry = Settings.Retry with { MaxRetries = 0 } });
        Assert.Contains(results.Values, r => r is Crawl.PlanetFailed { Kind: ErrorKind.HttpStatus, Status: 503 });
    }

    [Fact]
    public async Task Crawl_should_end_every_failure_as_one_result_for_its_planet_while_the_others_succeed()
    {
        var big = new string('x', 100 * 1024);
        await using var server = LoopbackHttpServer.Start(request => request.Target switch
        {
            var t when t.StartsWith("/ok/", StringComparison.Ordinal) && t.EndsWith("/planet", StringComparison.Ordinal) =>
                ServerAction.Ok(TestPages.Planet("article")),
            var t when t.StartsWith("/ok/", StringComparison.Ordinal) => ServerAction.Ok(TestPages.Article("Fine " + t)),
            "/not-found" => ServerAction.Status(404, "Not Found", "<html>nothing here</html>"),
            "/no-article" => ServerAction.Ok("<html><head><title>No links</title></head><body><p>quiet</p></body></html>"),
            "/no-title/planet" => ServerAction.Ok(TestPages.Planet("/no-title/article")),
            "/no-title/article" => ServerAction.Ok("<html><body>untitled</body></html>"),
            "/article-404/planet" => ServerAction.Ok(TestPages.Planet("/gone")),
            "/gone" => ServerAction.Status(404, "Not Found"),
            "/garbage" => ServerAction.Raw("this is not HTTP at all\r\n\r\n"),
            "/hang" => ServerAction.Hang,
            "/reset" => new ServerAction.ResetAfter(Responses.Build(200, "OK", big[..10_000])[..300]),
            "/close-mid-body" => new ServerAction.CloseAfter(Responses.Build(200, "OK", big[..10_000])[..300]),
            "/too-large" => ServerAction.Ok(big),
            _ => ServerAction.Status(500, "Unexpected"),
        });
        var closed = $"http://127.0.0.1:{LoopbackHttpServer.ClosedPort()}/planet";
        var expected = new Dictionary<string, (ErrorKind? Kind, FetchStage Stage)>
        {
            [server.Url("/ok/1/planet").ToString()] = (null, FetchStage.Planet),
            [server.Url("/ok/2/planet").ToString()] = (null, FetchStage.Planet),
            [server.Url("/not-found").ToString()] = (ErrorKind.HttpStatus, FetchStage.Planet),
            [server.Url("/no-article").ToString()] = (ErrorKind.NoArticle, FetchStage.Planet),
            [server.Url("/no-title/planet").ToString()] = (ErrorKind.NoTitle, FetchStage.Article),
            [server.Url("/article-404/planet").ToString()] = (ErrorKind.HttpStatus, FetchStage.Article),
            [server.Url("/garbage").ToString()] = (ErrorKind.Protocol, FetchStage.Planet),
            [server.Url("/hang").ToString()] = (ErrorKind.Timeout, FetchStage.Planet),
            [server.Url("/reset").ToString()] = (ErrorKind.Reset, FetchStage.Planet),
            [server.Url("/close-mid-body").ToString()] = (ErrorKind.Protocol, FetchStage.Planet),
            [server.Url("/too-large").ToString()] = (ErrorKind.TooLarge, FetchStage.Planet),
            [closed] = (ErrorKind.Refused, FetchStage.Planet),
            ["http://no-such-planet.crawler-test.invalid/"] = (ErrorKind.Dns, FetchStage.Planet),
            ["not a url at all"] = (ErrorKind.BadUrl, FetchStage.Planet),
            ["gopher://planet.example/"] = (ErrorKind.UnsupportedScheme, FetchStage.Planet),
        };

        // The server that never answers needs a short request timeout; the rest of the crawl does not mind it.
        var results = await Crawl([.. expected.Keys], Settings with { Http = Settings.Http with { RequestTimeout = TimeSpan.FromSeconds(2) } });

        foreach (var (planet, (kind, stage)) in expected)
        {
            var result = results[planet];
            if (kind is null)
            {
                Fetched(result);
                continue;
            }

            var failed = Assert.IsType<Crawl.PlanetFailed>(result);
            Assert.True((kind, stage) == (failed.Kind, failed.Stage), $"{planet}: expected {kind}/{stage}, got {failed}");
            Assert.False(string.IsNullOrWhiteSpace(failed.Message));
        }

        Assert.Equal(404, ((Crawl.PlanetFailed)results[server.Url("/article-404/planet").ToString()]).Status);
    }

    [Fact]
    public async Task Crawl_should_fetch_each_article_over_its_planets_keep_alive_connection()
    {
        await using var farm = await PlanetFarm.StartAsync(new PlanetFarmOptions(20, TimeSpan.FromMilliseconds(20)));
        var results = await Crawl(farm.PlanetUrls);
        for (var n = 0; n < 20; n++)
        {
            var ok = Fetched(results[farm.PlanetUrls[n]]);
            Assert.Equal($"Article 1 of planet {n}", ok.Title);
            Assert.Equal(new Uri(farm.BaseUri, $"/article/{n}/1").ToString(), ok.Article);
        }

        // 20 planets and 20 articles, plus one robots.txt (a 404) fetched once for the host, over the crawl's pool:
        // at most 8 keep-alive connections to the host (crawler.http.max-connections-per-host).
        Assert.Equal(41, farm.RequestCount);
        Assert.InRange(farm.ConnectionCount, 1, 8);
    }

    [Fact]
    public async Task Crawl_should_fetch_planets_and_articles_over_https()
    {
        await using var server = await HttpsTestServer.StartAsync(context => context.Request.Path.Value!.EndsWith("/planet", StringComparison.Ordinal)
            ? Microsoft.AspNetCore.Http.Results.Content(TestPages.Planet("article"), "text/html")
            : context.Request.Path.Value == "/robots.txt"
                ? Microsoft.AspNetCore.Http.Results.NotFound()
                : Microsoft.AspNetCore.Http.Results.Content(TestPages.Article("Secure " + context.Request.Path), "text/html"));
        var settings = Settings with
        {
            Http = Settings.Http with { Tls = Http.Configuration.TlsSettings.Create(Akka.Configuration.ConfigurationFactory.ParseString(
                $"trusted-certificates = [\"{server.CertificatePath}\"]")) },
        };
        var planets = new[] { new Uri(server.BaseUri, "/a/planet").ToString(), new Uri(server.BaseUri, "/b/planet").ToString() };
        var results = await Crawl(planets, settings);
        Assert.Equal("Secure /a/article", Fetched(results[planets[0]]).Title);
        Assert.Equal("Secure /b/article", Fetched(results[planets[1]]).Title);
        Assert.StartsWith("https://127.0.0.1:", Fetched(results[planets[0]]).Article, StringComparison.Ordinal);

        var untrusted = await Crawl([planets[0]]);
        Assert.True(untrusted[planets[0]] is Crawl.PlanetFailed { Kind: ErrorKind.Tls }, untrusted[planets[0]].ToString());
    }

    [Fact]
    public async Task Crawl_should_fetch_titles_repeatedly_in_the_titles_job()
    {
        await using var farm = await PlanetFarm.StartAsync(new PlanetFarmOptions(1, TimeSpan.Zero));
        var url = farm.BaseUri.ToString();
        var results = await CrawlAsync([.. Enumerable.Repeat(url, 5)], mode: CrawlMode.Titles);
        Assert.All(results, r => Assert.Equal("Planet farm", Fetched(r).Title));
    }

    [Fact]
    public async Task An_embedded_crawl_should_leave_the_system_and_its_other_actors_running()
    {
        await using var farm = await PlanetFarm.StartAsync(new PlanetFarmOptions(3, TimeSpan.Zero));
        var hostActor = Sys.ActorOf(Props.Create(() => new Echo()), "host-service");
        var output = new StringWriter();
        var summary = await CrawlerProps.Start(Sys, new Crawl.StartCrawl([.. farm.PlanetUrls]), Settings, ResultFormat.Json,
            output, TextWriter.Null).Completion.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal((3, 3), (summary.Total, summary.Ok));
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.All(lines, line => Assert.True(JsonDocument.Parse(line).RootElement.GetProperty("ok").GetBoolean()));
        Assert.False(Sys.WhenTerminated.IsCompleted);
        hostActor.Tell("still there?");
        Assert.Equal("still there?", await ExpectMsgAsync<string>());
    }

    [Fact]
    public async Task A_console_mode_crawl_should_stop_its_system_when_every_planet_has_reported()
    {
        await using var farm = await PlanetFarm.StartAsync(new PlanetFarmOptions(2, TimeSpan.Zero));
        using var console = ActorSystem.Create("console", "akka.loglevel = WARNING\ncrawler.stop-system-on-completion = on");
        var settings = CrawlerSettings.Create(console);
        Assert.True(settings.StopSystemOnCompletion);
        var summary = await CrawlerProps.Start(console, new Crawl.StartCrawl([.. farm.PlanetUrls]), settings, ResultFormat.Text,
            TextWriter.Null, TextWriter.Null).Completion.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(summary.AllOk);
        await console.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private sealed class Echo : ReceiveActor
    {
        public Echo() => ReceiveAny(message => Sender.Tell(message));
    }
}
