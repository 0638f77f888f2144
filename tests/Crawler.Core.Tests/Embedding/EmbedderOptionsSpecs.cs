using System.Collections.Immutable;
using Akka.Actor;
using Akka.Configuration;
using Crawler.Core.Embedding;
using Crawler.Testing;
using Xunit.Abstractions;

namespace Crawler.Core.Tests.Embedding;

/// <summary>
/// Written from an embedder's side: their ActorSystem with their own HOCON and dispatcher, their actor that starts crawls
/// with <see cref="ICrawler.CrawlProps"/>. The options they give apply (the job, a lower per-host cap, the crawl's id)
/// or are refused with a message naming the key; bad input is a result, never a crash or a hang.
/// </summary>
public sealed class EmbedderOptionsSpecs : CrawlSpec
{
    private const string Hocon = """
        crawler.robots.enabled = off
        crawler.http.max-connections-per-host = 3
        crawler.dispatcher = embedder-crawl-dispatcher
        embedder-crawl-dispatcher {
          type = ForkJoinDispatcher
          throughput = 30
          dedicated-thread-pool.thread-count = 2
        }
        """;

    public EmbedderOptionsSpecs(ITestOutputHelper output) : base(Hocon, output)
    {
    }

    private static LoopbackHttpServer Site(TimeSpan delay) => LoopbackHttpServer.Start(async request =>
    {
        await Task.Delay(delay);
        return request.Target.EndsWith("/planet", StringComparison.Ordinal)
            ? ServerAction.Ok(TestPages.Planet("article"))
            : ServerAction.Ok(TestPages.Article($"Title of {request.Target}"));
    });

    [Fact]
    public async Task The_mode_of_the_crawl_options_should_decide_the_job_of_a_start_that_names_none_and_a_start_that_names_one_should_win()
    {
        await using var server = Site(TimeSpan.Zero);
        var crawler = Sys.Crawler();

        var titles = Sys.ActorOf(crawler.CrawlProps(TestActor, new CrawlOptions { Mode = CrawlMode.Titles }));
        titles.Tell(new Crawl.StartCrawl([server.Url("/a/planet").ToString()]));
        var page = Assert.IsType<Crawl.PlanetFetched>(await ExpectMsgAsync<Crawl.PlanetResult>());
        Assert.Null(page.Article); // the titles job: the page itself, no article followed
        await ExpectMsgAsync<Crawl.Completed>();

        var planets = Sys.ActorOf(crawler.CrawlProps(TestActor, new CrawlOptions { Mode = CrawlMode.Titles }));
        planets.Tell(new Crawl.StartCrawl([server.Url("/b/planet").ToString()], CrawlMode.Planets));
        var planet = Assert.IsType<Crawl.PlanetFetched>(await ExpectMsgAsync<Crawl.PlanetResult>());
        Assert.Equal("Title of /b/article", planet.Title);
        await ExpectMsgAsync<Crawl.Completed>();

        var report = await crawler.CrawlAsync([server.Url("/c/planet").ToString()], new CrawlOptions { Mode = CrawlMode.Titles })
            .WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Null(Assert.Single(report.Fetched).Article);
    }

    [Fact]
    public async Task An_actor_running_two_crawls_should_tell_their_results_and_completions_apart_by_crawl_id()
    {
        await using var server = Site(TimeSpan.FromMilliseconds(30));
        var runner = Sys.ActorOf(Props.Create(() => new TwoCrawlRunner()), "embedders-runner");

        var byCrawl = await runner.Ask<IReadOnlyDictionary<string, List<object>>>(
            new TwoCrawlRunner.Run(
                [.. Enumerable.Range(0, 3).Select(i => server.Url($"/a{i}/planet").ToString())],
                [.. Enumerable.Range(0, 4).Select(i => server.Url($"/b{i}/planet").ToString())]),
            TimeSpan.FromSeconds(30));

        Assert.Equal(["alpha", "beta"], byCrawl.Keys.Order());
        Assert.Equal(3, byCrawl["alpha"].OfType<Crawl.PlanetFetched>().Count(f => f.Article!.Contains("/a", StringComparison.Ordinal)));
        Assert.Equal(4, byCrawl["beta"].OfType<Crawl.PlanetFetched>().Count(f => f.Article!.Contains("/b", StringComparison.Ordinal)));
        Assert.Equal(3, Assert.Single(byCrawl["alpha"].OfType<Crawl.Completed>()).Summary.Total);
        Assert.Equal(4, Assert.Single(byCrawl["beta"].OfType<Crawl.Completed>()).Summary.Total);

        var report = await Sys.Crawler().CrawlAsync([server.Url("/c/planet").ToString(), "not a url"]).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(string.IsNullOrEmpty(report.CrawlId)); // made up when the caller gives none
        Assert.All(report.Results, r => Assert.Equal(report.CrawlId, r.CrawlId));
        var chosen = await Sys.Crawler().CrawlAsync([server.Url("/d/planet").ToString()], new CrawlOptions { CrawlId = "nightly-7" })
            .WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(("nightly-7", "nightly-7"), (chosen.CrawlId, chosen.Results[0].CrawlId));
    }

    [Fact]
    public async Task Two_crawls_given_the_same_id_should_still_each_get_exactly_their_own_results()
    {
        await using var server = Site(TimeSpan.FromMilliseconds(50));
        var options = new CrawlOptions { CrawlId = "same" };
        var reports = await Task.WhenAll(
                Sys.Crawler().CrawlAsync(Enumerable.Range(0, 3).Select(i => server.Url($"/x{i}/planet").ToString()), options),
                Sys.Crawler().CrawlAsync(Enumerable.Range(0, 5).Select(i => server.Url($"/y{i}/planet").ToString()), options))
            .WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal((3, 5), (reports[0].Summary.Ok, reports[1].Summary.Ok));
        Assert.All(reports[0].Fetched, f => Assert.Contains("/x", f.Article, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_lower_per_host_cap_in_the_crawls_hocon_should_apply_and_one_it_cannot_have_should_be_refused_naming_the_key()
    {
        var open = 0;
        var most = 0;
        await using var server = LoopbackHttpServer.Start(async request =>
        {
            var now = Interlocked.Increment(ref open);
            InterlockedMax(ref most, now);
            await Task.Delay(40);
            Interlocked.Decrement(ref open);
            return ServerAction.Ok(TestPages.Article("t"));
        });
        var crawler = Sys.Crawler();

        var report = await crawler.CrawlAsync(Enumerable.Range(0, 8).Select(i => server.Url($"/{i}").ToString()),
            new CrawlOptions { Mode = CrawlMode.Titles, Hocon = "http.max-connections-per-host = 1" }).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(8, report.Summary.Ok);
        Assert.Equal(1, most);

        foreach (var (hocon, key) in new[]
                 {
                     ("http.max-connections-per-host = 0", "http.max-connections-per-host"),
                     ("http.max-connections-per-host = 4", "http.max-connections-per-host"),
                     ("http.max-connections = 10", "http.max-connections"),
                     ("host-idle-timeout = 1s", "host-idle-timeout"),
                     ("dispatcher = akka.actor.default-dispatcher", "dispatcher"),
                     ("http { conect-timeout = 1s }", "http.conect-timeout"),
                 })
        {
            var error = Assert.ThrowsAny<ConfigurationException>(() => crawler.CrawlProps(TestActor, new CrawlOptions { Hocon = hocon }));
            Assert.Contains("crawler." + key, error.Message, StringComparison.Ordinal);
            await Assert.ThrowsAnyAsync<ConfigurationException>(() => crawler.CrawlAsync(["http://127.0.0.1:9/"], new CrawlOptions { Hocon = hocon }));
        }
    }

    [Fact]
    public async Task Every_crawler_actor_should_run_on_the_dispatcher_the_embedder_named_and_akka_io_should_stay_on_its_own()
    {
        await using var stuck = LoopbackHttpServer.Start(_ => ServerAction.Hang);
        var crawl = Sys.ActorOf(Sys.Crawler().CrawlProps(TestActor), "embedders-crawl");
        crawl.Tell(new Crawl.StartCrawl([stuck.Url("/1/planet").ToString(), stuck.Url("/2/planet").ToString()]));
        await AwaitConditionAsync(() => Task.FromResult(stuck.OpenConnections == 2), TimeSpan.FromSeconds(10));

        var crawlers = new List<IActorRef> { crawl, Sys.Crawler().Hosts };
        foreach (var path in new[] { "/user/embedders-crawl/*", "/system/crawler-hosts/*", "/system/crawler-hosts/*/*" })
        {
            crawlers.AddRange(await Resolve(path));
        }

        Assert.True(crawlers.Count >= 2 + 3 + 1 + 2, $"found {crawlers.Count}"); // printer and fetchers, an owner, its connections
        Assert.All(crawlers, actor => Assert.Equal("embedder-crawl-dispatcher", DispatcherOf(actor)));
        var tcp = await Resolve("/system/IO-TCP/*");
        Assert.NotEmpty(tcp);
        Assert.All(tcp, actor => Assert.NotEqual("embedder-crawl-dispatcher", DispatcherOf(actor)));
        crawl.Tell(new Crawl.CancelCrawl("done looking"));
        await ExpectMsgAsync<Crawl.PlanetResult>();
        await ExpectMsgAsync<Crawl.PlanetResult>();
        await ExpectMsgAsync<Crawl.Completed>();
    }

    [Fact]
    public void A_dispatcher_the_system_does_not_have_should_be_refused_when_the_crawler_starts()
    {
        using var system = ActorSystem.Create("embedder-without-dispatcher", "crawler.dispatcher = no-such-dispatcher");
        var error = Assert.ThrowsAny<Exception>(() => system.Crawler());
        var configuration = error as ConfigurationException ?? error.InnerException as ConfigurationException;
        Assert.NotNull(configuration);
        Assert.Contains("crawler.dispatcher", configuration.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_null_url_should_be_a_bad_url_result_and_a_default_array_an_empty_crawl_under_the_embedders_restarting_parent()
    {
        await using var server = Site(TimeSpan.Zero);
        var crawl = Sys.ActorOf(Sys.Crawler().CrawlProps(TestActor));
        crawl.Tell(new Crawl.StartCrawl([null!, server.Url("/a/planet").ToString()]));
        var results = new[] { await ExpectMsgAsync<Crawl.PlanetResult>(), await ExpectMsgAsync<Crawl.PlanetResult>() }.OrderBy(r => r.Index).ToList();
        Assert.Equal(ErrorKind.BadUrl, Assert.IsType<Crawl.PlanetFailed>(results[0]).Kind);
        Assert.IsType<Crawl.PlanetFetched>(results[1]);
        Assert.Equal(2, (await ExpectMsgAsync<Crawl.Completed>()).Summary.Total);

        var empty = Sys.ActorOf(Sys.Crawler().CrawlProps(TestActor)); // under /user: the default strategy restarts
        Watch(empty);
        empty.Tell(new Crawl.StartCrawl(default(ImmutableArray<string>)));
        Assert.Equal(0, (await ExpectMsgAsync<Crawl.Completed>()).Summary.Total);
        await ExpectTerminatedAsync(empty);

        var report = await Sys.Crawler().CrawlAsync([null!]).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(ErrorKind.BadUrl, Assert.Single(report.Failed).Kind);
    }

    [Fact]
    public async Task A_token_cancelled_before_the_call_should_return_at_once_with_every_planet_cancelled_and_no_request_made()
    {
        await using var server = Site(TimeSpan.Zero);
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();

        var report = await Sys.Crawler().CrawlAsync([server.Url("/a/planet").ToString(), server.Url("/b/planet").ToString()],
            cancellationToken: cancel.Token).WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal((2, 0, 2), (report.Summary.Total, report.Summary.Ok, report.Summary.FailuresByKind[ErrorKind.Cancelled]));
        Assert.All(report.Failed, f => Assert.Equal((ErrorKind.Cancelled, 0), (f.Kind, f.Attempts)));
        Assert.Equal(["/a/planet", "/b/planet"], report.Results.Select(r => new Uri(r.Planet).AbsolutePath));
        Assert.Equal(0, server.ConnectionCount);
        var crawls = await Sys.ActorSelection("/system/crawler-crawl-*").Ask<ActorIdentity>(new Identify(1), TimeSpan.FromSeconds(1));
        Assert.Null(crawls.Subject);
    }

    private async Task<IReadOnlyList<IActorRef>> Resolve(string path)
    {
        var probe = CreateTestProbe();
        Sys.ActorSelection(path).Tell(new Identify(path), probe);
        var found = new List<IActorRef>();
        while (await probe.ReceiveOneAsync(TimeSpan.FromMilliseconds(500)) is ActorIdentity { Subject: { } subject })
        {
            found.Add(subject);
        }

        return found;
    }

    private static string DispatcherOf(IActorRef actor) => ((ActorCell)((ActorRefWithCell)actor).Underlying).Dispatcher.Id;

    private static void InterlockedMax(ref int most, int now)
    {
        int seen;
        while (now > (seen = Volatile.Read(ref most)) && Interlocked.CompareExchange(ref most, now, seen) != seen)
        {
        }
    }

    /// <summary>An embedder's actor: starts two crawls as its children, sorts what arrives by crawl id, answers when both
    /// have completed.</summary>
    private sealed class TwoCrawlRunner : ReceiveActor
    {
        private readonly Dictionary<string, List<object>> _byCrawl = [];
        private IActorRef _asker = ActorRefs.Nobody;

        public TwoCrawlRunner()
        {
            Receive<Run>(run =>
            {
                _asker = Sender;
                var crawler = Context.System.Crawler();
                Context.ActorOf(crawler.CrawlProps(Self, new CrawlOptions { CrawlId = "alpha" })).Tell(new Crawl.StartCrawl(run.Alpha));
                Context.ActorOf(crawler.CrawlProps(Self, new CrawlOptions { CrawlId = "beta" })).Tell(new Crawl.StartCrawl(run.Beta));
            });
            Receive<Crawl.PlanetResult>(result => Add(result.CrawlId, result));
            Receive<Crawl.Completed>(completed =>
            {
                Add(completed.CrawlId, completed);
                if (_byCrawl.Values.Count(v => v.OfType<Crawl.Completed>().Any()) == 2)
                {
                    _asker.Tell((IReadOnlyDictionary<string, List<object>>)_byCrawl);
                }
            });
        }

        private void Add(string crawlId, object message)
        {
            if (!_byCrawl.TryGetValue(crawlId, out var messages))
            {
                _byCrawl[crawlId] = messages = [];
            }

            messages.Add(message);
        }

        public sealed record Run(ImmutableArray<string> Alpha, ImmutableArray<string> Beta);
    }
}
