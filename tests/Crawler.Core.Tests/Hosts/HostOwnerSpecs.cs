using System.Text;
using Akka.Actor;
using Akka.TestKit;
using Crawler.Core.Configuration;
using Crawler.Core.Hosts;
using Crawler.Http;
using Xunit.Abstractions;

namespace Crawler.Core.Tests.Hosts;

/// <summary>
/// The owner of one host with probes for its registry and connections, on a clock the spec drives by hand: politeness
/// is asserted where it is enforced, at the moment a request is written, against the owner's own clock; so it is exact,
/// whatever else the machine is doing.
/// </summary>
public sealed class HostOwnerSpecs : Akka.TestKit.Xunit2.TestKit
{
    private static readonly CrawlerSettings Defaults = CrawlerSettings.Create(CrawlerSettings.DefaultConfig().GetConfig("crawler"));
    private readonly List<TestProbe> _connections = [];
    private readonly List<IActorRef> _actors = [];
    private long _ticks = TimeSpan.FromHours(1).Ticks;

    public HostOwnerSpecs(ITestOutputHelper output)
        : base("akka.test.timefactor = 3\nakka.loglevel = DEBUG\nakka.actor.serialize-messages = on", output)
    {
    }

    private TimeSpan Clock => TimeSpan.FromTicks(Interlocked.Read(ref _ticks));

    private void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);

    private (TestProbe Registry, IActorRef Owner) Start(int maxPerHost = 8, TimeSpan? idle = null, bool exploding = false)
    {
        var registry = CreateTestProbe("registry");
        var owner = registry.ChildActorOf(HostOwner.Props("planet.test", new HostOwnerSettings(maxPerHost, idle ?? TimeSpan.FromHours(1)), () => Clock,
            (context, _, _, name) =>
            {
                if (exploding)
                {
                    return context.ActorOf(Props.Create(() => new ExplodingConnection()), name);
                }

                var probe = CreateTestProbe(name);
                var actor = context.ActorOf(Props.Create(() => new ProbeConnection(probe)), name);
                lock (_connections)
                {
                    _connections.Add(probe);
                    _actors.Add(actor);
                }

                return actor;
            }));
        return (registry, owner);
    }

    private static CrawlProfile Profile(Func<CrawlerSettings, CrawlerSettings>? change = null) =>
        CrawlProfile.Of(change?.Invoke(Defaults) ?? Defaults);

    private static Host.Fetch Fetch(long id, string path, FetchPriority priority = FetchPriority.New, string crawl = "crawl-1", int attempt = 1,
        TimeSpan delay = default, CrawlProfile? profile = null, bool robots = false) =>
        new(crawl, id, new Uri("http://planet.test" + path), priority, attempt, delay, profile ?? Profile(s => s with { RespectRobots = false }), robots);

    private static Http.Http.ResponseReceived Response(Http.Http.Send send, int status = 200, string body = "<html></html>",
        params KeyValuePair<string, string>[] headers) =>
        new(send.RequestId, send.Url, status, "Status", headers, Encoding.UTF8.GetBytes(body));

    private async Task<TestProbe> Connection(int index)
    {
        await AwaitConditionAsync(() => Task.FromResult(_connections.Count > index));
        lock (_connections)
        {
            return _connections[index];
        }
    }

    /// <summary>Grants the next lease the owner asks for.</summary>
    private static async Task Grant(TestProbe registry)
    {
        var lease = await registry.ExpectMsgAsync<HostControl.LeaseRequested>();
        registry.Reply(new HostControl.LeaseGranted(lease.Connection));
    }

    /// <summary>The next reply other than Queued and Dispatched.</summary>
    private static async Task<object> Answer(TestProbe requester) =>
        await requester.FishForMessageAsync(m => m is not (Host.Queued or Host.Dispatched));

    [Fact]
    public async Task Owner_should_write_a_fetch_to_a_connection_opened_under_a_lease_and_answer_with_the_fetchs_own_id()
    {
        var (registry, owner) = Start();
        var requester = CreateTestProbe();
        owner.Tell(Fetch(7, "/a"), requester);
        await Grant(registry);
        var connection = await Connection(0);
        var send = await connection.ExpectMsgAsync<Http.Http.Send>();
        Assert.Equal(new Uri("http://planet.test/a"), send.Url);
        connection.Reply(Response(send, body: "hello"));
        var fetched = Assert.IsType<Host.Fetched>(await Answer(requester));
        Assert.Equal((7L, 7L, "hello"), (fetched.RequestId, fetched.Response.RequestId, Encoding.UTF8.GetString(fetched.Response.Body.Span)));
    }

    [Fact]
    public async Task Owner_should_reuse_a_free_connection_of_the_origin_and_crawl_without_a_new_lease()
    {
        var (registry, owner) = Start();
        var requester = CreateTestProbe();
        owner.Tell(Fetch(1, "/a"), requester);
        await Grant(registry);
        var connection = await Connection(0);
        connection.Reply(Response(await connection.ExpectMsgAsync<Http.Http.Send>()));
        await Answer(requester);

        owner.Tell(Fetch(2, "/b"), requester);
        var send = await connection.ExpectMsgAsync<Http.Http.Send>();
        Assert.Equal("/b", send.Url.AbsolutePath);
        await registry.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        Assert.Single(_connections);
    }

    [Fact]
    public async Task Owner_should_tell_a_request_that_waits_for_a_connection_that_it_is_queued_and_then_that_it_is_dispatched()
    {
        var (registry, owner) = Start(maxPerHost: 1);
        var first = CreateTestProbe();
        var second = CreateTestProbe();
        owner.Tell(Fetch(1, "/a"), first);
        await Grant(registry);
        var connection = await Connection(0);
        var busy = await connection.ExpectMsgAsync<Http.Http.Send>();
        owner.Tell(Fetch(2, "/b"), second);
        Assert.Equal(2, (await second.ExpectMsgAsync<Host.Queued>()).RequestId);
        await second.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));

        connection.Reply(Response(busy));
        Assert.Equal(2, (await second.ExpectMsgAsync<Host.Dispatched>()).RequestId);
        connection.Reply(Response(await connection.ExpectMsgAsync<Http.Http.Send>()));
        Assert.IsType<Host.Fetched>(await second.ExpectMsgAsync<Host.Fetched>());
    }

    [Fact]
    public async Task Owner_should_not_call_waiting_for_a_new_connections_lease_queueing_unless_the_budget_is_spent()
    {
        var (registry, owner) = Start();
        var first = CreateTestProbe();
        var second = CreateTestProbe();
        owner.Tell(Fetch(1, "/a"), first);
        await Grant(registry); // the lease of its new connection is part of connecting
        var connection = await Connection(0);
        connection.Reply(Response(await connection.ExpectMsgAsync<Http.Http.Send>()));
        Assert.IsType<Host.Fetched>(await first.ExpectMsgAsync<object>());

        owner.Tell(Fetch(2, "/b", crawl: "crawl-2"), second); // another crawl: a connection of its own
        var lease = await registry.ExpectMsgAsync<HostControl.LeaseRequested>();
        await second.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        registry.Reply(new HostControl.LeaseWaiting(lease.Connection)); // the system's connections are all leased
        await second.ExpectMsgAsync<Host.Queued>();
        registry.Reply(new HostControl.LeaseGranted(lease.Connection));
        await second.ExpectMsgAsync<Host.Dispatched>();
    }

    [Fact]
    public async Task Owner_should_send_a_planets_follow_up_before_new_planet_pages()
    {
        var (registry, owner) = Start(maxPerHost: 1);
        owner.Tell(Fetch(1, "/planet/0"));
        await Grant(registry);
        var connection = await Connection(0);
        var busy = await connection.ExpectMsgAsync<Http.Http.Send>();
        owner.Tell(Fetch(2, "/planet/1"));
        owner.Tell(Fetch(3, "/planet/2"));
        owner.Tell(Fetch(4, "/article/0", FetchPriority.FollowUp));
        var order = new List<string>();
        var send = busy;
        for (var i = 0; i < 3; i++)
        {
            connection.Reply(Response(send));
            send = await connection.ExpectMsgAsync<Http.Http.Send>();
            order.Add(send.Url.AbsolutePath);
        }

        Assert.Equal(["/article/0", "/planet/1", "/planet/2"], order);
    }

    [Fact]
    public async Task Owner_should_space_requests_by_the_crawls_least_delay_on_its_own_clock()
    {
        var (registry, owner) = Start();
        var spaced = Profile(s => s with { RespectRobots = false, MinHostDelay = TimeSpan.FromMilliseconds(200) });
        owner.Tell(Fetch(1, "/a", profile: spaced));
        owner.Tell(Fetch(2, "/b", profile: spaced));
        await Grant(registry);
        await Grant(registry);
        var written = new List<TimeSpan>();
        var first = await (await Connection(0)).ExpectMsgAsync<Http.Http.Send>();
        written.Add(Clock);
        var second = await Connection(1);
        await second.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300)); // its real timer fires, but the owner's clock has not moved
        Advance(TimeSpan.FromMilliseconds(199));
        await second.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
        Advance(TimeSpan.FromMilliseconds(1));
        await second.ExpectMsgAsync<Http.Http.Send>();
        written.Add(Clock);
        Assert.Equal(TimeSpan.FromMilliseconds(200), written[1] - written[0]);
        _ = first;
    }

    [Fact]
    public async Task Owner_should_fetch_robots_txt_first_and_space_every_request_by_its_crawl_delay_even_one_that_arrives_with_the_rules()
    {
        var (registry, owner) = Start();
        var profile = Profile(); // robots.txt respected
        owner.Tell(Fetch(1, "/a", profile: profile, robots: true));
        owner.Tell(Fetch(2, "/b", profile: profile, robots: true)); // waits for the rules with the first
        var robots = await registry.ExpectMsgAsync<Host.Fetch>();
        Assert.Equal(("/robots.txt", FetchPriority.Robots, false, "crawl-1"), (robots.Url.AbsolutePath, robots.Priority, robots.Robots, robots.CrawlId));

        // The race: the rules arrive, and a third request right behind them.
        owner.Tell(new Host.Fetched(robots.RequestId, new Http.Http.ResponseReceived(robots.RequestId, robots.Url, 200, "OK",
            [new("Content-Type", "text/plain")], Encoding.UTF8.GetBytes("User-agent: *\nCrawl-delay: 1\n"))));
        owner.Tell(Fetch(3, "/c", profile: profile, robots: true));
        for (var i = 0; i < 3; i++)
        {
            await Grant(registry);
        }

        var connections = new[] { await Connection(0), await Connection(1), await Connection(2) };
        var writes = new List<(string Path, TimeSpan At)>();
        for (var i = 0; i < 3; i++)
        {
            if (i > 0)
            {
                foreach (var waiting in connections)
                {
                    await waiting.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(50));
                }

                Advance(TimeSpan.FromSeconds(1));
            }

            var sent = await FirstSend(connections);
            writes.Add((sent.Url.AbsolutePath, Clock));
        }

        Assert.Equal(["/a", "/b", "/c"], writes.Select(w => w.Path));
        Assert.All(writes.Zip(writes.Skip(1)), pair => Assert.Equal(TimeSpan.FromSeconds(1), pair.Second.At - pair.First.At));
    }

    private static async Task<Http.Http.Send> FirstSend(TestProbe[] connections)
    {
        while (true)
        {
            foreach (var connection in connections)
            {
                if (connection.HasMessages)
                {
                    return await connection.ExpectMsgAsync<Http.Http.Send>();
                }
            }

            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task Owner_should_refuse_a_url_that_robots_txt_disallows_without_writing_it()
    {
        var (registry, owner) = Start();
        var requester = CreateTestProbe();
        owner.Tell(Fetch(1, "/private/page", profile: Profile(), robots: true), requester);
        var robots = await registry.ExpectMsgAsync<Host.Fetch>();
        registry.Reply(new Host.Fetched(robots.RequestId, new Http.Http.ResponseReceived(robots.RequestId, robots.Url, 200, "OK", [],
            Encoding.UTF8.GetBytes("User-agent: *\nDisallow: /private/\n"))));
        var failed = Assert.IsType<Host.Failed>(await Answer(requester));
        Assert.Equal((1L, ErrorKind.Robots, "http://planet.test/private/page"), (failed.RequestId, failed.Failure.Kind, failed.Failure.Url));
        await registry.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100)); // no lease: nothing to write
    }

    [Fact]
    public async Task Owner_should_deny_a_retry_beyond_the_hosts_budget()
    {
        var (_, owner) = Start();
        var requester = CreateTestProbe();
        var stingy = Profile(s => s with { RespectRobots = false, Retry = s.Retry with { BudgetMin = 0, BudgetRatio = 0 } });
        owner.Tell(Fetch(1, "/a", attempt: 2, profile: stingy), requester);
        var denied = await requester.ExpectMsgAsync<Host.Denied>();
        Assert.Equal(1, denied.RequestId);
        Assert.Contains("planet.test", denied.Reason, StringComparison.Ordinal); // golden: names the host
    }

    [Fact]
    public async Task Owner_should_hold_a_retry_back_for_its_delay()
    {
        var (registry, owner) = Start();
        owner.Tell(Fetch(1, "/a", attempt: 2, delay: TimeSpan.FromSeconds(2)));
        await registry.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(250)); // not even a connection yet
        await Grant(registry);
        await (await Connection(0)).ExpectMsgAsync<Http.Http.Send>();
    }

    [Fact]
    public async Task Owner_should_slow_the_host_down_after_a_503_for_every_crawl()
    {
        var (registry, owner) = Start();
        owner.Tell(Fetch(1, "/a"));
        await Grant(registry);
        var connection = await Connection(0);
        connection.Reply(Response(await connection.ExpectMsgAsync<Http.Http.Send>(), 503));
        owner.Tell(Fetch(2, "/b"));
        owner.Tell(Fetch(3, "/c", crawl: "crawl-2"));
        await connection.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
        Advance(Defaults.Retry.SlowDown); // the first slow-down spaces the host by crawler.retry.slow-down
        Assert.Equal("/b", (await connection.ExpectMsgAsync<Http.Http.Send>()).Url.AbsolutePath);
        await registry.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300)); // the other crawl waits its turn too
        Advance(Defaults.Retry.SlowDown);
        await Grant(registry); // its own connection
        Assert.Equal("/c", (await (await Connection(1)).ExpectMsgAsync<Http.Http.Send>()).Url.AbsolutePath);
    }

    [Fact]
    public async Task Owner_should_fail_the_requests_of_a_connection_that_throws_as_crash()
    {
        var (registry, owner) = Start(exploding: true);
        var requester = CreateTestProbe();
        owner.Tell(Fetch(5, "/a"), requester);
        await Grant(registry);
        var failed = Assert.IsType<Host.Failed>(await Answer(requester));
        Assert.Equal((5L, ErrorKind.Crash), (failed.RequestId, failed.Failure.Kind));
        Assert.Contains("InvalidOperationException: boom", failed.Failure.Message, StringComparison.Ordinal); // golden: names the exception
        Assert.IsType<HostControl.LeaseReturned>(await registry.ExpectMsgAsync<HostControl.LeaseReturned>());
    }

    [Fact]
    public async Task Owner_should_stop_a_crawls_connections_and_drop_its_requests_when_the_crawl_ends()
    {
        var (registry, owner) = Start(maxPerHost: 1);
        var first = CreateTestProbe();
        var second = CreateTestProbe();
        owner.Tell(Fetch(1, "/a"), first);
        await Grant(registry);
        var connection = await Connection(0);
        await connection.ExpectMsgAsync<Http.Http.Send>();
        var actor = _actors[0];
        owner.Tell(Fetch(2, "/b"), second);
        await second.ExpectMsgAsync<Host.Queued>();
        Watch(actor); // the connection actor, the owner's child

        owner.Tell(new Host.CrawlEnded("crawl-1"));
        await ExpectTerminatedAsync(actor);
        await registry.ExpectMsgAsync<HostControl.LeaseReturned>();
        await first.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200)); // its sender is gone with its crawl
        await second.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public async Task Owner_should_ask_to_passivate_when_idle_and_stop_when_told_to()
    {
        var (registry, owner) = Start(idle: TimeSpan.FromMilliseconds(300));
        Watch(owner);
        await registry.ExpectMsgAsync<HostControl.Passivate>(TimeSpan.FromSeconds(5));
        registry.Reply(HostControl.PassivateNow.Instance);
        await ExpectTerminatedAsync(owner);
    }

    [Fact]
    public async Task Owner_should_stay_when_a_fetch_came_after_it_asked_to_passivate()
    {
        var (registry, owner) = Start(idle: TimeSpan.FromMilliseconds(300));
        await registry.ExpectMsgAsync<HostControl.Passivate>(TimeSpan.FromSeconds(5));
        owner.Tell(Fetch(1, "/a"));
        owner.Tell(HostControl.PassivateNow.Instance, registry);
        await registry.FishForMessageAsync(m => m is HostControl.StillBusy);
    }

    [Fact]
    public async Task Owner_should_give_back_its_idle_connections_while_the_budget_is_under_pressure()
    {
        var (registry, owner) = Start();
        var requester = CreateTestProbe();
        owner.Tell(Fetch(1, "/a"), requester);
        await Grant(registry);
        var connection = await Connection(0);
        connection.Reply(Response(await connection.ExpectMsgAsync<Http.Http.Send>()));
        await Answer(requester);
        owner.Tell(new HostControl.Pressure(true), registry);
        await registry.ExpectMsgAsync<HostControl.LeaseReturned>();
    }

    /// <summary>A connection actor that hands what it gets to a probe (whose replies go to the owner).</summary>
    /// <summary>Forwards to its probe, and stops on <see cref="Http.Http.Shutdown"/> as a real connection does.</summary>
    private sealed class ProbeConnection(IActorRef probe) : UntypedActor
    {
        protected override void OnReceive(object message)
        {
            if (message is Http.Http.Shutdown)
            {
                Context.Stop(Self);
                return;
            }

            probe.Forward(message);
        }
    }

    private sealed class ExplodingConnection : ReceiveActor
    {
        public ExplodingConnection() => Receive<Http.Http.Send>(_ => throw new InvalidOperationException("boom"));
    }
}
