using Akka.Actor;
using Akka.TestKit;
using Crawler.Core;
using Crawler.Core.Configuration;
using Crawler.Core.Coordination;
using Crawler.Core.Embedding;
using Crawler.Core.Fetching;
using Crawler.Core.Output;
using Xunit;
using Xunit.Abstractions;

namespace Crawler.Testing;

/// <summary>
/// The base of every scenario spec that runs whole crawls: the real coordinator, fetchers, host owners and connections
/// of an ActorSystem of the spec's own, over loopback sockets. The standard HOCON (a time factor for shared 2-core
/// machines, serialization checks on) goes under the spec's own, and <see cref="CrawlAsync"/> runs one crawl and returns
/// its results, having checked that every planet reported exactly once, that the crawl completed and that its actors
/// stopped.
/// </summary>
public abstract class CrawlSpec : Akka.TestKit.Xunit2.TestKit
{
    /// <summary>What every scenario spec runs with, under its own HOCON.</summary>
    public const string StandardHocon = """
        akka.test.timefactor = 3
        akka.loglevel = INFO
        akka.actor.serialize-messages = on
        """;

    /// <summary>A spec with <paramref name="hocon"/> over <see cref="StandardHocon"/>.</summary>
    protected CrawlSpec(string hocon, ITestOutputHelper output) : base(hocon + "\n" + StandardHocon, output)
    {
    }

    /// <summary>The crawler settings of the spec's system.</summary>
    protected CrawlerSettings Settings => CrawlerSettings.Create(Sys);

    /// <summary>The system's hosts, where every fetch goes.</summary>
    protected IActorRef Hosts => Sys.Crawler().Hosts;

    /// <summary>Crawls <paramref name="urls"/> and returns one result per URL, in the order given (by index).</summary>
    /// <param name="urls">The planets.</param>
    /// <param name="settings">The crawl's settings (default: the system's).</param>
    /// <param name="mode">The job.</param>
    /// <param name="timeout">How long each result may take to come.</param>
    /// <param name="fetchers">A fetcher factory (default: the real fetchers).</param>
    private protected async Task<IReadOnlyList<Crawl.PlanetResult>> CrawlAsync(IReadOnlyList<string> urls, CrawlerSettings? settings = null,
        CrawlMode mode = CrawlMode.Planets, TimeSpan? timeout = null,
        Func<IUntypedActorContext, Crawl.FetchPlanet, CrawlContext, IActorRef>? fetchers = null)
    {
        ArgumentNullException.ThrowIfNull(urls);
        var results = CreateTestProbe();
        var coordinator = Sys.ActorOf(CrawlCoordinator.Props(settings ?? Settings, Hosts, ResultPrinter.Props(PrinterOptions.Silent(results)),
            fetcherFactory: fetchers));
        Watch(coordinator);
        coordinator.Tell(new Crawl.StartCrawl([.. urls], mode));
        var byIndex = new Crawl.PlanetResult?[urls.Count];
        for (var i = 0; i < urls.Count; i++)
        {
            var result = await results.ExpectMsgAsync<Crawl.PlanetResult>(timeout ?? TimeSpan.FromSeconds(30));
            Assert.True(byIndex[result.Index] is null, $"planet {result.Index} reported twice");
            byIndex[result.Index] = result;
        }

        var completed = await results.ExpectMsgAsync<Crawl.Completed>();
        Assert.Equal(urls.Count, completed.Summary.Total);
        await ExpectTerminatedAsync(coordinator, TimeSpan.FromSeconds(10));
        await results.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        return byIndex!;
    }

    /// <summary><see cref="CrawlAsync"/>, with the results by planet URL (each URL given once).</summary>
    protected async Task<Dictionary<string, Crawl.PlanetResult>> CrawlByPlanetAsync(IReadOnlyList<string> urls, CrawlerSettings? settings = null,
        CrawlMode mode = CrawlMode.Planets, TimeSpan? timeout = null)
        => (await CrawlAsync(urls, settings, mode, timeout)).ToDictionary(r => r.Planet);

    /// <summary>Asserts success, showing the failure if there was one (CI machines are shared and slow).</summary>
    protected static Crawl.PlanetFetched Fetched(Crawl.PlanetResult result) =>
        result as Crawl.PlanetFetched ?? throw new Xunit.Sdk.XunitException($"expected success, got {result}");

    /// <summary>Asserts a failure of <paramref name="kind"/> at <paramref name="stage"/>, with a message for a person.</summary>
    protected static Crawl.PlanetFailed Failed(Crawl.PlanetResult result, ErrorKind kind, FetchStage stage)
    {
        var failed = result as Crawl.PlanetFailed ?? throw new Xunit.Sdk.XunitException($"expected {kind}, got {result}");
        Assert.True((kind, stage) == (failed.Kind, failed.Stage), $"expected {kind}/{stage}, got {failed}");
        Assert.False(string.IsNullOrWhiteSpace(failed.Message));
        return failed;
    }
}

/// <summary>A printer for coordinator specs: it forwards everything the coordinator tells its printer to a probe,
/// and stops after <see cref="Crawl.CrawlFinished"/>, as a real printer does.</summary>
public sealed class ForwardingPrinter(IActorRef probe) : UntypedActor
{
    /// <summary>Props for a printer that forwards to <paramref name="probe"/>.</summary>
    public static Props Props(TestProbe probe) => Akka.Actor.Props.Create(() => new ForwardingPrinter(probe));

    /// <inheritdoc />
    protected override void OnReceive(object message)
    {
        probe.Forward(message);
        if (message is Crawl.CrawlFinished)
        {
            Context.Stop(Self);
        }
    }
}
