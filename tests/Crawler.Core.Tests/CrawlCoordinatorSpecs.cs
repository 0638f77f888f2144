using Akka.Actor;
using Akka.TestKit;
using Crawler.Core.Configuration;
using Crawler.Core.Coordination;
using Crawler.Http;
using Xunit.Abstractions;

namespace Crawler.Core.Tests;

/// <summary>The coordinator with probe fetchers (through its fetcher factory) and a probe printer.</summary>
public sealed class CrawlCoordinatorSpecs : Akka.TestKit.Xunit2.TestKit
{
    private readonly List<(Crawl.FetchPlanet Job, IActorRef Fetcher)> _spawned = [];

    public CrawlCoordinatorSpecs(ITestOutputHelper output)
        : base("akka.test.timefactor = 3\nakka.loglevel = DEBUG\nakka.actor.serialize-messages = on", output)
    {
    }

    private static CrawlerSettings Settings(bool sequential = false) =>
        CrawlerSettings.Create(CrawlerSettings.DefaultConfig().GetConfig("crawler")) with { Sequential = sequential };

    private (TestProbe Printer, IActorRef Coordinator) Start(bool sequential = false, Func<IUntypedActorContext, Crawl.FetchPlanet, IActorRef>? make = null)
    {
        var printer = CreateTestProbe("printer");
        var coordinator = Sys.ActorOf(CrawlCoordinator.Props(Settings(sequential), printer, (context, job) =>
        {
            var fetcher = make?.Invoke(context, job) ?? context.ActorOf(Props.Create(() => new FakeFetcher()), $"fetch-{job.Index}");
            lock (_spawned)
            {
                _spawned.Add((job, fetcher));
            }

            return fetcher;
        }), "crawl-coordinator");
        return (printer, coordinator);
    }

    private static Crawl.PlanetFetched Ok(Crawl.FetchPlanet job) => new(job.Index, job.Url, "http://a.test/", "Title", 200, 1, 1);

    [Fact]
    public async Task Coordinator_should_announce_the_crawl_and_spawn_every_fetcher_at_once()
    {
        var (printer, _) = Start();
        Sys.ActorSelection("/user/crawl-coordinator").Tell(new Crawl.StartCrawl(["http://1.test/", "http://2.test/", "http://3.test/"]));
        Assert.Equal(new Crawl.CrawlStarted(3, CrawlMode.Planets), await printer.ExpectMsgAsync<Crawl.CrawlStarted>());
        await AwaitConditionAsync(() => Task.FromResult(_spawned.Count == 3));
        Assert.Equal([0, 1, 2], _spawned.Select(s => s.Job.Index).Order());
    }

    [Fact]
    public async Task Coordinator_should_forward_each_result_once_and_stop_when_all_reported()
    {
        var (printer, coordinator) = Start();
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
        await ExpectTerminatedAsync(coordinator);
    }

    [Fact]
    public async Task Coordinator_should_report_a_crash_with_the_exception_when_a_fetcher_throws()
    {
        var (printer, coordinator) = Start(make: (context, job) => context.ActorOf(Props.Create(() => new ThrowingFetcher()), $"fetch-{job.Index}"));
        coordinator.Tell(new Crawl.StartCrawl(["http://boom.test/"]));
        await printer.ExpectMsgAsync<Crawl.CrawlStarted>();
        var failed = await printer.ExpectMsgAsync<Crawl.PlanetFailed>();
        Assert.Equal((0, "http://boom.test/", ErrorKind.Crash), (failed.Index, failed.Planet, failed.Kind));
        Assert.Contains("InvalidOperationException: extraction exploded", failed.Message, StringComparison.Ordinal);
        await printer.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Coordinator_should_report_a_crash_when_a_fetcher_stops_without_a_result()
    {
        var (printer, coordinator) = Start();
        coordinator.Tell(new Crawl.StartCrawl(["http://1.test/", "http://2.test/"]));
        await printer.ExpectMsgAsync<Crawl.CrawlStarted>();
        await AwaitConditionAsync(() => Task.FromResult(_spawned.Count == 2));
        _spawned.Single(s => s.Job.Index == 1).Fetcher.Tell(PoisonPill.Instance);
        var failed = await printer.ExpectMsgAsync<Crawl.PlanetFailed>();
        Assert.Equal((1, ErrorKind.Crash), (failed.Index, failed.Kind));
        Assert.Contains("without reporting", failed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Coordinator_should_start_the_next_planet_only_after_the_previous_one_reported_when_sequential()
    {
        var (printer, coordinator) = Start(sequential: true);
        coordinator.Tell(new Crawl.StartCrawl(["http://1.test/", "http://2.test/", "http://3.test/"]));
        await printer.ExpectMsgAsync<Crawl.CrawlStarted>();
        for (var i = 0; i < 3; i++)
        {
            await AwaitConditionAsync(() => Task.FromResult(_spawned.Count == i + 1));
            await Task.Delay(100);
            Assert.Equal(i + 1, _spawned.Count);
            var (job, fetcher) = _spawned[i];
            Assert.Equal(i, job.Index);
            coordinator.Tell(Ok(job), fetcher);
            Assert.Equal(i, (await printer.ExpectMsgAsync<Crawl.PlanetFetched>()).Index);
        }
    }

    [Fact]
    public async Task Coordinator_should_complete_an_empty_crawl_at_once_and_refuse_a_second_start()
    {
        var (printer, coordinator) = Start();
        coordinator.Tell(new Crawl.StartCrawl(["http://1.test/"]));
        coordinator.Tell(new Crawl.StartCrawl(["http://2.test/"]));
        Assert.IsType<Crawl.CrawlRefused>(await ExpectMsgAsync<Crawl.CrawlRefused>());

        var (emptyPrinter, empty) = (CreateTestProbe(), Sys.ActorOf(CrawlCoordinator.Props(Settings(), CreateTestProbe())));
        Watch(empty);
        empty.Tell(new Crawl.StartCrawl([]));
        await ExpectTerminatedAsync(empty);
        _ = printer;
        _ = emptyPrinter;
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
