using Akka.Actor;
using AngleSharp.Html.Dom;
using Crawler.Core.Configuration;
using Crawler.Core.Coordination;
using Crawler.Core.Extraction;
using Crawler.Core.Fetching;
using Crawler.Http;
using Crawler.Testing;
using Xunit.Abstractions;

namespace Crawler.Core.Tests.Scenarios;

/// <summary>
/// The seed's open question, one fault at a time: a crawl of two healthy planets and one faulty one, over real
/// loopback sockets against a fixture server with switchable faults. Each test asserts the faulty planet's exact
/// kind, stage (and attempts or phase where they matter) and that the two others succeed.
/// </summary>
public sealed class FaultInjectionSpecs : CrawlSpec
{
    private const string Hocon = """
        crawler.http.connect-timeout = 2s
        crawler.http.first-byte-timeout = 1s
        crawler.http.read-idle-timeout = 1s
        crawler.http.request-timeout = 5s
        crawler.http.max-body-bytes = 64k
        crawler.http.max-redirects = 3
        crawler.planet-timeout = 15s
        crawler.retry.backoff = 50ms
        crawler.retry.max-retry-after = 2s
        crawler.retry.slow-down = 10ms
        crawler.retry.max-host-delay = 50ms
        """;

    public FaultInjectionSpecs(ITestOutputHelper output) : base(Hocon, output)
    {
    }

    /// <summary>Crawls two healthy planets and <paramref name="faulty"/>, served by <paramref name="fault"/> for every
    /// path under <c>/fault/</c>; asserts the healthy ones and returns the faulty one's result.</summary>
    private async Task<Crawl.PlanetResult> CrawlWithFault(Func<RecordedRequest, ServerAction>? fault, string faulty = "/fault/planet",
        CrawlerSettings? settings = null, Func<IUntypedActorContext, Crawl.FetchPlanet, CrawlContext, IActorRef>? fetchers = null)
    {
        await using var server = LoopbackHttpServer.Start(request => request.Target switch
        {
            var t when t.StartsWith("/ok/", StringComparison.Ordinal) && t.EndsWith("/planet", StringComparison.Ordinal) =>
                ServerAction.Ok(TestPages.Planet("article")),
            var t when t.StartsWith("/ok/", StringComparison.Ordinal) => ServerAction.Ok(TestPages.Article("Fine")),
            _ when fault is not null => fault(request),
            _ => ServerAction.Status(500, "No fault scripted"),
        });
        var faultyUrl = faulty.StartsWith('/') ? server.Url(faulty).ToString() : faulty;
        var results = await CrawlAsync([server.Url("/ok/1/planet").ToString(), faultyUrl, server.Url("/ok/2/planet").ToString()], settings,
            fetchers: fetchers);
        foreach (var healthy in new[] { 0, 2 })
        {
            Assert.True(results[healthy] is Crawl.PlanetFetched { Title: "Fine" }, $"healthy planet: {results[healthy]}");
        }

        return results[1];
    }

    [Fact]
    public async Task No_dns_should_end_as_dns_without_a_retry()
    {
        var failed = Failed(await CrawlWithFault(null, "http://planet.crawler-test.invalid/"), ErrorKind.Dns, FetchStage.Planet);
        Assert.Equal(1, failed.Attempts);
        Assert.Contains("planet.crawler-test.invalid", failed.Message, StringComparison.Ordinal); // golden: names the host
    }

    [Fact]
    public async Task No_tcp_server_should_end_as_refused_after_retries_within_the_refused_window()
    {
        var port = LoopbackHttpServer.ClosedPort();
        var failed = Failed(await CrawlWithFault(null, $"http://127.0.0.1:{port}/planet"), ErrorKind.Refused, FetchStage.Planet);
        Assert.Equal(3, failed.Attempts);
        Assert.Contains($"127.0.0.1:{port}", failed.Message, StringComparison.Ordinal); // golden: names the address
    }

    [Fact]
    public async Task Page_not_found_should_end_as_http_status_404_without_a_retry()
    {
        var failed = Failed(await CrawlWithFault(_ => ServerAction.Status(404, "Not Found")), ErrorKind.HttpStatus, FetchStage.Planet);
        Assert.Equal((404, 1), (failed.Status, failed.Attempts));
    }

    [Fact]
    public async Task Title_not_found_should_end_as_no_title_at_the_article_stage() =>
        Failed(await CrawlWithFault(r => r.Target == "/fault/planet"
            ? ServerAction.Ok(TestPages.Planet("article"))
            : ServerAction.Ok("<html><body><h1>No head, no title</h1></body></html>")), ErrorKind.NoTitle, FetchStage.Article);

    [Fact]
    public async Task Article_link_not_found_should_end_as_no_article_at_the_planet_stage() =>
        Failed(await CrawlWithFault(_ => ServerAction.Ok("<html><head><title>Quiet</title></head><body><h3>No link</h3></body></html>")),
            ErrorKind.NoArticle, FetchStage.Planet);

    [Fact]
    public async Task A_server_that_accepts_and_never_answers_should_end_as_a_first_byte_timeout_after_retries()
    {
        var failed = Failed(await CrawlWithFault(_ => ServerAction.Hang), ErrorKind.Timeout, FetchStage.Planet);
        Assert.Equal((TimeoutPhase.FirstByte, 3), (failed.Phase, failed.Attempts));
    }

    [Fact]
    public async Task A_server_that_sends_the_headers_then_stalls_should_end_as_a_body_timeout()
    {
        var failed = Failed(await CrawlWithFault(_ => new ServerAction.Stall("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n<html>"u8.ToArray())),
            ErrorKind.Timeout, FetchStage.Planet);
        Assert.Equal(TimeoutPhase.Body, failed.Phase);
    }

    [Fact]
    public async Task A_connection_reset_should_end_as_reset_after_retries()
    {
        var failed = Failed(await CrawlWithFault(_ => new ServerAction.ResetAfter("HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n<html>"u8.ToArray())),
            ErrorKind.Reset, FetchStage.Planet);
        Assert.Equal(3, failed.Attempts);
    }

    [Fact]
    public async Task A_close_in_the_middle_of_the_body_should_end_as_protocol() =>
        Failed(await CrawlWithFault(_ => new ServerAction.CloseAfter("HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n<html>"u8.ToArray())),
            ErrorKind.Protocol, FetchStage.Planet);

    [Fact]
    public async Task Garbage_instead_of_http_should_end_as_protocol() =>
        Failed(await CrawlWithFault(_ => ServerAction.Raw("\u0000\u0001garbage\r\n\r\n")), ErrorKind.Protocol, FetchStage.Planet);

    [Fact]
    public async Task A_body_over_the_size_limit_should_end_as_too_large() =>
        Failed(await CrawlWithFault(_ => ServerAction.Ok(new string('x', 100_000))), ErrorKind.TooLarge, FetchStage.Planet);

    [Fact]
    public async Task A_redirect_loop_should_end_as_redirects()
    {
        var failed = Failed(await CrawlWithFault(r => r.Target == "/fault/planet"
                ? Redirect(302, "/fault/elsewhere")
                : Redirect(301, "http://127.0.0.1:" + r.Header("Host")!.Split(':')[1] + "/fault/planet")),
            ErrorKind.Redirects, FetchStage.Planet);
        Assert.Equal((301, 1), (failed.Status, failed.Attempts));
        Assert.EndsWith("/fault/planet", failed.Url, StringComparison.Ordinal); // the URL that closed the loop
    }

    [Fact]
    public async Task Too_many_redirects_should_end_as_redirects()
    {
        var failed = Failed(await CrawlWithFault(r => Redirect(307, r.Target + "x")), ErrorKind.Redirects, FetchStage.Planet);
        Assert.Equal(307, failed.Status);
        Assert.EndsWith("/fault/planetxxxx", failed.Url, StringComparison.Ordinal); // the fourth redirect is one too many
    }

    [Fact]
    public async Task A_redirect_to_a_scheme_we_do_not_speak_should_end_as_unsupported_scheme() =>
        Failed(await CrawlWithFault(_ => Redirect(301, "ftp://files.example/planet")), ErrorKind.UnsupportedScheme, FetchStage.Planet);

    [Fact]
    public async Task Redirects_should_be_followed_and_the_article_should_be_the_final_url()
    {
        var result = await CrawlWithFault(r => r.Target switch
        {
            "/fault/planet" => Redirect(301, "moved/planet"),
            "/fault/moved/planet" => ServerAction.Ok(TestPages.Planet("../post")),
            "/fault/post" => Redirect(308, "/fault/final-post"),
            _ => ServerAction.Ok(TestPages.Article("Moved but found")),
        });
        var ok = Assert.IsType<Crawl.PlanetFetched>(result);
        Assert.Equal("Moved but found", ok.Title);
        Assert.EndsWith("/fault/final-post", ok.Article, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_503_then_success_should_succeed_with_two_attempts()
    {
        var calls = 0;
        var result = await CrawlWithFault(r => r.Target == "/fault/planet" && Interlocked.Increment(ref calls) == 1
            ? ServerAction.Status(503, "Service Unavailable")
            : r.Target == "/fault/planet" ? ServerAction.Ok(TestPages.Planet("article")) : ServerAction.Ok(TestPages.Article("Back")));
        Assert.True(result is Crawl.PlanetFetched { Title: "Back", Attempts: 2 }, result.ToString());
    }

    [Fact]
    public async Task A_429_should_be_retried_after_its_retry_after()
    {
        var first = DateTime.MinValue;
        var second = DateTime.MinValue;
        var result = await CrawlWithFault(r =>
        {
            if (r.Target != "/fault/planet")
            {
                return ServerAction.Ok(TestPages.Article("Patient"));
            }

            if (first == DateTime.MinValue)
            {
                first = DateTime.UtcNow;
                return new ServerAction.Respond("HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\nContent-Length: 0\r\n\r\n"u8.ToArray());
            }

            second = DateTime.UtcNow;
            return ServerAction.Ok(TestPages.Planet("article"));
        });
        Assert.True(result is Crawl.PlanetFetched { Attempts: 2 }, result.ToString());
        Assert.True(second - first >= TimeSpan.FromMilliseconds(900), $"retried after {(second - first).TotalMilliseconds} ms");
    }

    [Fact]
    public async Task A_retry_after_longer_than_the_cap_should_not_be_waited_for()
    {
        var failed = Failed(await CrawlWithFault(_ =>
                new ServerAction.Respond("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 3600\r\nContent-Length: 0\r\n\r\n"u8.ToArray())),
            ErrorKind.HttpStatus, FetchStage.Planet);
        Assert.Equal((503, 1), (failed.Status, failed.Attempts));
    }

    [Fact]
    public async Task A_persistent_503_should_end_as_http_status_after_every_attempt()
    {
        var failed = Failed(await CrawlWithFault(_ => ServerAction.Status(503, "Service Unavailable")), ErrorKind.HttpStatus, FetchStage.Planet);
        Assert.Equal((503, 3), (failed.Status, failed.Attempts));
    }

    [Fact]
    public async Task An_exception_inside_extraction_should_end_as_crash_while_the_crawl_goes_on()
    {
        var failed = Failed(await CrawlWithFault(_ => ServerAction.Ok(TestPages.Planet("article")),
                fetchers: (context, job, crawl) => context.ActorOf(PlanetFetcher.Props(job,
                    job.Index == 1 ? crawl with { Extractor = new ExplodingExtractor() } : crawl))),
            ErrorKind.Crash, FetchStage.Planet);
        Assert.Contains("InvalidDataException: the extractor choked", failed.Message, StringComparison.Ordinal); // golden: names the exception
    }

    [Fact]
    public async Task The_crawl_deadline_should_end_unfinished_planets_as_timeouts()
    {
        var settings = Settings with
        {
            Deadline = TimeSpan.FromSeconds(1.5),
            Http = Settings.Http with { FirstByteTimeout = TimeSpan.FromSeconds(30), RequestTimeout = TimeSpan.FromSeconds(30) },
        };
        var failed = Failed(await CrawlWithFault(_ => ServerAction.Hang, settings: settings), ErrorKind.Timeout, FetchStage.Planet);
        Assert.Equal((TimeoutPhase.Deadline, 0), (failed.Phase, failed.Attempts));
    }

    private static ServerAction.Respond Redirect(int status, string location) =>
        new(System.Text.Encoding.ASCII.GetBytes($"HTTP/1.1 {status} Redirect\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n"));

    private sealed class ExplodingExtractor : IPageExtractor
    {
        public IHtmlDocument Parse(ReadOnlyMemory<byte> body, string? contentType) => throw new InvalidDataException("the extractor choked");

        public bool FindArticleLink(IHtmlDocument page, Uri pageUrl, out Uri? link, out string? href, out string problem) =>
            throw new NotSupportedException();

        public bool FindTitle(IHtmlDocument page, out string title, out string problem) => throw new NotSupportedException();

        public bool CanDecideArticleEarly => false;

        public bool CanDecideTitleEarly => false;

        public bool TryEarlyArticleLink(ReadOnlySpan<byte> bodySoFar, string? contentType, Uri pageUrl, out Uri? link) => throw new NotSupportedException();

        public bool TryEarlyTitle(ReadOnlySpan<byte> bodySoFar, string? contentType, out string title) => throw new NotSupportedException();
    }
}
