using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.Streams;
using Akka.Streams.Dsl;
using Crawler.Core.Embedding;
using Crawler.Testing;
using Xunit.Abstractions;

namespace Crawler.Core.Tests.Embedding;

/// <summary>
/// Written from an embedder's side: their own ActorSystem, shut down the way their host shuts it down
/// (CoordinatedShutdown), their actors that take results and stop, their log at INFO. Running crawls end with
/// <c>cancelled</c> results before the system stops, a crawl whose results target stops is cancelled, and routine
/// events (robots.txt unreachable, timeouts, cancels) leave no INFO lines and no dead letters.
/// </summary>
public sealed class EmbedderLifecycleSpecs : CrawlSpec
{
    private const string Hocon = """
        crawler.robots.enabled = off
        """;

    private const string EmbedderHocon = """
        akka.loglevel = DEBUG
        akka.stdout-loglevel = WARNING
        akka.log-dead-letters = on
        crawler.http.connect-timeout = 300ms
        crawler.retry.max-retries = 0
        """;

    public EmbedderLifecycleSpecs(ITestOutputHelper output) : base(Hocon, output)
    {
    }

    [Fact]
    public async Task Coordinated_shutdown_should_end_running_crawls_with_cancelled_results_before_the_system_stops()
    {
        await using var stuck = LoopbackHttpServer.Start(_ => ServerAction.Hang);
        var system = ActorSystem.Create("embedder-shutting-down", EmbedderHocon + "\ncrawler.robots.enabled = off");
        var crawler = system.Crawler();
        var asTask = crawler.CrawlAsync([stuck.Url("/a/planet").ToString(), stuck.Url("/b/planet").ToString()]);
        var viaFlow = Source.From(new[] { stuck.Url("/c").ToString() })
            .Via(crawler.ResultsFlow(new CrawlOptions { Mode = CrawlMode.Titles }))
            .RunWith(Sink.Seq<Crawl.PlanetResult>(), system.Materializer());
        var completed = new TaskCompletionSource<Crawl.Completed>(TaskCreationOptions.RunContinuationsAsynchronously);
        var taker = system.ActorOf(Props.Create(() => new CompletionTaker(completed)), "embedders-taker");
        var viaProps = system.ActorOf(crawler.CrawlProps(taker), "embedders-crawl");
        viaProps.Tell(new Crawl.StartCrawl([stuck.Url("/d/planet").ToString()]));
        await AwaitConditionAsync(() => Task.FromResult(stuck.OpenConnections == 4), TimeSpan.FromSeconds(10));

        // The embedder's actor is one of the system's and stops with it; an embedder that needs its Completed waits
        // for it in a later phase, as this one does. The crawler's task runs before that phase.
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseServiceStop, "embedder-awaits-its-completed", async () =>
        {
            await completed.Task.WaitAsync(TimeSpan.FromSeconds(5));
            return Done.Instance;
        });
        await CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClrExitReason.Instance).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(asTask.IsCompletedSuccessfully, "CrawlAsync should have returned its report before the system stopped");
        var report = await asTask;
        Assert.Equal(2, report.Summary.FailuresByKind[ErrorKind.Cancelled]);
        var streamed = await viaFlow.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(ErrorKind.Cancelled, Assert.IsType<Crawl.PlanetFailed>(Assert.Single(streamed)).Kind);
        Assert.True(completed.Task.IsCompletedSuccessfully, "the embedder's actor should have had its Completed");
        Assert.Equal(1, (await completed.Task).Summary.FailuresByKind[ErrorKind.Cancelled]);
        await system.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(10));
        await AwaitConditionAsync(() => Task.FromResult(stuck.OpenConnections == 0), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_crawl_whose_results_target_stops_should_be_cancelled_at_once_and_leave_no_dead_letters()
    {
        await using var stuck = LoopbackHttpServer.Start(_ => ServerAction.Hang);
        var deadLetters = CreateTestProbe();
        Sys.EventStream.Subscribe(deadLetters, typeof(DeadLetter));
        var target = CreateTestProbe();
        var crawl = Sys.ActorOf(Sys.Crawler().CrawlProps(target), "crawl-with-a-mortal-target");
        Watch(crawl);
        crawl.Tell(new Crawl.StartCrawl([.. Enumerable.Range(0, 3).Select(i => stuck.Url($"/{i}/planet").ToString())]));
        await AwaitConditionAsync(() => Task.FromResult(stuck.OpenConnections == 3), TimeSpan.FromSeconds(10));

        Sys.Stop(target);

        await ExpectTerminatedAsync(crawl, TimeSpan.FromSeconds(5));
        await AwaitConditionAsync(() => Task.FromResult(stuck.OpenConnections == 0), TimeSpan.FromSeconds(5));
        await deadLetters.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(500));
    }

    [Fact]
    public async Task Routine_events_should_log_nothing_at_info_in_the_embedders_log_and_send_nothing_to_dead_letters()
    {
        await using var site = LoopbackHttpServer.Start(request => request.Target.StartsWith("/hang", StringComparison.Ordinal)
            ? ServerAction.Hang
            : ServerAction.Ok(TestPages.Article("fine")));
        await using var silent = LoopbackHttpServer.Start(_ => ServerAction.Hang);
        var system = ActorSystem.Create("embedder-with-a-quiet-log", EmbedderHocon);
        try
        {
            var heard = new List<object>();
            var listener = system.ActorOf(Props.Create(() => new Listener(heard)));
            system.EventStream.Subscribe(listener, typeof(LogEvent));
            system.EventStream.Subscribe(listener, typeof(DeadLetter));
            var crawler = system.Crawler();
            var closed = LoopbackHttpServer.ClosedPort();

            // robots.txt that cannot be fetched (a closed port), a connect timeout (a TLS handshake never answered), a
            // page that is fine, a pre-cancelled token, and a crawl the caller abandons midway.
            await crawler.CrawlAsync([$"http://127.0.0.1:{closed}/planet", $"https://127.0.0.1:{silent.Port}/planet",
                site.Url("/ok").ToString()], new CrawlOptions { Mode = CrawlMode.Titles, RespectRobots = true }).WaitAsync(TimeSpan.FromSeconds(30));
            using (var cancelled = new CancellationTokenSource())
            {
                await cancelled.CancelAsync();
                await crawler.CrawlAsync([site.Url("/ok").ToString()], cancellationToken: cancelled.Token);
            }

            using (var abandon = new CancellationTokenSource())
            {
                var abandoned = crawler.CrawlAsync([site.Url("/hang/1").ToString(), site.Url("/hang/2").ToString()], cancellationToken: abandon.Token);
                await AwaitConditionAsync(() => Task.FromResult(site.OpenConnections == 2), TimeSpan.FromSeconds(10));
                await abandon.CancelAsync();
                await abandoned.WaitAsync(TimeSpan.FromSeconds(10));
            }

            await Task.Delay(1000); // late messages of stopped actors would be dead letters by now
            var all = await SnapshotAsync(heard, listener);
            var loud = all.Where(e => e is DeadLetter || (e is LogEvent log && log.LogLevel() >= LogLevel.InfoLevel
                && (log.LogSource.Contains("crawler", StringComparison.Ordinal) || log.LogSource.Contains("crawl-", StringComparison.Ordinal)))).ToList();
            Assert.True(loud.Count == 0, "the embedder's log got: " + string.Join(" | ", loud));
            Assert.Contains(all, e => e is Debug debug && debug.LogSource.Contains("crawler-hosts", StringComparison.Ordinal));
        }
        finally
        {
            await system.Terminate().WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    private static async Task<List<object>> SnapshotAsync(List<object> heard, IActorRef listener)
    {
        await listener.Ask<bool>("flush", TimeSpan.FromSeconds(5));
        lock (heard)
        {
            return [.. heard];
        }
    }

    private sealed class Listener : ReceiveActor
    {
        public Listener(List<object> heard)
        {
            Receive<string>(_ => Sender.Tell(true));
            ReceiveAny(message =>
            {
                lock (heard)
                {
                    heard.Add(message);
                }
            });
        }
    }

    private sealed class CompletionTaker : ReceiveActor
    {
        public CompletionTaker(TaskCompletionSource<Crawl.Completed> completed)
        {
            Receive<Crawl.Completed>(c => completed.TrySetResult(c));
            Receive<Crawl.PlanetResult>(_ => { });
        }
    }
}
