using System.Text;
using Akka.Actor;
using Crawler.Http.Connection;
using Crawler.Http.Tests.Decoding;
using Crawler.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Crawler.Http.Tests.Connection;

/// <summary>The connection actor over real Akka.IO sockets on 127.0.0.1, against the scripted fixture server and
/// against Kestrel.</summary>
public sealed class HttpClientIntegrationSpecs : Akka.TestKit.Xunit2.TestKit
{
    public HttpClientIntegrationSpecs(ITestOutputHelper output)
        : base("akka.test.timefactor = 3\nakka.loglevel = INFO\nakka.actor.serialize-messages = on", output)
    {
    }

    private IActorRef Client(Uri url, string hocon = "") =>
        Sys.ActorOf(HttpClientConnection.Props(url.IdnHost, url.Port, TestSettings.Http(hocon)));

    private async Task<object> Get(Uri url, string hocon = "")
    {
        Client(url, hocon).Tell(Http.Send.Get(1, url));
        return await ExpectMsgAsync<object>(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Client_should_fetch_a_page_and_reuse_the_connection_for_a_second_request_to_the_same_origin()
    {
        await using var server = LoopbackHttpServer.Start(r => ServerAction.Ok(Responses.Page("page " + r.Target)));
        var client = Client(server.Url("/"));
        client.Tell(Http.Send.Get(1, server.Url("/planet")));
        var first = await ExpectMsgAsync<Http.ResponseReceived>();
        client.Tell(Http.Send.Get(2, server.Url("/article")));
        var second = await ExpectMsgAsync<Http.ResponseReceived>();

        Assert.Contains("page /planet", Encoding.UTF8.GetString(first.Body.Span), StringComparison.Ordinal);
        Assert.Contains("page /article", Encoding.UTF8.GetString(second.Body.Span), StringComparison.Ordinal);
        Assert.Equal(1, server.ConnectionCount);
        Assert.All(server.Requests, r => Assert.Equal("keep-alive", r.Header("Connection")));
        Assert.Equal($"127.0.0.1:{server.Port}", server.Requests[0].Header("Host"));
    }

    [Fact]
    public async Task Client_should_reuse_one_Kestrel_connection_for_two_requests()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        app.MapGet("/{**path}", (HttpContext context) => Results.Content(
            $"<html><head><title>{context.Request.Path}</title></head><body>conn {context.Connection.Id}</body></html>", "text/html"));
        await app.StartAsync();
        var baseUrl = new Uri(app.Urls.First());

        var client = Client(baseUrl);
        client.Tell(Http.Send.Get(1, new Uri(baseUrl, "/one")));
        var first = await ExpectMsgAsync<Http.ResponseReceived>(TimeSpan.FromSeconds(10));
        client.Tell(Http.Send.Get(2, new Uri(baseUrl, "/two")));
        var second = await ExpectMsgAsync<Http.ResponseReceived>(TimeSpan.FromSeconds(10));

        Assert.Equal((200, 200), (first.StatusCode, second.StatusCode));
        string Connection(Http.ResponseReceived r) => Encoding.UTF8.GetString(r.Body.Span).Split("conn ")[1];
        Assert.Equal(Connection(first), Connection(second));
        await app.StopAsync();
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    [InlineData("br")]
    public async Task Client_should_ask_for_compression_and_decode_a_compressed_chunked_body(string coding)
    {
        var page = Encoding.UTF8.GetBytes(Responses.Page("compressed", new string('q', 20_000)));
        var compressed = ContentDecodingSpecs.Compress(coding, page);
        var head = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Encoding: {coding}\r\nTransfer-Encoding: chunked\r\n\r\n{compressed.Length:x}\r\n");
        await using var server = LoopbackHttpServer.Start(_ => new ServerAction.Respond([.. head, .. compressed, .. "\r\n0\r\n\r\n"u8.ToArray()]));
        var response = Assert.IsType<Http.ResponseReceived>(await Get(server.Url("/")));
        Assert.Equal(page, response.Body.ToArray());
        Assert.Equal("gzip, deflate, br", server.Requests[0].Header("Accept-Encoding"));
    }

    [Theory]
    [InlineData("gzip, chunked", "gzip", true)]
    [InlineData("deflate, chunked", "deflate", true)]
    [InlineData("gzip", "gzip", false)] // close-delimited, then gzip
    [InlineData("gzip", "gzip", true)] // Transfer-Encoding in two field lines: "gzip" and "chunked"
    public async Task Client_should_remove_the_transfer_codings_it_knows_under_chunked(string transferEncoding, string coding, bool chunked)
    {
        var page = Encoding.UTF8.GetBytes(Responses.Page("transfer-coded", new string('t', 10_000)));
        var coded = ContentDecodingSpecs.Compress(coding, page);
        var lines = chunked && !transferEncoding.Contains("chunked", StringComparison.Ordinal)
            ? $"Transfer-Encoding: {transferEncoding}\r\nTransfer-Encoding: chunked\r\n"
            : $"Transfer-Encoding: {transferEncoding}\r\n";
        byte[] body = chunked ? [.. Encoding.ASCII.GetBytes($"{coded.Length:x}\r\n"), .. coded, .. "\r\n0\r\n\r\n"u8.ToArray()] : coded;
        var head = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n{lines}" + (chunked ? "" : "Connection: close\r\n") + "\r\n");
        await using var server = LoopbackHttpServer.Start(_ => new ServerAction.Respond([.. head, .. body], Close: !chunked));

        var response = Assert.IsType<Http.ResponseReceived>(await Get(server.Url("/")));

        Assert.Equal(page, response.Body.ToArray());
    }

    [Theory]
    [InlineData("compress, chunked", "compress")]
    [InlineData("br, chunked", "br")]
    [InlineData("chunked, gzip", "chunked")]
    public async Task Client_should_fail_as_protocol_naming_a_transfer_coding_it_cannot_remove(string transferEncoding, string named)
    {
        var head = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nTransfer-Encoding: {transferEncoding}\r\n\r\n");
        byte[] body = transferEncoding.EndsWith("chunked", StringComparison.Ordinal) ? [.. "5\r\nxxxxx\r\n0\r\n\r\n"u8.ToArray()] : [.. "xxxxx"u8.ToArray()];
        await using var server = LoopbackHttpServer.Start(_ => new ServerAction.Respond([.. head, .. body], Close: true));

        var failed = Assert.IsType<Http.RequestFailed>(await Get(server.Url("/")));

        Assert.Equal(HttpFailureKind.Protocol, failed.Kind);
        Assert.Contains($"\"{named}\"", failed.Message, StringComparison.Ordinal); // the coding is named, as data
    }

    [Fact]
    public async Task Client_should_decode_what_Kestrels_response_compression_sends()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddResponseCompression(o => o.EnableForHttps = true);
        await using var app = builder.Build();
        app.UseResponseCompression();
        var page = Responses.Page("Kestrel compressed", new string('k', 50_000));
        app.MapGet("/", () => Results.Content(page, "text/html"));
        await app.StartAsync();
        var response = Assert.IsType<Http.ResponseReceived>(await Get(new Uri(app.Urls.First() + "/")));
        Assert.NotNull(response.Header("Content-Encoding"));
        Assert.Equal(page, Encoding.UTF8.GetString(response.Body.Span));
        await app.StopAsync();
    }

    [Fact]
    public async Task Client_should_report_too_large_for_a_decompression_bomb()
    {
        var bomb = ContentDecodingSpecs.Compress("gzip", new byte[20 * 1024 * 1024]);
        var head = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: {bomb.Length}\r\n\r\n");
        await using var server = LoopbackHttpServer.Start(_ => new ServerAction.Respond([.. head, .. bomb]));
        var failed = Assert.IsType<Http.RequestFailed>(await Get(server.Url("/"), "crawler.http.max-body-bytes = 1m"));
        Assert.Equal(HttpFailureKind.TooLarge, failed.Kind);
    }

    [Fact]
    public async Task Client_should_read_a_chunked_response_dripped_a_few_bytes_at_a_time()
    {
        var page = Responses.Page("slow", new string('x', 3000));
        await using var server = LoopbackHttpServer.Start(_ => new ServerAction.Drip(Responses.Chunked(page, 100), 7, TimeSpan.FromMilliseconds(1)));
        var response = Assert.IsType<Http.ResponseReceived>(await Get(server.Url("/")));
        Assert.Equal(page, Encoding.UTF8.GetString(response.Body.Span));
    }

    [Fact]
    public async Task Client_should_read_a_body_larger_than_one_Akka_frame()
    {
        var page = Responses.Page("big", new string('y', 200_000));
        await using var server = LoopbackHttpServer.Start(_ => ServerAction.Ok(page));
        var response = Assert.IsType<Http.ResponseReceived>(await Get(server.Url("/")));
        Assert.Equal(page.Length, response.Body.Length);
    }

    [Fact]
    public async Task Client_should_report_refused_for_a_port_where_nothing_listens()
    {
        var url = new Uri($"http://127.0.0.1:{LoopbackHttpServer.ClosedPort()}/");
        var failed = Assert.IsType<Http.RequestFailed>(await Get(url));
        Assert.Equal(HttpFailureKind.Refused, failed.Kind);
        Assert.Contains($"127.0.0.1:{url.Port}", failed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Client_should_report_dns_for_a_name_under_invalid()
    {
        var failed = Assert.IsType<Http.RequestFailed>(await Get(new Uri("http://planet.crawler-test.invalid/")));
        Assert.Equal(HttpFailureKind.Dns, failed.Kind);
        Assert.Contains("planet.crawler-test.invalid", failed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Client_should_report_a_timeout_when_the_server_accepts_and_never_answers()
    {
        await using var server = LoopbackHttpServer.Start(_ => ServerAction.Hang);
        var failed = Assert.IsType<Http.RequestFailed>(await Get(server.Url("/"), "crawler.http.request-timeout = 500ms"));
        Assert.Equal(HttpFailureKind.Timeout, failed.Kind);
        Assert.Equal(1, server.ConnectionCount);
    }

    [Fact]
    public async Task Client_should_report_reset_when_the_server_resets_the_connection()
    {
        await using var server = LoopbackHttpServer.Start(_ => new ServerAction.ResetAfter("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npart"u8.ToArray()));
        var failed = Assert.IsType<Http.RequestFailed>(await Get(server.Url("/")));
        Assert.Equal(HttpFailureKind.Reset, failed.Kind);
    }

    [Fact]
    public async Task Client_should_report_protocol_when_the_server_closes_in_the_middle_of_the_body()
    {
        await using var server = LoopbackHttpServer.Start(_ => new ServerAction.CloseAfter("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npart"u8.ToArray()));
        var failed = Assert.IsType<Http.RequestFailed>(await Get(server.Url("/")));
        Assert.Equal(HttpFailureKind.Protocol, failed.Kind);
    }

    [Fact]
    public async Task Client_should_report_protocol_when_the_server_sends_garbage()
    {
        await using var server = LoopbackHttpServer.Start(_ => ServerAction.Raw("\u0016\u0003\u0001\u0002\u0000garbage that is not HTTP\r\n\r\n"));
        var failed = Assert.IsType<Http.RequestFailed>(await Get(server.Url("/")));
        Assert.Equal(HttpFailureKind.Protocol, failed.Kind);
    }

    [Fact]
    public async Task Client_should_report_too_large_for_a_body_over_the_limit()
    {
        await using var server = LoopbackHttpServer.Start(_ => ServerAction.Ok(new string('z', 5000)));
        var failed = Assert.IsType<Http.RequestFailed>(await Get(server.Url("/"), "crawler.http.max-body-bytes = 1k"));
        Assert.Equal(HttpFailureKind.TooLarge, failed.Kind);
    }
}
