using System.Text;
using Akka.Actor;
using Crawler.Http.Pool;
using Crawler.Testing;
using Xunit.Abstractions;

namespace Crawler.Http.Tests.Pool;

/// <summary>The connection pool over real loopback sockets: caps, sharing, pipelining, crashes.</summary>
public sealed class HttpConnectionPoolSpecs : Akka.TestKit.Xunit2.TestKit
{
    public HttpConnectionPoolSpecs(ITestOutputHelper output) : base("akka.test.timefactor = 3\nakka.loglevel = INFO\nakka.actor.serialize-messages = on", output)
    {
    }

    private IActorRef Pool(string hocon = "") => Sys.ActorOf(HttpConnectionPool.Props(TestSettings.Http(hocon)));

    private static string Text(Http.ResponseReceived r) => Encoding.UTF8.GetString(r.Body.Span);

    [Fact]
    public async Task Pool_should_keep_to_its_per_host_cap_and_answer_every_request_with_its_own_id()
    {
        var concurrent = 0;
        var most = 0;
        await using var server = LoopbackHttpServer.Start(async request =>
        {
            var now = Interlocked.Increment(ref concurrent);
            InterlockedMax(ref most, now);
            await Task.Delay(100);
            Interlocked.Decrement(ref concurrent);
            return ServerAction.Ok("page " + request.Target);
        });
        var pool = Pool("crawler.http.max-connections-per-host = 2");
        var requesters = Enumerable.Range(0, 6).Select(i => CreateTestProbe($"requester-{i}")).ToList();
        for (var i = 0; i < requesters.Count; i++)
        {
            pool.Tell(Http.Send.Get(7, server.Url($"/{i}")), requesters[i]); // the same id from everyone
        }

        for (var i = 0; i < requesters.Count; i++)
        {
            var response = await requesters[i].ExpectMsgAsync<Http.ResponseReceived>(TimeSpan.FromSeconds(10));
            Assert.Equal((7L, $"page /{i}"), (response.RequestId, Text(response)));
        }

        Assert.True(server.ConnectionCount <= 2, $"{server.ConnectionCount} connections");
        Assert.Equal(2, most);
    }

    [Fact]
    public async Task Pool_should_close_an_idle_connection_of_another_host_at_its_total_cap()
    {
        await using var first = LoopbackHttpServer.Start(_ => ServerAction.Ok("first"));
        await using var second = LoopbackHttpServer.Start(_ => ServerAction.Ok("second"));
        var pool = Pool("crawler.http.max-connections = 1");
        pool.Tell(Http.Send.Get(1, first.Url("/")));
        Assert.Equal("first", Text(await ExpectMsgAsync<Http.ResponseReceived>(TimeSpan.FromSeconds(10))));
        pool.Tell(Http.Send.Get(2, second.Url("/")));
        Assert.Equal("second", Text(await ExpectMsgAsync<Http.ResponseReceived>(TimeSpan.FromSeconds(10))));
    }

    [Fact]
    public async Task Pool_should_give_a_host_kept_waiting_by_its_total_cap_the_next_connection_another_host_frees()
    {
        await using var slow = LoopbackHttpServer.Start(async _ =>
        {
            await Task.Delay(1000); // well past the (dilated) silence expected below
            return ServerAction.Ok("slow");
        });
        await using var other = LoopbackHttpServer.Start(_ => ServerAction.Ok("other"));
        var pool = Pool("crawler.http.max-connections = 1");
        var first = CreateTestProbe();
        var second = CreateTestProbe();
        pool.Tell(Http.Send.Get(1, slow.Url("/")), first.Ref);
        pool.Tell(Http.Send.Get(2, other.Url("/")), second.Ref); // no room until the slow one answers
        await second.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        Assert.Equal("slow", Text(await first.ExpectMsgAsync<Http.ResponseReceived>(TimeSpan.FromSeconds(10))));
        Assert.Equal("other", Text(await second.ExpectMsgAsync<Http.ResponseReceived>(TimeSpan.FromSeconds(10))));
        Assert.Equal(1, slow.ConnectionCount);
    }

    [Fact]
    public async Task Pool_should_count_every_clients_connections_against_the_per_host_cap_and_give_each_client_its_own_settings()
    {
        var concurrent = 0;
        var most = 0;
        await using var server = LoopbackHttpServer.Start(async request =>
        {
            var now = Interlocked.Increment(ref concurrent);
            InterlockedMax(ref most, now);
            await Task.Delay(80);
            Interlocked.Decrement(ref concurrent);
            return ServerAction.Ok("agent " + request.Header("User-Agent"));
        });
        var pool = Pool("crawler.http.max-connections-per-host = 2");
        var a = Sys.ActorOf(HttpPoolClient.Props(pool, TestSettings.Http("crawler.http.user-agent = A")));
        var b = Sys.ActorOf(HttpPoolClient.Props(pool, TestSettings.Http("crawler.http.user-agent = B")));
        var requesters = Enumerable.Range(0, 8).Select(i => CreateTestProbe($"client-requester-{i}")).ToList();
        for (var i = 0; i < requesters.Count; i++)
        {
            (i % 2 == 0 ? a : b).Tell(Http.Send.Get(i, server.Url($"/{i}")), requesters[i]);
        }

        for (var i = 0; i < requesters.Count; i++)
        {
            var response = await requesters[i].ExpectMsgAsync<Http.ResponseReceived>(TimeSpan.FromSeconds(10));
            Assert.Equal((i, i % 2 == 0 ? "agent A" : "agent B"), ((int)response.RequestId, Text(response)));
        }

        Assert.InRange(most, 1, 2); // two clients, one host: the cap holds across them
    }

    [Fact]
    public async Task Pool_should_close_a_clients_connections_when_the_client_stops()
    {
        await using var server = LoopbackHttpServer.Start(_ => ServerAction.Ok("ok"));
        var pool = Pool();
        var client = Sys.ActorOf(HttpPoolClient.Props(pool, TestSettings.Http()));
        client.Tell(Http.Send.Get(1, server.Url("/")));
        await ExpectMsgAsync<Http.ResponseReceived>(TimeSpan.FromSeconds(10));
        Assert.Equal(1, server.OpenConnections); // kept alive for the client's next request

        Sys.Stop(client);

        await AwaitConditionAsync(() => Task.FromResult(server.OpenConnections == 0), TimeSpan.FromSeconds(10));
        pool.Tell(Http.Send.Get(2, server.Url("/"))); // the pool itself serves on
        await ExpectMsgAsync<Http.ResponseReceived>(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void Pool_should_cap_its_connections_below_the_open_file_limit()
    {
        Assert.Equal((172, true), (OpenFileLimit.ConnectionCap(10_000, 300, out var lowered), lowered));
        Assert.Equal((172, false), (OpenFileLimit.ConnectionCap(0, 300, out lowered), lowered));
        Assert.Equal((50, false), (OpenFileLimit.ConnectionCap(50, 300, out lowered), lowered));
        Assert.Equal((10_000, false), (OpenFileLimit.ConnectionCap(10_000, null, out lowered), lowered));
        Assert.Equal((1, true), (OpenFileLimit.ConnectionCap(10, 20, out lowered), lowered));
        if (OperatingSystem.IsLinux())
        {
            var line = File.ReadLines("/proc/self/limits").Single(l => l.StartsWith("Max open files", StringComparison.Ordinal));
            var soft = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
            Assert.Equal(soft == "unlimited" ? null : long.Parse(soft, System.Globalization.CultureInfo.InvariantCulture), OpenFileLimit.Current());
        }
    }

    [Fact]
    public async Task Pool_should_pipeline_thirty_requests_on_one_connection_when_pipelining()
    {
        await using var server = LoopbackHttpServer.Start(r => ServerAction.Ok("title " + r.Target));
        var pool = Pool("crawler.http.max-connections-per-host = 1\ncrawler.http.pipelining = on\ncrawler.http.pipelining-depth = 8");
        for (var i = 0; i < 30; i++)
        {
            pool.Tell(Http.Send.Get(i, server.Url($"/{i}")));
        }

        var replies = new List<Http.ResponseReceived>();
        for (var i = 0; i < 30; i++)
        {
            replies.Add(await ExpectMsgAsync<Http.ResponseReceived>(TimeSpan.FromSeconds(10)));
        }

        Assert.All(replies, r => Assert.Equal($"title /{r.RequestId}", Text(r)));
        Assert.Equal(1, server.ConnectionCount);
    }

    [Fact]
    public async Task Pool_should_fail_the_requests_of_a_connection_that_throws_as_crash()
    {
        var pool = Sys.ActorOf(HttpConnectionPool.Props(TestSettings.Http(), (context, _) => context.ActorOf(Props.Create(() => new Exploding()))));
        pool.Tell(Http.Send.Get(5, new Uri("http://127.0.0.1:9/")));
        var failed = await ExpectMsgAsync<Http.RequestFailed>();
        Assert.Equal((5L, HttpFailureKind.Crash), (failed.RequestId, failed.Kind));
        Assert.Contains("boom", failed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pool_should_refuse_a_url_it_cannot_fetch()
    {
        Pool().Tell(Http.Send.Get(1, new Uri("ftp://files.test/")));
        Assert.Equal(HttpFailureKind.BadUrl, (await ExpectMsgAsync<Http.RequestFailed>()).Kind);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    private sealed class Exploding : ReceiveActor
    {
        public Exploding() => Receive<Http.Send>(_ => throw new InvalidOperationException("boom"));
    }
}
