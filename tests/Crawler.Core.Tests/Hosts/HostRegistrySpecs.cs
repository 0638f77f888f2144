using System.Text;
using Akka.Actor;
using Akka.TestKit;
using Crawler.Core.Configuration;
using Crawler.Core.Hosts;
using Crawler.Testing;
using Xunit.Abstractions;

namespace Crawler.Core.Tests.Hosts;

/// <summary>The hosts of a system over real loopback sockets: one owner per host (127.0.0.1 and localhost are two),
/// the per-host cap across crawls, the system's connection budget, crawls that end, owners that passivate.</summary>
public sealed class HostRegistrySpecs : Akka.TestKit.Xunit2.TestKit
{
    private static readonly CrawlerSettings Defaults = CrawlerSettings.Create(CrawlerSettings.DefaultConfig().GetConfig("crawler"));
    private long _ids;

    public HostRegistrySpecs(ITestOutputHelper output) : base("akka.test.timefactor = 3\nakka.loglevel = INFO\nakka.actor.serialize-messages = on", output)
    {
    }

    private IActorRef Registry(int maxPerHost = 8, int maxConnections = 0, TimeSpan? idle = null) =>
        Sys.ActorOf(HostRegistry.Props(new HostOwnerSettings(maxPerHost, idle ?? TimeSpan.FromMinutes(2)), maxConnections));

    /// <summary>A crawl, as the registry sees it: a coordinator (the probe) that announced itself.</summary>
    private TestProbe Crawl(IActorRef registry, string id)
    {
        var coordinator = CreateTestProbe($"coordinator-{id}");
        registry.Tell(new Host.CrawlStarted(id), coordinator);
        return coordinator;
    }

    private Host.Fetch Fetch(Uri url, string crawl = "crawl-1", Func<CrawlerSettings, CrawlerSettings>? settings = null) =>
        new(crawl, Interlocked.Increment(ref _ids), url, FetchPriority.New, 1, TimeSpan.Zero,
            CrawlProfile.Of((settings ?? (s => s))(Defaults with { RespectRobots = false })));

    private static async Task<Host.Fetched> Fetched(TestProbe requester) =>
        (Host.Fetched)await requester.FishForMessageAsync(m => m is Host.Fetched or Host.Failed, TimeSpan.FromSeconds(10));

    private static string Text(Host.Fetched fetched) => Encoding.UTF8.GetString(fetched.Response.Body.Span);

    [Fact]
    public async Task Fetches_to_one_host_should_keep_to_its_cap_and_each_be_answered_with_its_own_id()
    {
        var concurrent = 0;
        var most = 0;
        await using var server = LoopbackHttpServer.Start(async request =>
        {
            InterlockedMax(ref most, Interlocked.Increment(ref concurrent));
            await Task.Delay(100);
            Interlocked.Decrement(ref concurrent);
            return ServerAction.Ok("page " + request.Target);
        });
        var registry = Registry(maxPerHost: 2);
        Crawl(registry, "crawl-1");
        var requesters = Enumerable.Range(0, 6).Select(i => CreateTestProbe($"requester-{i}")).ToList();
        var fetches = requesters.Select((r, i) => (Requester: r, Fetch: Fetch(server.Url($"/{i}")))).ToList();
        foreach (var (requester, fetch) in fetches)
        {
            registry.Tell(fetch, requester);
        }

        foreach (var (requester, fetch) in fetches)
        {
            var fetched = await Fetched(requester);
            Assert.Equal((fetch.RequestId, $"page {fetch.Url.AbsolutePath}"), (fetched.RequestId, Text(fetched)));
        }

        Assert.InRange(server.ConnectionCount, 1, 2);
        Assert.Equal(2, most);
    }

    [Fact]
    public async Task The_per_host_cap_should_hold_across_crawls_each_with_its_own_settings()
    {
        var concurrent = 0;
        var most = 0;
        await using var server = LoopbackHttpServer.Start(async request =>
        {
            InterlockedMax(ref most, Interlocked.Increment(ref concurrent));
            await Task.Delay(80);
            Interlocked.Decrement(ref concurrent);
            return ServerAction.Ok("agent " + request.Header("User-Agent"));
        });
        var registry = Registry(maxPerHost: 2);
        Crawl(registry, "a");
        Crawl(registry, "b");
        var requesters = Enumerable.Range(0, 8).Select(i => CreateTestProbe($"crawl-requester-{i}")).ToList();
        for (var i = 0; i < requesters.Count; i++)
        {
            var agent = i % 2 == 0 ? "A" : "B";
            registry.Tell(Fetch(server.Url($"/{i}"), agent.ToLowerInvariant(), s => s with { Http = s.Http with { UserAgent = agent } }), requesters[i]);
        }

        for (var i = 0; i < requesters.Count; i++)
        {
            Assert.Equal(i % 2 == 0 ? "agent A" : "agent B", Text(await Fetched(requesters[i])));
        }

        Assert.InRange(most, 1, 2); // two crawls, one host: the cap holds across them
    }

    [Fact]
    public async Task At_the_systems_budget_an_idle_connection_of_another_host_should_make_room()
    {
        await using var first = LoopbackHttpServer.Start(_ => ServerAction.Ok("first"));
        await using var second = LoopbackHttpServer.Start(_ => ServerAction.Ok("second"));
        var registry = Registry(maxConnections: 1);
        Crawl(registry, "crawl-1");
        var me = CreateTestProbe();
        registry.Tell(Fetch(first.Url("/")), me);
        Assert.Equal("first", Text(await Fetched(me)));
        registry.Tell(Fetch(new Uri($"http://localhost:{second.Url("/").Port}/")), me);
        Assert.Equal("second", Text(await Fetched(me)));
        await AwaitConditionAsync(() => Task.FromResult(first.OpenConnections == 0)); // the first host gave its connection back
    }

    [Fact]
    public async Task A_host_kept_waiting_by_the_budget_should_get_the_next_connection_another_host_frees()
    {
        await using var slow = LoopbackHttpServer.Start(async _ =>
        {
            await Task.Delay(3000); // well past the (dilated) silence expected below, and the wait to send it
            return ServerAction.Ok("slow");
        });
        await using var other = LoopbackHttpServer.Start(_ => ServerAction.Ok("other"));
        var registry = Registry(maxConnections: 1);
        Crawl(registry, "crawl-1");
        var first = CreateTestProbe();
        var second = CreateTestProbe();
        registry.Tell(Fetch(slow.Url("/")), first);
        await AwaitConditionAsync(() => Task.FromResult(slow.OpenConnections == 1)); // it holds the one lease
        registry.Tell(Fetch(new Uri($"http://localhost:{other.Url("/").Port}/")), second); // no room until the slow one answers
        await second.ExpectMsgAsync<Host.Queued>();
        await second.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        Assert.Equal("slow", Text(await Fetched(first)));
        Assert.Equal("other", Text(await Fetched(second)));
        Assert.Equal(1, slow.ConnectionCount);
    }

    [Fact]
    public async Task A_crawl_that_ends_should_have_its_connections_closed_while_the_hosts_serve_on()
    {
        await using var server = LoopbackHttpServer.Start(_ => ServerAction.Ok("ok"));
        var registry = Registry();
        var coordinator = Crawl(registry, "crawl-1");
        var me = CreateTestProbe();
        registry.Tell(Fetch(server.Url("/")), me);
        await Fetched(me);
        Assert.Equal(1, server.OpenConnections); // kept alive for the crawl's next request

        Sys.Stop(coordinator.Ref);

        await AwaitConditionAsync(() => Task.FromResult(server.OpenConnections == 0), TimeSpan.FromSeconds(10));
        Crawl(registry, "crawl-2");
        registry.Tell(Fetch(server.Url("/"), "crawl-2"), me);
        await Fetched(me);
        registry.Tell(Fetch(server.Url("/"), "crawl-1"), me); // a late fetch of the crawl that ended is dropped
        await me.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task Thirty_requests_should_be_pipelined_on_one_connection_when_pipelining()
    {
        await using var server = LoopbackHttpServer.Start(r => ServerAction.Ok("title " + r.Target));
        var registry = Registry(maxPerHost: 1);
        Crawl(registry, "crawl-1");
        var fetches = Enumerable.Range(0, 30).Select(i => Fetch(server.Url($"/{i}"),
            settings: s => s with { Http = s.Http with { Pipelining = true, PipeliningDepth = 8 } })).ToList();
        foreach (var fetch in fetches)
        {
            registry.Tell(fetch);
        }

        var replies = new List<Host.Fetched>();
        while (replies.Count < 30)
        {
            if (await ExpectMsgAsync<object>(TimeSpan.FromSeconds(10)) is Host.Fetched fetched)
            {
                replies.Add(fetched);
            }
        }

        Assert.All(replies, r => Assert.Equal($"title {fetches.Single(f => f.RequestId == r.RequestId).Url.AbsolutePath}", Text(r)));
        Assert.Equal(1, server.ConnectionCount);
    }

    [Fact]
    public async Task Requests_to_a_server_that_answers_only_the_first_of_a_pipelined_batch_should_go_one_at_a_time_after_one_stall()
    {
        await using var server = new PipelineDroppingServer();
        var registry = Registry(maxPerHost: 2);
        Crawl(registry, "crawl-1");
        var fetches = Enumerable.Range(0, 16).Select(i => Fetch(server.Url($"/{i}"), settings: s => s with
        {
            Http = s.Http with { Pipelining = true, PipeliningDepth = 8, PipeliningStallTimeout = TimeSpan.FromMilliseconds(300) },
        })).ToList();
        var warned = EventFilter.Warning(contains: "pipelined").ExpectAsync(1, async () =>
        {
            foreach (var fetch in fetches)
            {
                registry.Tell(fetch);
            }

            var replies = new List<Host.Fetched>();
            while (replies.Count < fetches.Count)
            {
                if (await ExpectMsgAsync<object>(TimeSpan.FromSeconds(10)) is Host.Fetched fetched)
                {
                    replies.Add(fetched);
                }
            }

            Assert.All(replies, r => Assert.Contains(fetches.Single(f => f.RequestId == r.RequestId).Url.AbsolutePath, Text(r), StringComparison.Ordinal));
        });
        await warned;

        // At most one batch per connection was lost: after it, every connection of the origin went one at a time.
        Assert.Equal(fetches.Count, server.Answered);
        Assert.InRange(server.Dropped, 1, 2 * 7);
        Assert.InRange(server.Connections, 2, 4);
    }

    [Fact]
    public async Task A_fetch_that_is_not_http_should_be_refused_as_a_bad_url()
    {
        var registry = Registry();
        registry.Tell(Fetch(new Uri("ftp://files.test/")));
        var failed = (Host.Failed)await FishForMessageAsync(m => m is Host.Failed);
        Assert.Equal(ErrorKind.BadUrl, failed.Failure.Kind);
    }

    [Fact]
    public async Task A_host_owner_idle_for_its_timeout_should_be_replaced_by_a_new_one_that_reads_robots_txt_again()
    {
        await using var server = LoopbackHttpServer.Start(_ => ServerAction.Ok("page"), scriptRobots: true);
        var registry = Registry(idle: TimeSpan.FromMilliseconds(300));
        var coordinator = Crawl(registry, "crawl-1");
        var me = CreateTestProbe();
        registry.Tell(Fetch(server.Url("/a"), settings: s => s with { RespectRobots = true }), me);
        await Fetched(me);
        var owner = await Sys.ActorSelection(registry.Path / "host-*").ResolveOne(TimeSpan.FromSeconds(5));
        Sys.Stop(coordinator.Ref); // the crawl ends: its connections go, and the owner has nothing left to do
        Watch(owner);
        await ExpectTerminatedAsync(owner, TimeSpan.FromSeconds(10));

        Crawl(registry, "crawl-2");
        registry.Tell(Fetch(server.Url("/b"), "crawl-2", s => s with { RespectRobots = true }), me);
        await Fetched(me);
        Assert.Equal(2, server.Requests.Count(r => r.Target == "/robots.txt"));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
