using System.Diagnostics;
using Crawler.Core.Embedding;
using Crawler.Core.Telemetry;
using Crawler.Testing;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Xunit.Abstractions;

namespace Crawler.Core.Tests.Telemetry;

/// <summary>The crawler's spans and metrics as an application gets them: OpenTelemetry's SDK with
/// <c>AddSource("Crawler")</c> and <c>AddMeter("Crawler")</c>, into the in-memory exporters. Alone in its collection:
/// the metrics are the process's, and no other spec crawls meanwhile.</summary>
[Collection(nameof(TelemetrySpecs))]
public sealed class TelemetrySpecs : CrawlSpec
{
    private const string Hocon = """
        crawler.robots.enabled = on
        crawler.http.max-connections-per-host = 2
        """;

    public TelemetrySpecs(ITestOutputHelper output) : base(Hocon, output)
    {
    }

    [Fact]
    public async Task A_crawl_gives_a_span_per_planet_with_a_client_span_per_request_and_counts_by_result()
    {
        await using var site = LoopbackHttpServer.Start(request => request.Target switch
        {
            "/robots.txt" => ServerAction.Status(404, "Not Found"),
            var t when t.EndsWith("/planet", StringComparison.Ordinal) => ServerAction.Ok(TestPages.Planet("article")),
            "/gone/planet2" => ServerAction.Status(404, "Not Found"),
            _ => ServerAction.Ok($"<html><head><title>Title of {request.Target}</title></head><body></body></html>"),
        });
        var spans = new List<Activity>();
        var exported = new List<MetricSnapshot>();
        using (var tracing = Sdk.CreateTracerProviderBuilder().AddSource(CrawlerTelemetry.Name).AddInMemoryExporter(spans).Build())
        using (var meters = Sdk.CreateMeterProviderBuilder().AddMeter(CrawlerTelemetry.Name).AddInMemoryExporter(exported).Build())
        {
            var planets = new[] { site.Url("/a/planet").ToString(), site.Url("/b/planet").ToString(), site.Url("/gone/planet2").ToString() };
            var report = await Sys.Crawler().CrawlAsync(planets, new CrawlOptions { CrawlId = "traced" }).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal((3, 2), (report.Summary.Total, report.Summary.Ok));
            tracing.ForceFlush();
            meters.ForceFlush();
        }

        // Cumulative: each metric's last export has its totals.
        var metrics = exported.GroupBy(m => m.Name).Select(g => g.Last()).ToList();
        var planetSpans = spans.Where(s => s.OperationName == "crawler.planet" && (string?)s.GetTagItem("crawler.crawl.id") == "traced").ToList();
        Assert.Equal(3, planetSpans.Count);
        Assert.Equal([ErrorKind.HttpStatus.Name(), "ok", "ok"], planetSpans.Select(s => (string)s.GetTagItem("crawler.result")!).Order(StringComparer.Ordinal));
        var failed = planetSpans.Single(s => s.Status == ActivityStatusCode.Error);
        Assert.Equal((ErrorKind.HttpStatus.Name(), "planet"), ((string?)failed.GetTagItem("error.type"), (string?)failed.GetTagItem("crawler.stage")));

        var requests = spans.Where(s => s.Kind == ActivityKind.Client && planetSpans.Any(p => p.SpanId == s.ParentSpanId)).ToList();
        // Each ok planet: its page and its article; the failed one: its page; robots.txt once, with the first planet.
        Assert.Equal(2 + 2 + 1 + 1, requests.Count);
        Assert.All(requests, r => Assert.Equal(("GET", "127.0.0.1"), ((string?)r.GetTagItem("http.request.method"), (string?)r.GetTagItem("server.address"))));
        Assert.All(requests, r => Assert.Equal(planetSpans.Single(p => p.SpanId == r.ParentSpanId).TraceId, r.TraceId));
        Assert.All(requests, r => Assert.Contains(r.Events, e => e.Name == "wait"));
        Assert.All(requests, r => Assert.InRange(r.StartTimeUtc, planetSpans.Min(p => p.StartTimeUtc) - TimeSpan.FromSeconds(1), DateTime.UtcNow));
        var notFound = requests.Where(r => r.GetTagItem("http.response.status_code") is 404).ToList();
        Assert.Equal(2, notFound.Count); // robots.txt and the gone planet
        Assert.All(notFound, r => Assert.Equal("404", r.GetTagItem("error.type")));
        Assert.Single(requests, r => r.GetTagItem("crawler.robots") is true);

        long Sum(string name, string tag, string value) => metrics.Where(m => m.Name == name).SelectMany(Points)
            .Where(p => Tag(p, tag) == value).Sum(p => p.GetSumLong());
        Assert.Equal(2, Sum("crawler.results", "crawler.result", "ok"));
        Assert.Equal(1, Sum("crawler.results", "crawler.result", ErrorKind.HttpStatus.Name()));
        Assert.Equal(6, Sum("crawler.requests", "crawler.result", "ok")); // 404s are answers: ok at the request level
        var waits = metrics.Where(m => m.Name == "crawler.request.duration").SelectMany(Points).Where(p => Tag(p, "crawler.phase") == "wait").ToList();
        Assert.Equal(6, waits.Sum(p => p.GetHistogramCount()));
        Assert.Contains(metrics, m => m.Name == "crawler.planets.active");
        Assert.Contains(metrics, m => m.Name == "crawler.connections.active");
    }

    [Fact]
    public async Task Without_a_listener_nothing_is_traced()
    {
        await using var site = LoopbackHttpServer.Start(_ => ServerAction.Ok(TestPages.Planet("article")));
        Assert.False(CrawlerTelemetry.Source.HasListeners());
        var report = await Sys.Crawler().CrawlAsync([site.Url("/p/planet").ToString()]).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, report.Summary.Total);
        Assert.Null(Activity.Current);
    }

    private static IEnumerable<MetricPoint> Points(MetricSnapshot metric) => metric.MetricPoints;

    private static string? Tag(MetricPoint point, string key)
    {
        foreach (var tag in point.Tags)
        {
            if (tag.Key == key)
            {
                return tag.Value as string;
            }
        }

        return null;
    }
}

[CollectionDefinition(nameof(TelemetrySpecs), DisableParallelization = true)]
public sealed class TelemetryCollection
{
}
