using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Crawler.Core.Embedding;
using Crawler.Testing;
using Xunit.Abstractions;

namespace Crawler.Core.Tests.Embedding;

/// <summary>
/// Written from an embedder's side: their Akka.Streams pipelines over <see cref="ICrawler.Results"/> and
/// <see cref="ICrawler.ResultsFlow"/>. A slow consumer slows the crawl (the crawl's lead is bounded), a failing source
/// fails the stream with its own exception, and the materialized handle gives the crawl's id, summary and cancel.
/// </summary>
public sealed class EmbedderStreamSpecs : CrawlSpec
{
    private const string Hocon = """
        crawler.robots.enabled = off
        crawler.http.max-connections-per-host = 0
        """;

    public EmbedderStreamSpecs(ITestOutputHelper output) : base(Hocon, output)
    {
    }

    [Fact]
    public async Task A_slow_sink_should_pace_the_crawl_so_that_it_runs_at_most_max_planets_in_flight_ahead_of_the_consumer()
    {
        const int Planets = 60;
        const int InFlight = 4;
        await using var server = LoopbackHttpServer.Start(_ => ServerAction.Ok(TestPages.Article("t")));
        var leads = new List<int>();
        var taken = 0;

        var results = await Sys.Crawler()
            .Results(Source.From(Enumerable.Range(0, Planets).Select(i => server.Url($"/{i}").ToString())),
                new CrawlOptions { Mode = CrawlMode.Titles, MaxPlanetsInFlight = InFlight })
            .SelectAsync(1, async result =>
            {
                await Task.Delay(50); // the embedder's slow sink: 50 ms per result
                leads.Add(server.Requests.Count(r => r.Target != "/robots.txt") - ++taken);
                return result;
            })
            .RunWith(Sink.Seq<Crawl.PlanetResult>(), Sys.Materializer())
            .WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(Planets, results.Count);
        Assert.All(results, r => Assert.IsType<Crawl.PlanetFetched>(r));

        // Fetched but not yet consumed: the planets running and the results waiting, plus the one SelectAsync holds.
        Assert.True(leads.Max() <= InFlight + 2, $"the crawl ran {leads.Max()} planets ahead of its consumer: {string.Join(",", leads)}");
    }

    [Fact]
    public async Task A_failing_url_source_should_fail_the_results_stream_with_its_exception_after_the_results_of_the_planets_read_before()
    {
        await using var server = LoopbackHttpServer.Start(_ => ServerAction.Ok(TestPages.Article("t")));
        var broken = new IOException("the embedder's URL file went away");
        IEnumerable<string> Lines() // a file read line by line whose disk fails after five lines
        {
            for (var i = 0; i < 5; i++)
            {
                yield return server.Url($"/{i}").ToString();
            }

            throw broken;
        }

        var planets = Source.From(Lines());
        var seen = new List<Crawl.PlanetResult>();

        var run = Sys.Crawler().Results(planets, new CrawlOptions { Mode = CrawlMode.Titles })
            .RunForeach(seen.Add, Sys.Materializer());

        // The source's own failure, as Akka's enumerable source reports it (wrapped in an AggregateException).
        var error = await Assert.ThrowsAnyAsync<Exception>(() => run.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Same(broken, error is AggregateException { InnerExceptions.Count: 1 } aggregate ? aggregate.InnerException : error);
        Assert.True(seen.Select(r => r.Index).Order().SequenceEqual(Enumerable.Range(0, 5)), string.Join(" | ", seen));
    }

    [Fact]
    public async Task The_flow_should_materialize_a_handle_with_the_crawls_id_its_summary_and_a_cancel()
    {
        await using var server = LoopbackHttpServer.Start(request => request.Target.StartsWith("/slow", StringComparison.Ordinal)
            ? ServerAction.Hang
            : ServerAction.Ok(TestPages.Article("fast")));
        var flow = Sys.Crawler().ResultsFlow(new CrawlOptions { Mode = CrawlMode.Titles, CrawlId = "from-a-flow" });

        var (crawl, done) = Source.From(new[] { "/fast/0", "/fast/1", "/slow/2" }.Select(p => server.Url(p).ToString()))
            .ViaMaterialized(flow, Keep.Right)
            .ToMaterialized(Sink.Seq<Crawl.PlanetResult>(), Keep.Both)
            .Run(Sys.Materializer());
        Assert.Equal("from-a-flow", crawl.CrawlId);
        await AwaitConditionAsync(() => Task.FromResult(server.Requests.Count(r => r.Target != "/robots.txt") == 3), TimeSpan.FromSeconds(10));
        crawl.Cancel("the embedder has enough");

        var summary = await crawl.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        var results = await done.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal((3, 2, 1), (summary.Total, summary.Ok, summary.FailuresByKind[ErrorKind.Cancelled]));
        Assert.All(results, r => Assert.Equal("from-a-flow", r.CrawlId));
        Assert.Equal(ErrorKind.Cancelled, results.OfType<Crawl.PlanetFailed>().Single().Kind);
        await AwaitConditionAsync(() => Task.FromResult(server.OpenConnections == 0), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Each_materialization_of_one_flow_should_be_a_crawl_of_its_own()
    {
        await using var server = LoopbackHttpServer.Start(request => ServerAction.Ok(TestPages.Article("Title of " + request.Target)));
        var flow = Sys.Crawler().ResultsFlow(new CrawlOptions { Mode = CrawlMode.Titles });

        var runs = await Task.WhenAll(Enumerable.Range(0, 3).Select(run =>
            Source.From(Enumerable.Range(0, 4).Select(i => server.Url($"/{run}/{i}").ToString()))
                .Via(flow)
                .RunWith(Sink.Seq<Crawl.PlanetResult>(), Sys.Materializer()))).WaitAsync(TimeSpan.FromSeconds(30));

        for (var run = 0; run < 3; run++)
        {
            Assert.Equal(4, runs[run].Count);
            Assert.All(runs[run], r => Assert.StartsWith($"Title of /{run}/", Assert.IsType<Crawl.PlanetFetched>(r).Title, StringComparison.Ordinal));
            Assert.Single(runs[run].Select(r => r.CrawlId).Distinct());
        }

        Assert.Equal(3, runs.Select(r => r[0].CrawlId).Distinct().Count());
    }
}
