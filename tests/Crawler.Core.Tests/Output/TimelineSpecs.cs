using System.Diagnostics;
using System.Text.RegularExpressions;
using Akka.Actor;
using Crawler.Core.Configuration;
using Crawler.Core.Embedding;
using Crawler.Core.Output;
using Crawler.Http;
using Crawler.SampleSite;
using Crawler.Testing;
using Xunit.Abstractions;

namespace Crawler.Core.Tests.Output;

/// <summary>Phase timings, the SVG timeline and the progress line.</summary>
public sealed class TimelineSpecs : CrawlSpec
{
    public TimelineSpecs(ITestOutputHelper output)
        : base("crawler.robots.enabled = off", output)
    {
    }

    [Fact]
    public void The_timeline_should_draw_one_bar_per_request_with_a_rect_per_phase_on_one_axis()
    {
        var origin = Stopwatch.GetTimestamp();
        long At(double seconds) => origin + (long)(seconds * Stopwatch.Frequency);
        static TimeSpan ms(double value) => TimeSpan.FromMilliseconds(value);
        var svg = Timeline.Svg(
        [
            new(0, "http://a.test/", new RequestTimings(At(0), TimeSpan.Zero, ms(10), ms(20), TimeSpan.Zero, ms(100), ms(70))),
            new(1, "http://b.test/", new RequestTimings(At(0.5), ms(5), TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, ms(200), ms(295))),
        ], origin);

        Assert.StartsWith("<svg ", svg, StringComparison.Ordinal);
        Assert.Equal(2, Regex.Matches(svg, "<g><title>").Count);
        Assert.Contains("2 requests in 1.000 s", svg, StringComparison.Ordinal);
        Assert.Contains("planet 0: http://a.test/ | queued 0 ms, dns 10 ms, connect 20 ms, tls 0 ms, wait 100 ms, body 70 ms", svg, StringComparison.Ordinal);
        // The second request starts half-way along the axis (60 px margin, 1020 px for the second).
        Assert.Matches(@"<g><title>planet 1[^<]*</title><rect x=""570""", svg);
    }

    [Fact]
    public async Task A_crawl_should_time_each_request_and_draw_the_timeline_file()
    {
        await using var farm = await PlanetFarm.StartAsync(new PlanetFarmOptions(3, TimeSpan.FromMilliseconds(50)));
        var path = Path.Combine(Path.GetTempPath(), $"timeline-{Guid.NewGuid():N}.svg");
        try
        {
            var output = new StringWriter();
            var summary = await CrawlerProps.Start(Sys, new Crawl.StartCrawl([.. farm.PlanetUrls]), CrawlerSettings.Create(Sys),
                ResultFormat.Json, output, TextWriter.Null, timelinePath: path).Completion.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(summary.AllOk);
            var svg = await File.ReadAllTextAsync(path);
            Assert.Equal(6, Regex.Matches(svg, "<g><title>").Count);
            foreach (var line in output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var timings = System.Text.Json.JsonDocument.Parse(line).RootElement.GetProperty("timings").EnumerateArray().ToList();
                Assert.Equal(2, timings.Count);
                Assert.True(timings[0].GetProperty("connectMs").GetDouble() > 0, "the planet opened the connection");
                Assert.Equal(0, timings[1].GetProperty("connectMs").GetDouble()); // the article reused it
                Assert.True(timings[1].GetProperty("waitMs").GetDouble() >= 40, "the farm waits 50 ms before it answers");
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_request_that_waited_for_a_connection_should_say_so_in_queued_ms()
    {
        // One connection for three planets: the later ones wait in the host's queue while the first is answered.
        await using var farm = await PlanetFarm.StartAsync(new PlanetFarmOptions(3, TimeSpan.FromMilliseconds(100)));
        var settings = CrawlerSettings.Create(Akka.Configuration.ConfigurationFactory.ParseString("http.max-connections-per-host = 1")
            .WithFallback(Sys.Settings.Config.GetConfig("crawler")).WithFallback(CrawlerSettings.DefaultConfig().GetConfig("crawler")));
        var output = new StringWriter();
        await CrawlerProps.Start(Sys, new Crawl.StartCrawl([.. farm.PlanetUrls]), settings, ResultFormat.Json, output, TextWriter.Null)
            .Completion.WaitAsync(TimeSpan.FromSeconds(30));
        var queued = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .SelectMany(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("timings").EnumerateArray())
            .Select(t => t.GetProperty("queuedMs").GetDouble()).ToList();
        Assert.Equal(6, queued.Count);
        Assert.True(queued.Count(q => q >= 50) >= 2, $"queuedMs: {string.Join(", ", queued)}"); // at least two waited a response or more
    }

    [Fact]
    public async Task The_timeline_should_draw_failed_requests_and_the_robots_txt_request_each_planet_waited_for()
    {
        await using var farm = await PlanetFarm.StartAsync(new PlanetFarmOptions(1, TimeSpan.Zero));
        var refused = $"http://127.0.0.1:{LoopbackHttpServer.ClosedPort()}/planet";
        var path = Path.Combine(Path.GetTempPath(), $"timeline-{Guid.NewGuid():N}.svg");
        var settings = CrawlerSettings.Create(Akka.Configuration.ConfigurationFactory.ParseString("robots.enabled = on\nretry.max-retries = 0")
            .WithFallback(Sys.Settings.Config.GetConfig("crawler")).WithFallback(CrawlerSettings.DefaultConfig().GetConfig("crawler")));
        try
        {
            var output = new StringWriter();
            await CrawlerProps.Start(Sys, new Crawl.StartCrawl([farm.PlanetUrls[0], refused]), settings, ResultFormat.Json, output, TextWriter.Null,
                timelinePath: path).Completion.WaitAsync(TimeSpan.FromSeconds(30));
            var titles = Regex.Matches(await File.ReadAllTextAsync(path), "<g><title>([^<]*)</title>").Select(m => m.Groups[1].Value).ToList();
            Assert.Contains(titles, t => t.Contains($"{refused} failed (refused)", StringComparison.Ordinal));
            Assert.Contains(titles, t => t.Contains("robots.txt http://127.0.0.1:", StringComparison.Ordinal) && t.Contains("failed (refused)", StringComparison.Ordinal));
            Assert.Contains(titles, t => t.StartsWith("planet 0: robots.txt ", StringComparison.Ordinal) && !t.Contains("failed", StringComparison.Ordinal));
            Assert.Equal(5, titles.Count); // the farm planet, its article, two robots.txt requests, the refused planet page

            // --json keeps its contract: the planet's own answered requests only.
            var ok = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement)
                .Single(r => r.GetProperty("ok").GetBoolean());
            Assert.Equal(2, ok.GetProperty("timings").GetArrayLength());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task The_progress_line_should_show_for_a_long_crawl_and_be_cleared_before_the_summary()
    {
        await using var farm = await PlanetFarm.StartAsync(new PlanetFarmOptions(2, TimeSpan.FromMilliseconds(1300)));
        var errors = new StringWriter();
        await CrawlerProps.Start(Sys, new Crawl.StartCrawl([.. farm.PlanetUrls]), CrawlerSettings.Create(Sys), ResultFormat.Text,
            TextWriter.Null, errors, progress: true).Completion.WaitAsync(TimeSpan.FromSeconds(30));
        var text = errors.ToString();
        Assert.Matches(@"\r0/2 done, 2 to go, 0 failed, \d+ pages, \d+ pages/s", text);
        Assert.Matches(@"\r {72}\r2 planets: 2 ok, 0 failed in", text);

        // Requests are counted as they end, so the line moves while no planet has finished yet.
        Assert.Matches(@"\r0/2 done, 2 to go, 0 failed, [1-9]\d* pages, [1-9]\d* pages/s", text);
    }

    [Fact]
    public async Task The_progress_line_should_come_back_under_each_result_at_once()
    {
        var errors = new StringWriter();
        var output = new StringWriter();
        var printer = Sys.ActorOf(ResultPrinter.Props(new PrinterOptions(ResultFormat.Text, output, errors, Progress: true)));
        var counter = new PageCounter();
        printer.Tell(new Crawl.CrawlStarted(2, CrawlMode.Planets) { Pages = counter });
        counter.Add();
        await AwaitConditionAsync(() => Task.FromResult(errors.ToString().Contains("0/2 done", StringComparison.Ordinal)), TimeSpan.FromSeconds(10));
        printer.Tell(new Crawl.PlanetFailed(0, "http://p.test/", FetchStage.Planet, new Failure(ErrorKind.Dns, "no such host", "http://p.test/"), 1, 5));
        await AwaitConditionAsync(() => Task.FromResult(errors.ToString().Contains("1/2 done", StringComparison.Ordinal)), TimeSpan.FromSeconds(1));
        Assert.Matches(@"\r {72}\r\r1/2 done, 1 to go, 1 failed, 1 pages", errors.ToString()); // cleared, then drawn again at once
        Assert.Contains("dns", output.ToString(), StringComparison.Ordinal);
    }
}
