using Akka.Actor;
using Akka.TestKit;
using Crawler.Core.Configuration;
using Crawler.Core.Coordination;
using Crawler.Core.Fetching;
using Crawler.Core.Hosts;
using Crawler.Testing;
using Xunit.Abstractions;

namespace Crawler.Core.Tests.Coordination;

/// <summary>The coordinator with probe fetchers (through its fetcher factory), a probe for the hosts and a printer that
/// forwards what it is told to a probe.</summary>
public sealed class CrawlCoordinatorSpecs : Akka.TestKit.Xunit2.TestKit
{
    private readonly List<(Crawl.FetchPlanet Job, IActorRef Fetcher)> _spawned = [];

    public CrawlCoordinatorSpecs(ITestOutputHelper output)
        : base("akka.test.timefactor = 3\nakka.loglevel = DEBUG\nakka.actor.serialize-messages = on", output)
    {
    }

    private static CrawlerSettings Settings(bool sequential = false, int maxInFlight = 10_000) =>
        CrawlerSettings.Create(CrawlerSettings.DefaultConfig().GetConfig("crawler")) with { Sequential = sequential, MaxPlanetsInFlight = maxInFlight };

    private (TestProbe Printer, TestProbe Hosts, IActorRef Coordinator) Start(CrawlerSettings? settings = null,
        Func<IUntypedActorContext, Crawl.FetchPlanet, IActorRef>? make = null, string? crawlId = null)
    {
        var printer = CreateTestProbe("printer");
        var hosts = CreateTestProbe("hosts");
        var coordinator = Sys.ActorOf(CrawlCoordinator.Props(settings ?? Settings(), hosts, ForwardingPrinter.Props(printer), crawlId, (context, job, _) =>
        {
            var fetcher = make?.Invoke(context, job) ?? context.ActorOf(Props.Create(() => new FakeFetcher()), $"fetch-{job.Index}");
            lock (_spawned)
            {
                _spawned.Add((job, fetcher));
            }

            return fetcher;
        }), "crawl-coordinator");
        return (printer, hosts, coordinator);
    }

    private static Crawl.PlanetFetched Ok(Crawl.FetchPlanet job) => new(job.Index, job.Url, "http://a.test/", "Title", 200, 1, 1);

    [Fact]
    public async Task Coordinator_should_announce_the_crawl_to_the_hosts_and_the_printer_and_spawn_every_fetcher_at_once()
    {
        var (printer, hosts, _) = Start(crawlId: "crawl-a");
        Sys.ActorSelection("/user/crawl-coordinator").Tell(new Crawl.StartCrawl(["http://1.test/", "http://2.test/", "http://3.test/"]));
        Assert.StartsWith("crawl-a#", (await hosts.ExpectMsgAsync<Host.CrawlStarted>()).CrawlId);
        var started = await printer.ExpectMsgAsync<Crawl.CrawlStarted>();
        Assert.NotNull(started.Pages); // the fetchers' request counter, for the progress line
        Assert.Equal(new Crawl.CrawlStarted(3, CrawlMode.Planets) { CrawlId = "crawl-a" }, started with { Pages = null });
        await AwaitConditionAsync(() => Task.FromResult(_spawned.Count == 3));
        Assert.Equal([0, 1, 2], _spawned.Select(s => s.Job.Index).Order());
    }

    [Fact]
    public async Task Coordinator_should_forward_each_result_once_then_finish_the_printer_and_stop_after_it()
    {
        var (printer, _, coordinator) = Start();
        Watch(coordinator);
        coordinator.Tell(new Crawl.StartCrawl(["http://1.test/", "http://2.test/"]));
        await printer.ExpectMsgAsync<Crawl.CrawlStarted>();
        await AwaitConditionAsync(() => Task.FromResult(_spawned.Count == 2));

        var (job0, fetcher0) = _spawned.Single(s => s.Job.Index == 0);
        var (job1, fetcher1) = _spawned.Single(s => s.Job.Index == 1);
        coordinator.Tell(Ok(job1), fetcher1);
        coordinator.Tell(Ok(job1), fetcher1); // a duplicate is dropped
        coordinator.Tell(Ok(job0), TestActor); // so is a result from someone who is not a fetcher
        Assert.Equal(1, (await printer.ExpectMsgAsync<Crawl.PlanetFetched>()).Index);
        await printer.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
        coordinator.Tell(Ok(job0), fetcher0);
        Assert.Equal(0, (await printer.ExpectMsgAsync<Crawl.PlanetFetched>()).Index);
        Assert.Equal(2, (await printer.ExpectMsgAsync<Crawl.CrawlFinished>()).PlanetCount);
        await ExpectTerminatedAsync(coordinator);
    }

    [Fact]
    public async Task Coordinator_should_report_a_crash_with_the_exception_when_a_fetcher_throws()
    {
        var (printer, _, _) = Start(make: (context, job) => context.ActorOf(Props.Create(() => new ThrowingFetcher()), $"fetch-{job.Index}"));
        Sys.ActorSelection("/user/crawl-coordinator").Tell(new Crawl.StartCrawl(["http://boom.test/"]));
        await printer.ExpectMsgAsync<Crawl.CrawlStarted>();
        var failed = await printer.ExpectMsgAsync<Crawl.PlanetFailed>();
        Assert.Equal((0, "http://boom.test/", ErrorKind.Crash, 0), (failed.Index, failed.Planet, failed.Kind, failed.Attempts));
        Assert.Contains("InvalidOperationException: extraction exploded", failed.Message, StringComparison.Ordinal); // golden: names the exception
        await printer.ExpectMsgAsync<Crawl.CrawlFinished>();
    }

    [Fact]
    public async Task Coordinator_should_report_a_crash_when_a_fetcher_stops_without_a_result()
    {
        var (printer, _, coordinator) = Start();
        coordinator.Tell(new Crawl.StartCrawl(["http://1.test/", "http://2.test/"]));
        await printer.ExpectMsgAsync<Crawl.CrawlStarted>();
        await AwaitConditionAsync(() => Task.FromResult(_spawned.Count == 2));
        _spawned.Single(s => s.Job.Index == 1).Fetcher.Tell(PoisonPill.Instance);
        var failed = await printer.ExpectMsgAsync<Crawl.PlanetFailed>();
        Assert.Equal((1, ErrorKind.Crash, FetchStage.Planet), (failed.Index, failed.Kind, failed.Stage));
    }

    [Fact]
    public async Task Coordinator_should_start_the_next_planet_only_after_the_previous_one_reported_when_sequential()
    {
        var (printer, _, coordinator) = Start(Settings(sequential: true));
        coordinator.Tell(new Crawl.StartCrawl(["http://1.test/", "http://2.test/", "http://3.test/"]));
        await printer.ExpectMsgAsync<Crawl.CrawlStarted>();
        for (var i = 0; i < 3; i++)
        {
            await AwaitConditionAsync(() => Task.FromResult(_spawned.Count == i + 1));
            await printer.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
            Assert.Equal(i + 1, _spawned.Count); // the next one waits for this one's result
            var (job, fetcher) = _spawned[i];
            Assert.Equal(i, job.Index);
            coordinator.Tell(Ok(job), fetcher);
            Assert.Equal(i, (await printer.ExpectMsgAsync<Crawl.PlanetFetched>()).Index);
        }

        await printer.ExpectMsgAsync<Crawl.CrawlFinished>();
    }

    [Fact]
    public async Task Coordinator_should_keep_at_most_max_planets_in_flight_of_a_batch()
    {
        var (printer, _, coordinator) = Start(Settings(maxInFlight: 2));
        coordinator.Tell(new Crawl.StartCrawl(["http://1.test/", "http://2.test/", "http://3.test/", "http://4.test/"]));
        await printer.ExpectMsgAsync<Crawl.CrawlStarted>();
        await AwaitConditionAsync(() => Task.FromResult(_spawned.Count == 2));
        coordinator.Tell(Ok(_spawned[0].Job), _spawned[0].Fetcher);
        await printer.ExpectMsgAsync<Crawl.PlanetFetched>();
        await AwaitConditionAsync(() => Task.FromResult(_spawned.Count == 3));
        Assert.Equal([0, 1, 2], _spawned.Select(s => s.Job.Index));
    }

    [Fact]
    public async Task Coordinator_should_cut_every_unfinished_planet_on_cancel_and_finish()
    {
        var (printer, _, coordinator) = Start(Settings(maxInFlight: 1));
        Watch(coordinator);
        coordinator.Tell(new Crawl.StartCrawl(["http://1.test/", "http://2.test/"]));
        await printer.ExpectMsgAsync<Crawl.CrawlStarted>();
        await AwaitConditionAsync(() => Task.FromResult(_spawned.Count == 1));
        coordinator.Tell(new Crawl.CancelCrawl("enough"));
        var cut = new[] { await printer.ExpectMsgAsync<Crawl.PlanetFailed>(), await printer.ExpectMsgAsync<Crawl.PlanetFailed>() };
        Assert.All(cut, c => Assert.Equal((ErrorKind.Cancelled, 0), (c.Kind, c.Attempts)));
        Assert.Equal([0, 1], cut.Select(c => c.Index).Order());
        await printer.ExpectMsgAsync<Crawl.CrawlFinished>();
        await ExpectTerminatedAsync(coordinator);
        Assert.Single(_spawned); // the waiting planet was never started
    }

    [Fact]
    public async Task Coordinator_should_complete_an_empty_crawl_at_once_and_refuse_a_second_start()
    {
        var (_, _, coordinator) = Start();
        coordinator.Tell(new Crawl.StartCrawl(["http://1.test/"]));
        coordinator.Tell(new Crawl.StartCrawl(["http://2.test/"]));
        await ExpectMsgAsync<Crawl.CrawlRefused>();

        var printer = CreateTestProbe();
        var empty = Sys.ActorOf(CrawlCoordinator.Props(Settings(), CreateTestProbe(), ForwardingPrinter.Props(printer)));
        Watch(empty);
        empty.Tell(new Crawl.StartCrawl([]));
        await printer.ExpectMsgAsync<Crawl.CrawlStarted>();
        Assert.Equal(0, (await printer.ExpectMsgAsync<Crawl.CrawlFinished>()).PlanetCount);
        await ExpectTerminatedAsync(empty);
    }

    private sealed class FakeFetcher : ReceiveActor
    {
        public FakeFetcher() => ReceiveAny(_ => { });
    }

    private sealed class ThrowingFetcher : ReceiveActor
    {
        protected override void PreStart() => throw new InvalidOperationException("extraction exploded");
    }
}
