using System.Net;
using System.Net.Sockets;
using System.Text;
using Akka.Actor;
using Akka.IO;
using Akka.TestKit;
using Crawler.Http.Connection;
using Xunit.Abstractions;

namespace Crawler.Http.Tests.Connection;

/// <summary>The connection actor against probes standing in for Akka.IO's TCP and DNS managers and for the TCP
/// connection: deterministic, no sockets.</summary>
public sealed class HttpClientConnectionSpecs : Akka.TestKit.Xunit2.TestKit
{
    private static readonly IPEndPoint Local = new(IPAddress.Loopback, 50000);

    public HttpClientConnectionSpecs(ITestOutputHelper output)
        : base("akka.test.timefactor = 3\nakka.loglevel = DEBUG\nakka.actor.serialize-messages = on", output)
    {
    }

    private sealed record Setup(IActorRef Client, TestProbe TcpManager, TestProbe Dns, TestProbe Connection, Uri Base);

    private Setup Create(string host = "127.0.0.1", int port = 8080, string hocon = "")
    {
        var tcp = CreateTestProbe("tcp-manager");
        var dns = CreateTestProbe("dns-manager");
        var client = Sys.ActorOf(HttpClientConnection.Props(host, port, TestSettings.Http(hocon), tcp, dns), "http-under-test");
        return new Setup(client, tcp, dns, CreateTestProbe("connection"), new Uri($"http://{host}:{port}"));
    }

    /// <summary>A connection to 127.0.0.1:8080 whose observer (a host owner, for real) is a probe.</summary>
    private (Setup Setup, TestProbe Observer) CreateObserved(string hocon)
    {
        var observer = CreateTestProbe("observer");
        var tcp = CreateTestProbe("tcp-manager");
        var client = Sys.ActorOf(HttpClientConnection.Props("127.0.0.1", 8080, TestSettings.Http(hocon), tcp, CreateTestProbe("dns"), observer: observer));
        return (new Setup(client, tcp, CreateTestProbe("dns-unused"), CreateTestProbe("connection"), new Uri("http://127.0.0.1:8080")), observer);
    }

    /// <summary>Expects a connect to 127.0.0.1:8080 and answers it from the connection probe.</summary>
    private static async Task<Tcp.Connect> AcceptConnect(Setup s)
    {
        var connect = await s.TcpManager.ExpectMsgAsync<Tcp.Connect>();
        s.Connection.Send(s.Client, new Tcp.Connected(connect.RemoteAddress, Local));
        await s.Connection.ExpectMsgAsync<Tcp.Register>(r => Assert.Equal(s.Client, r.Handler));
        return connect;
    }

    private static async Task<string> ExpectWrite(Setup s)
    {
        var write = await s.Connection.ExpectMsgAsync<Tcp.Write>();
        return write.Data.ToString(Encoding.ASCII);
    }

    private static void Receive(Setup s, string text, int pieceSize = int.MaxValue)
    {
        foreach (var piece in Encoding.ASCII.GetBytes(text).Chunk(Math.Min(pieceSize, Math.Max(1, text.Length))))
        {
            s.Connection.Send(s.Client, new Tcp.Received(ByteString.FromBytes(piece)));
        }
    }

    [Fact]
    public async Task Connection_should_connect_write_the_request_and_reply_with_the_parsed_response()
    {
        var s = Create();
        s.Client.Tell(Http.Send.Get(7, new Uri(s.Base, "/planet?x=1")));
        var connect = await AcceptConnect(s);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 8080), connect.RemoteAddress);
        Assert.Equal(TimeSpan.FromSeconds(10), connect.Timeout);

        var request = await ExpectWrite(s);
        Assert.StartsWith("GET /planet?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: Crawler/", request, StringComparison.Ordinal);
        Assert.EndsWith("Connection: keep-alive\r\n\r\n", request, StringComparison.Ordinal);

        Receive(s, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: b\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", pieceSize: 3);
        var response = await ExpectMsgAsync<Http.ResponseReceived>();
        Assert.Equal(7, response.RequestId);
        Assert.Equal(200, response.StatusCode);
        Assert.Equal("OK", response.ReasonPhrase);
        Assert.Equal("b", response.Header("x-a"));
        Assert.Equal("hello world", Encoding.ASCII.GetString(response.Body.Span));
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Connection_should_send_a_second_request_over_the_same_connection_when_the_server_keeps_it_alive()
    {
        var s = Create();
        s.Client.Tell(Http.Send.Get(1, new Uri(s.Base, "/a")));
        s.Client.Tell(Http.Send.Get(2, new Uri(s.Base, "/b")));
        await AcceptConnect(s);
        Assert.StartsWith("GET /a ", await ExpectWrite(s), StringComparison.Ordinal);
        await s.Connection.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100)); // one request at a time
        Receive(s, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na");
        Assert.Equal(1, (await ExpectMsgAsync<Http.ResponseReceived>()).RequestId);
        Assert.StartsWith("GET /b ", await ExpectWrite(s), StringComparison.Ordinal);
        Receive(s, "HTTP/1.1 404 Not Found\r\nContent-Length: 1\r\n\r\nb");
        var second = await ExpectMsgAsync<Http.ResponseReceived>();
        Assert.Equal((2L, 404), (second.RequestId, second.StatusCode));
        await s.TcpManager.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task Connection_should_pipeline_requests_back_to_back_and_match_the_responses_in_order_when_pipelining()
    {
        var s = Create(hocon: "crawler.http.pipelining = on");
        s.Client.Tell(Http.Send.Get(1, new Uri(s.Base, "/a")));
        s.Client.Tell(new Http.Send(2, new Uri(s.Base, "/b"), System.Net.Http.HttpMethod.Head));
        s.Client.Tell(Http.Send.Get(3, new Uri(s.Base, "/c")));
        await AcceptConnect(s);
        var written = await ExpectWrite(s); // the three heads, back to back in one write
        Assert.Equal(3, written.Split("HTTP/1.1\r\n").Length - 1);
        Assert.True(written.IndexOf("GET /a ", StringComparison.Ordinal) < written.IndexOf("HEAD /b ", StringComparison.Ordinal));

        // Three responses in one read; the HEAD one has a Content-Length but no body.
        Receive(s, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na" +
                   "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n" +
                   "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nc");
        var replies = new[] { await ExpectMsgAsync<Http.ResponseReceived>(), await ExpectMsgAsync<Http.ResponseReceived>(), await ExpectMsgAsync<Http.ResponseReceived>() };
        Assert.Equal([(1L, "a"), (2L, ""), (3L, "c")], replies.Select(r => (r.RequestId, Encoding.ASCII.GetString(r.Body.Span))));
    }

    [Fact]
    public async Task Connection_should_go_on_one_request_at_a_time_when_the_server_answers_only_the_first_of_a_pipelined_batch()
    {
        var (s, observer) = CreateObserved("crawler.http.pipelining = on\ncrawler.http.pipelining-stall-timeout = 300ms");
        foreach (var id in new[] { 1L, 2, 3 })
        {
            s.Client.Tell(Http.Send.Get(id, new Uri(s.Base, $"/{id}")));
        }

        await AcceptConnect(s);
        Assert.Equal(3, (await ExpectWrite(s)).Split("HTTP/1.1\r\n").Length - 1);
        Receive(s, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na");
        Assert.Equal(1, (await ExpectMsgAsync<Http.ResponseReceived>()).RequestId);

        // Nothing more comes: after the stall timeout the socket is given up and the observer told.
        await observer.ExpectMsgAsync<Pipelining.Refused>(TimeSpan.FromSeconds(5));
        await s.Connection.ExpectMsgAsync<Tcp.Abort>();

        // The two unanswered requests go out again on a new socket, one at a time.
        foreach (var id in new[] { 2L, 3 })
        {
            if (id == 2)
            {
                await AcceptConnect(s);
            }

            var written = await ExpectWrite(s);
            Assert.Equal(1, written.Split("HTTP/1.1\r\n").Length - 1);
            Assert.StartsWith($"GET /{id} ", written, StringComparison.Ordinal);
            Receive(s, $"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n{id}");
            Assert.Equal(id, (await ExpectMsgAsync<Http.ResponseReceived>()).RequestId);
        }

        await observer.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task A_streamed_request_should_get_its_head_and_body_parts_as_they_arrive_and_hold_reading_while_unacknowledged()
    {
        var s = Create();
        var send = Http.Send.Get(1, new Uri(s.Base, "/big"));
        s.Client.Tell(new Streaming.Get(send));
        await AcceptConnect(s);
        await ExpectWrite(s);
        Receive(s, "HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n");
        var started = await ExpectMsgAsync<Streaming.Started>();
        Assert.Equal((200, 0), (started.Head.StatusCode, started.Head.Body.Length));

        // Each read is a part; at the window the socket stops being read, at half of it reading resumes.
        for (var i = 0; i < Streaming.Window; i++)
        {
            Receive(s, "a");
            Assert.Equal("a", Encoding.ASCII.GetString((await ExpectMsgAsync<Streaming.Part>()).Bytes));
        }

        await s.Connection.ExpectMsgAsync<Tcp.SuspendReading>();
        for (var i = 0; i < Streaming.Window / 2; i++)
        {
            s.Client.Tell(new Streaming.Ack(1));
        }

        await s.Connection.ExpectMsgAsync<Tcp.ResumeReading>();
        Receive(s, new string('b', 20 - Streaming.Window));
        Assert.Equal(20 - Streaming.Window, (await ExpectMsgAsync<Streaming.Part>()).Bytes.Length);
        Assert.Equal(1, (await ExpectMsgAsync<Streaming.Ended>()).RequestId);
    }

    [Fact]
    public async Task Connection_should_keep_pipelining_once_the_server_answered_a_pipelined_request_however_slow_the_next()
    {
        // A wide stall timeout, so that a loaded machine cannot make the 100 ms gap look like a stall.
        var (s, observer) = CreateObserved("crawler.http.pipelining = on\ncrawler.http.pipelining-stall-timeout = 1s");
        foreach (var id in new[] { 1L, 2, 3 })
        {
            s.Client.Tell(Http.Send.Get(id, new Uri(s.Base, $"/{id}")));
        }

        await AcceptConnect(s);
        await ExpectWrite(s);
        Receive(s, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na");
        await Task.Delay(100); // within the stall timeout the second begins: pipelining works here
        Receive(s, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb");
        await Task.Delay(1500); // the third is slower than the stall timeout, but the server is known to pipeline
        Receive(s, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nc");
        Assert.Equal([1L, 2, 3], new[] { await ExpectMsgAsync<Http.ResponseReceived>(), await ExpectMsgAsync<Http.ResponseReceived>(),
            await ExpectMsgAsync<Http.ResponseReceived>() }.Select(r => r.RequestId));
        await observer.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        await s.Connection.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100)); // no abort, no second connect
    }

    [Fact]
    public async Task Connection_should_send_requests_left_unanswered_again_on_a_new_connection_when_the_server_closes()
    {
        var s = Create(hocon: "crawler.http.pipelining = on");
        s.Client.Tell(Http.Send.Get(1, new Uri(s.Base, "/a")));
        s.Client.Tell(Http.Send.Get(2, new Uri(s.Base, "/b")));
        await AcceptConnect(s);
        await ExpectWrite(s);
        Receive(s, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\na");
        Assert.Equal(1, (await ExpectMsgAsync<Http.ResponseReceived>()).RequestId);
        await s.Connection.ExpectMsgAsync<Tcp.Close>();

        await AcceptConnect(s);
        Assert.StartsWith("GET /b ", await ExpectWrite(s), StringComparison.Ordinal);
        Receive(s, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb");
        Assert.Equal(2, (await ExpectMsgAsync<Http.ResponseReceived>()).RequestId);
    }

    [Fact]
    public async Task Connection_should_reconnect_after_a_response_that_closes_the_connection()
    {
        var s = Create();
        s.Client.Tell(Http.Send.Get(1, new Uri(s.Base, "/a")));
        await AcceptConnect(s);
        await ExpectWrite(s);
        Receive(s, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\na");
        await ExpectMsgAsync<Http.ResponseReceived>();
        await s.Connection.ExpectMsgAsync<Tcp.Close>();

        s.Client.Tell(Http.Send.Get(2, new Uri(s.Base, "/b")));
        await AcceptConnect(s);
        Assert.StartsWith("GET /b ", await ExpectWrite(s), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connection_should_resend_a_request_once_when_a_reused_connection_closes_without_answering()
    {
        var s = Create();
        s.Client.Tell(Http.Send.Get(1, new Uri(s.Base, "/a")));
        await AcceptConnect(s);
        await ExpectWrite(s);
        Receive(s, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        await ExpectMsgAsync<Http.ResponseReceived>();

        s.Client.Tell(Http.Send.Get(2, new Uri(s.Base, "/b")));
        await ExpectWrite(s);
        s.Connection.Send(s.Client, Tcp.PeerClosed.Instance); // the server had just closed the idle connection
        await AcceptConnect(s);
        Assert.StartsWith("GET /b ", await ExpectWrite(s), StringComparison.Ordinal);
        Receive(s, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        Assert.Equal(2, (await ExpectMsgAsync<Http.ResponseReceived>()).RequestId);
    }

    [Fact]
    public async Task Connection_should_report_dns_when_the_name_does_not_resolve()
    {
        var s = Create(host: "nowhere.invalid", port: 80);
        var send = Http.Send.Get(3, new Uri("http://nowhere.invalid/"));
        s.Client.Tell(send);
        var resolve = await s.Dns.ExpectMsgAsync<Akka.IO.Dns.Resolve>();
        Assert.Equal("nowhere.invalid", resolve.Name);
        s.Dns.Reply(new Akka.IO.Dns.Resolved("nowhere.invalid", new SocketException((int)SocketError.HostNotFound)));
        var failed = await ExpectMsgAsync<Http.RequestFailed>();
        Assert.Equal((send, HttpFailureKind.Dns), (failed.Request, failed.Kind));
        Assert.Contains("nowhere.invalid", failed.Message, StringComparison.Ordinal);
        await s.TcpManager.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task Connection_should_connect_to_the_address_the_name_resolves_to()
    {
        var s = Create(host: "planet.test", port: 81);
        s.Client.Tell(Http.Send.Get(3, new Uri("http://planet.test:81/")));
        await s.Dns.ExpectMsgAsync<Akka.IO.Dns.Resolve>();
        s.Dns.Reply(Akka.IO.Dns.Resolved.Create("planet.test", [IPAddress.Parse("127.0.0.2")]));
        var connect = await s.TcpManager.ExpectMsgAsync<Tcp.Connect>();
        Assert.Equal(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 81), connect.RemoteAddress);
    }

    [Fact]
    public async Task Connection_should_report_refused_when_the_connect_fails()
    {
        var s = Create(port: Crawler.TestKit.Site.LoopbackHttpServer.ClosedPort());
        s.Client.Tell(Http.Send.Get(4, new Uri(s.Base, "/")));
        var connect = await s.TcpManager.ExpectMsgAsync<Tcp.Connect>();
        s.TcpManager.Reply(new Tcp.CommandFailed(connect).WithCause(new ConnectException("Could not establish connection because finishConnect never returned true")));
        var failed = await ExpectMsgAsync<Http.RequestFailed>();
        Assert.Equal(HttpFailureKind.Refused, failed.Kind);
        Assert.Contains($"127.0.0.1:{s.Base.Port}", failed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connection_should_report_a_timeout_when_the_connect_times_out()
    {
        var s = Create();
        s.Client.Tell(Http.Send.Get(4, new Uri(s.Base, "/")));
        var connect = await s.TcpManager.ExpectMsgAsync<Tcp.Connect>();
        s.TcpManager.Reply(new Tcp.CommandFailed(connect).WithCause(new ConnectException("Connect timeout of 00:00:10 expired")));
        var failed = await ExpectMsgAsync<Http.RequestFailed>();
        Assert.Equal((HttpFailureKind.Timeout, HttpTimeoutPhase.Connect), (failed.Kind, failed.Phase));
    }

    [Fact]
    public async Task Connection_should_time_out_in_the_first_byte_phase_when_no_byte_comes_back()
    {
        var s = Create(hocon: "crawler.http.first-byte-timeout = 200ms");
        s.Client.Tell(Http.Send.Get(5, new Uri(s.Base, "/")));
        await AcceptConnect(s);
        await ExpectWrite(s);
        var failed = await ExpectMsgAsync<Http.RequestFailed>();
        Assert.Equal((HttpFailureKind.Timeout, HttpTimeoutPhase.FirstByte), (failed.Kind, failed.Phase));
        await s.Connection.ExpectMsgAsync<Tcp.Abort>();
    }

    [Fact]
    public async Task Connection_should_time_out_in_the_body_phase_when_the_response_stalls_and_not_while_bytes_flow()
    {
        var idle = TimeSpan.FromSeconds(1);
        var s = Create(hocon: "crawler.http.read-idle-timeout = 1s");
        s.Client.Tell(Http.Send.Get(5, new Uri(s.Base, "/")));
        await AcceptConnect(s);
        await ExpectWrite(s);
        Receive(s, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var longest = TimeSpan.Zero;
        for (var i = 0; i < 16; i++)
        {
            // 1.6 s in all, but never 1 s without a byte (a 10x margin for a loaded machine's timers)
            await Task.Delay(100);
            longest = clock.Elapsed > longest ? clock.Elapsed : longest;
            clock.Restart();
            Receive(s, "0123456789");
        }

        // No timeout while bytes flowed, unless this machine itself stalled for most of an idle period.
        if (longest < idle * 0.8)
        {
            await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(50));
        }

        var failed = await ExpectMsgAsync<Http.RequestFailed>();
        Assert.Equal((HttpFailureKind.Timeout, HttpTimeoutPhase.Body), (failed.Kind, failed.Phase));
    }

    [Fact]
    public async Task Connection_should_report_a_timeout_and_abort_when_the_server_never_answers()
    {
        var s = Create(hocon: "crawler.http.request-timeout = 300ms");
        s.Client.Tell(Http.Send.Get(5, new Uri(s.Base, "/")));
        await AcceptConnect(s);
        await ExpectWrite(s);
        Receive(s, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhal");
        var failed = await ExpectMsgAsync<Http.RequestFailed>();
        Assert.Equal((HttpFailureKind.Timeout, HttpTimeoutPhase.Request), (failed.Kind, failed.Phase));
        await s.Connection.ExpectMsgAsync<Tcp.Abort>();
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(400));
    }

    [Fact]
    public async Task Connection_should_report_protocol_when_the_server_closes_in_the_middle_of_the_body()
    {
        var s = Create();
        s.Client.Tell(Http.Send.Get(6, new Uri(s.Base, "/")));
        await AcceptConnect(s);
        await ExpectWrite(s);
        Receive(s, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhal");
        s.Connection.Send(s.Client, Tcp.PeerClosed.Instance);
        var failed = await ExpectMsgAsync<Http.RequestFailed>();
        Assert.Equal((HttpFailureKind.Protocol, (HttpTimeoutPhase?)null), (failed.Kind, failed.Phase));
    }

    [Fact]
    public async Task Connection_should_complete_a_close_delimited_body_when_the_server_closes()
    {
        var s = Create();
        s.Client.Tell(Http.Send.Get(6, new Uri(s.Base, "/")));
        await AcceptConnect(s);
        await ExpectWrite(s);
        Receive(s, "HTTP/1.0 200 OK\r\n\r\nall of it");
        s.Connection.Send(s.Client, Tcp.PeerClosed.Instance);
        var response = await ExpectMsgAsync<Http.ResponseReceived>();
        Assert.Equal("all of it", Encoding.ASCII.GetString(response.Body.Span));
    }

    [Fact]
    public async Task Connection_should_report_reset_when_the_connection_fails_under_a_request()
    {
        var s = Create();
        s.Client.Tell(Http.Send.Get(8, new Uri(s.Base, "/")));
        await AcceptConnect(s);
        await ExpectWrite(s);
        s.Connection.Send(s.Client, new Tcp.ErrorClosed("Connection reset by peer"));
        var failed = await ExpectMsgAsync<Http.RequestFailed>();
        Assert.Equal((HttpFailureKind.Reset, 8L), (failed.Kind, failed.RequestId));
    }

    [Fact]
    public async Task Connection_should_report_protocol_for_garbage_and_too_large_for_a_body_over_the_limit()
    {
        var s = Create(hocon: "crawler.http.max-body-bytes = 16");
        s.Client.Tell(Http.Send.Get(9, new Uri(s.Base, "/")));
        await AcceptConnect(s);
        await ExpectWrite(s);
        Receive(s, "SSH-2.0-OpenSSH_9.2\r\n");
        Assert.Equal(HttpFailureKind.Protocol, (await ExpectMsgAsync<Http.RequestFailed>()).Kind);
        await s.Connection.ExpectMsgAsync<Tcp.Abort>();

        s.Client.Tell(Http.Send.Get(10, new Uri(s.Base, "/")));
        await AcceptConnect(s);
        await ExpectWrite(s);
        Receive(s, "HTTP/1.1 200 OK\r\nContent-Length: 17\r\n\r\n");
        var failed = await ExpectMsgAsync<Http.RequestFailed>();
        Assert.Equal(HttpFailureKind.TooLarge, failed.Kind);
        Assert.Contains("max-body-bytes", failed.Message, StringComparison.Ordinal); // golden: names the limit
    }

    [Fact]
    public async Task Connection_should_refuse_a_url_of_another_origin()
    {
        var s = Create();
        s.Client.Tell(Http.Send.Get(11, new Uri("http://example.org/")));
        Assert.Equal(HttpFailureKind.BadUrl, (await ExpectMsgAsync<Http.RequestFailed>()).Kind);
        await s.TcpManager.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task Connection_should_close_its_socket_when_it_stops()
    {
        var s = Create();
        s.Client.Tell(Http.Send.Get(12, new Uri(s.Base, "/")));
        await AcceptConnect(s);
        await ExpectWrite(s);
        Watch(s.Client);
        Sys.Stop(s.Client);
        await ExpectMsgAsync<Http.RequestFailed>(f => Assert.Equal(HttpFailureKind.Cancelled, f.Kind));
        await s.Connection.ExpectMsgAsync<Tcp.Close>();
        await ExpectTerminatedAsync(s.Client);
    }

    [Fact]
    public async Task A_server_that_resets_every_connection_as_it_accepts_it_should_end_each_attempt_at_once_as_reset()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var stop = new CancellationTokenSource();
        var resetting = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var accepted = await listener.AcceptSocketAsync(stop.Token);
                accepted.LingerState = new LingerOption(true, 0); // RST, before any byte
            }
        });
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        // A connect timeout far beyond the wait below: the attempts must end on the reset, not on the timer.
        var client = Sys.ActorOf(HttpClientConnection.Props("127.0.0.1", port, TestSettings.Http("crawler.http.connect-timeout = 60s")));

        for (var attempt = 1; attempt <= 5; attempt++)
        {
            client.Tell(Http.Send.Get(attempt, new Uri($"http://127.0.0.1:{port}/")));
            var failed = await ExpectMsgAsync<Http.RequestFailed>(TimeSpan.FromSeconds(10));
            Assert.Equal(HttpFailureKind.Reset, failed.Kind);
        }

        await stop.CancelAsync();
        listener.Stop();
        await Assert.ThrowsAnyAsync<Exception>(() => resetting);
    }
}
