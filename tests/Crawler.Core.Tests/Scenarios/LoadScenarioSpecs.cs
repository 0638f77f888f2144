using Akka.Actor;
using Crawler.Core.Configuration;
using Crawler.Core.Coordination;
using Crawler.Http;
using Crawler.Http.Pool;
using Crawler.SampleSite;
using Xunit.Abstractions;
using Crawler.Testing;

namespace Crawler.Core.Tests.Scenarios;

/// <summary>
/// A crawl of 2,000 planets on the sample site where every tenth planet fails in one of twelve ways: exactly 2,000
/// results, each planet once, the right kind (and stage) for each injected fault, and the crawl finishes.
/// </summary>
[Collection(nameof(LoadScenarioSpecs))]
public sealed class LoadScenarioSpecs : CrawlSpec
{
    // Short timeouts keep the hanging planets short; the farm is one host, so its 503s slow it down only by 1 ms, and
    // the per-host connection cap is off (the crawl itself caps its connections to what the open-file limit allows).
    private const string Hocon = """
        akka.loglevel = WARNING
        akka.actor.serialize-messages = off
        crawler.http.first-byte-timeout = 2s
        crawler.http.read-idle-timeout = 2s
        crawler.http.request-timeout = 10s
        crawler.http.max-body-bytes = 1m
        crawler.planet-timeout = 30s
        crawler.retry.backoff = 20ms
        crawler.retry.slow-down = 1ms
        crawler.retry.max-host-delay = 1ms
        crawler.http.max-connections-per-host = 0
        """;

    private static readonly PlanetFault[] Faults =
    [
        PlanetFault.NotFound, PlanetFault.NoArticle, PlanetFault.NoTitle, PlanetFault.ArticleNotFound, PlanetFault.Unavailable,
        PlanetFault.UnavailableOnce, PlanetFault.Redirect, PlanetFault.RedirectLoop, PlanetFault.Hang, PlanetFault.StallBody,
        PlanetFault.Reset, PlanetFault.TooLarge,
    ];

    public LoadScenarioSpecs(ITestOutputHelper output) : base(Hocon, output)
    {
    }

    private static (ErrorKind? Kind, FetchStage Stage, TimeoutPhase? Phase) Expected(PlanetFault fault) => fault switch
    {
        PlanetFault.None or PlanetFault.UnavailableOnce or PlanetFault.Redirect => (null, FetchStage.Planet, null),
        PlanetFault.NotFound or PlanetFault.Unavailable => (ErrorKind.HttpStatus, FetchStage.Planet, null),
        PlanetFault.NoArticle => (ErrorKind.NoArticle, FetchStage.Planet, null),
        PlanetFault.NoTitle => (ErrorKind.NoTitle, FetchStage.Article, null),
        PlanetFault.ArticleNotFound => (ErrorKind.HttpStatus, FetchStage.Article, null),
        PlanetFault.RedirectLoop => (ErrorKind.Redirects, FetchStage.Planet, null),
        PlanetFault.Hang => (ErrorKind.Timeout, FetchStage.Planet, TimeoutPhase.FirstByte),
        PlanetFault.StallBody => (ErrorKind.Timeout, FetchStage.Planet, TimeoutPhase.Body),
        PlanetFault.Reset => (ErrorKind.Reset, FetchStage.Planet, null),
        PlanetFault.TooLarge => (ErrorKind.TooLarge, FetchStage.Planet, null),
        _ => throw new ArgumentOutOfRangeException(nameof(fault), fault, null),
    };

    [Fact]
    public async Task A_crawl_of_2000_planets_with_10_percent_faults_should_report_each_planet_once_with_the_right_kind()
    {
        const int planets = 2000;
        var options = new PlanetFarmOptions(planets, TimeSpan.FromMilliseconds(20), Faults: PlanetFarmOptions.EveryTenth(Faults));
        await using var farm = await PlanetFarm.StartAsync(options);

        // Each connection is two open files here (the farm is in this process): as many as the limit allows, at most
        // one per planet. Planets beyond wait for a connection, which is queueing, not a timeout.
        var connections = (int)Math.Clamp(((OpenFileLimit.Current() ?? 65_536) - 512) / 2, 64, planets);
        var settings = Settings with { Http = Settings.Http with { MaxConnectionsPerHost = connections } };
        var results = await CrawlAsync(farm.PlanetUrls, settings, timeout: TimeSpan.FromSeconds(60));

        var wrong = new List<string>();
        for (var n = 0; n < planets; n++)
        {
            var fault = options.FaultOf(n);
            var (kind, stage, phase) = Expected(fault);
            var ok = (results[n], kind) switch
            {
                (Crawl.PlanetFetched fetched, null) => fetched.Title == $"Article 1 of planet {n}",
                (Crawl.PlanetFailed failed, { } expected) => failed.Kind == expected && failed.Stage == stage && failed.Phase == phase,
                _ => false,
            };
            if (!ok)
            {
                wrong.Add($"planet {n} ({fault}): {results[n]}");
            }
        }

        Assert.True(wrong.Count == 0, $"{wrong.Count} planets with the wrong result:\n{string.Join("\n", wrong.Take(20))}");
        Assert.Equal(2, results.OfType<Crawl.PlanetFetched>().Where(r => options.FaultOf(r.Index) == PlanetFault.UnavailableOnce)
            .Select(r => r.Attempts).Distinct().Single());
    }
}

/// <summary>The load scenario runs alone in its assembly: timing-sensitive planets must not share two cores with
/// the other specs' crawls.</summary>
[CollectionDefinition(nameof(LoadScenarioSpecs), DisableParallelization = true)]
public sealed class LoadScenarioCollection;
