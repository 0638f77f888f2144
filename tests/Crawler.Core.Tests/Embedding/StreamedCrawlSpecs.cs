using System.Text.Json;
using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Crawler.Core.Configuration;
using Crawler.Core.Embedding;
using Crawler.Core.Output;
using Crawler.Testing;
using Xunit.Abstractions;

namespace Crawler.Core.Tests.Embedding;

/// <summary>Crawls fed by Akka.Streams: back-pressure, the cap on planets in flight, results as a source.</summary>
public sealed class StreamedCrawlSpecs : CrawlSpec
{
    private const string Hocon = """
        crawler.robots.enabled = off
        crawler.max-planets-in-flight = 5
        crawler.http.max-connections-per-host = 0
        """;

    public StreamedCrawlSpecs(ITestOutputHelper output) : base(Hocon, output)
    {
    }


    [Fact]
    public async Task A_streamed_crawl_should_keep_at_most_max_planets_in_flight_and_report_every_planet()
    {
        var inFlight = 0;
        var most = 0;
        var gate = new object();
        await using var server = LoopbackHttpServer.Start(async request =>
        {
            if (!request.Target.EndsWith("/planet", StringComparison.Ordinal))
            {
                return ServerAction.Ok(TestPages.Article("Title of " + request.Target));
            }

            var now = Interlocked.Increment(ref inFlight);
            lock (gate)
            {
                most = Math.Max(most, now);
            }

            await Task.Delay(40);
            Interlocked.Decrement(ref inFlight);
            return ServerAction.Ok(TestPages.Planet("article"));
        });
        var planets = Enumerable.Range(0, 40).Select(i => server.Url($"/{i}/planet").ToString());
        var output = new StringWriter();
        var summary = await CrawlerStreams.Start(Sys, Source.From(planets), CrawlMode.Planets, Settings, ResultFormat.Json, output, TextWriter.Null)
            .Completion.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal((40, 40), (summary.Total, summary.Ok));
        var reported = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("planet").GetString()).ToHashSet();
        Assert.Equal(40, reported.Count);
        Assert.InRange(most, 2, 5);
    }

    [Fact]
    public async Task A_streamed_crawl_should_read_its_source_only_as_far_as_the_planets_in_flight_allow()
    {
        var read = 0;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = LoopbackHttpServer.Start(async request =>
        {
            await release.Task;
            return request.Target.EndsWith("/planet", StringComparison.Ordinal)
                ? ServerAction.Ok(TestPages.Planet("article"))
                : ServerAction.Ok(TestPages.Article("t"));
        });

        IEnumerable<string> Lazily()
        {
            for (var i = 0; i < 100_000; i++)
            {
                Interlocked.Increment(ref read);
                yield return server.Url($"/{i}/planet").ToString();
            }
        }

        var crawl = CrawlerStreams.Start(Sys, Source.From(Lazily()), CrawlMode.Planets, Settings, ResultFormat.Text, TextWriter.Null, TextWriter.Null);
        await Task.Delay(1000);
        Assert.InRange(Volatile.Read(ref read), 5, 5 + 40); // the cap, plus the stream stages' small buffers
        crawl.Cancel("enough");
        var summary = await crawl.Completion.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(summary.Total, summary.FailuresByKind[ErrorKind.Cancelled]);
        release.TrySetResult();
    }

    [Fact]
    public async Task The_results_should_be_a_source_with_one_result_per_planet()
    {
        await using var server = LoopbackHttpServer.Start(request => request.Target.EndsWith("/planet", StringComparison.Ordinal)
            ? ServerAction.Ok(TestPages.Planet("article"))
            : ServerAction.Ok(TestPages.Article("From a source")));
        var planets = Source.From(Enumerable.Range(0, 12).Select(i => server.Url($"/{i}/planet").ToString()))
            .Concat(Source.Single("not a url"));
        var results = await CrawlerStreams.Results(Sys, planets, CrawlMode.Planets, Settings)
            .RunWith(Sink.Seq<Crawl.PlanetResult>(), Sys.Materializer())
            .WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(13, results.Count);
        Assert.Equal(Enumerable.Range(0, 13), results.Select(r => r.Index).Order());
        Assert.Equal(12, results.OfType<Crawl.PlanetFetched>().Count(r => r.Title == "From a source"));
        Assert.Equal(ErrorKind.BadUrl, results.OfType<Crawl.PlanetFailed>().Single().Kind);
    }
}
