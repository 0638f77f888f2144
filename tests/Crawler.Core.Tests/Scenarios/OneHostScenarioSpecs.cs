using Akka.Actor;
using System.Diagnostics;
using Crawler.Core.Coordination;
using Crawler.Core.Output;
using Crawler.SampleSite;
using Crawler.Testing;
using Xunit.Abstractions;

namespace Crawler.Core.Tests.Scenarios;

/// <summary>
/// Many planets of one host, with the default per-host cap of 8 connections: waiting for a connection is queueing, not
/// a timeout, so every planet succeeds however many wait; and a planet whose page has arrived gets its article before
/// new planet pages go out, so results flow from the first second instead of all at the end.
/// </summary>
[Collection(nameof(LoadScenarioSpecs))]
public sealed class OneHostScenarioSpecs : CrawlSpec
{
    // What --timeout 1 sets: each request and each of its phases at most 1 s, the planet at most 2 x 3 x 1 s.
    private const string Hocon = """
        crawler.http.request-timeout = 1s
        crawler.http.connect-timeout = 1s
        crawler.http.first-byte-timeout = 1s
        crawler.http.read-idle-timeout = 1s
        crawler.planet-timeout = 6s
        akka.loglevel = WARNING
        akka.actor.serialize-messages = off
        """;

    public OneHostScenarioSpecs(ITestOutputHelper output) : base(Hocon, output)
    {
    }

    [Fact]
    public async Task Two_hundred_planets_of_one_host_at_200_ms_should_all_succeed_under_a_one_second_timeout_with_results_from_the_start()
    {
        const int planets = 200;
        await using var farm = await PlanetFarm.StartAsync(new PlanetFarmOptions(planets, TimeSpan.FromMilliseconds(200)));
        Assert.Equal(8, Settings.Http.MaxConnectionsPerHost);
        var results = CreateTestProbe();
        var clock = Stopwatch.StartNew();
        var coordinator = Sys.ActorOf(CrawlCoordinator.Props(Settings, Hosts, ResultPrinter.Props(PrinterOptions.Silent(results))));
        coordinator.Tell(new Crawl.StartCrawl([.. farm.PlanetUrls]));

        var arrivals = new List<(TimeSpan At, Crawl.PlanetResult Result)>();
        for (var i = 0; i < planets; i++)
        {
            var result = await results.ExpectMsgAsync<Crawl.PlanetResult>(TimeSpan.FromSeconds(30));
            arrivals.Add((clock.Elapsed, result));
        }

        await results.ExpectMsgAsync<Crawl.Completed>();
        var failed = arrivals.Select(a => a.Result).OfType<Crawl.PlanetFailed>().ToList();
        Assert.True(failed.Count == 0, $"{failed.Count} failed, e.g. {failed.FirstOrDefault()}");
        Assert.Equal(Enumerable.Range(0, planets), arrivals.Select(a => a.Result.Index).Order());

        // 400 requests of 200 ms over 8 connections take 10 s: the first results come in its first tenth, not at the end.
        var first = arrivals[0].At;
        var last = arrivals[^1].At;
        Assert.True(first < last / 4, $"first result after {first.TotalSeconds:0.00} s, last after {last.TotalSeconds:0.00} s");
        Assert.InRange(farm.ConnectionCount, 1, 8);
    }
}
