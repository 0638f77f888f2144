using System.IO.Compression;
using System.Text;
using Crawler.Testing;

namespace Crawler.Tests;

/// <summary><c>crawler get</c> end to end against the scripted fixture server.</summary>
public sealed class GetCommandSpecs : IAsyncLifetime
{
    private LoopbackHttpServer _server = null!;

    public Task InitializeAsync()
    {
        _server = LoopbackHttpServer.Start(request => request.Target switch
        {
            "/page" => ServerAction.Ok("<html>hello</html>"),
            "/missing" => ServerAction.Status(404, "Not Found", "nothing"),
            "/moved" => new ServerAction.Respond("HTTP/1.1 302 Found\r\nLocation: /page\r\nContent-Length: 0\r\n\r\n"u8.ToArray()),
            "/gzip" => new ServerAction.Respond([.. Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: {Gzip.Length}\r\n\r\n"), .. Gzip]),
            "/cut" => new ServerAction.CloseAfter("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nshort"u8.ToArray()),
            _ => ServerAction.Status(500, "Unexpected"),
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static byte[] Gzip
    {
        get
        {
            using var output = new MemoryStream();
            using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
            {
                gzip.Write("decoded body"u8);
            }

            return output.ToArray();
        }
    }

    [Fact]
    public async Task Get_should_print_the_body_and_exit_0()
    {
        var run = await CrawlerProcess.RunAsync(["get", _server.Url("/page").ToString()]);
        Assert.Equal((0, "<html>hello</html>"), (run.ExitCode, run.Stdout));
    }

    [Fact]
    public async Task Get_should_print_the_head_first_with_i_and_only_the_head_with_capital_i()
    {
        var run = await CrawlerProcess.RunAsync(["get", "-i", _server.Url("/missing").ToString()]);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.StartsWith("HTTP/1.1 404 Not Found\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 7\r\n\r\nnothing", run.Stdout, StringComparison.Ordinal);

        run = await CrawlerProcess.RunAsync(["get", "-I", _server.Url("/page").ToString()]);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.EndsWith("\r\n\r\n", run.Stdout, StringComparison.Ordinal);
        Assert.Equal("HEAD", _server.Requests[^1].Method);
    }

    [Fact]
    public async Task Get_should_follow_redirects_only_with_capital_l()
    {
        var run = await CrawlerProcess.RunAsync(["get", _server.Url("/moved").ToString()]);
        Assert.Equal((0, ""), (run.ExitCode, run.Stdout));
        run = await CrawlerProcess.RunAsync(["get", "-L", _server.Url("/moved").ToString()]);
        Assert.Equal((0, "<html>hello</html>"), (run.ExitCode, run.Stdout));
    }

    [Fact]
    public async Task Get_should_decode_the_content()
    {
        var run = await CrawlerProcess.RunAsync(["get", _server.Url("/gzip").ToString()]);
        Assert.Equal((0, "decoded body"), (run.ExitCode, run.Stdout));
    }

    [Fact]
    public async Task Get_should_report_a_truncated_response_as_protocol_and_exit_1()
    {
        var run = await CrawlerProcess.RunAsync(["get", _server.Url("/cut").ToString()]);
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("protocol: ", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_should_report_a_refused_connection_and_exit_1()
    {
        var run = await CrawlerProcess.RunAsync(["get", $"http://127.0.0.1:{LoopbackHttpServer.ClosedPort()}/"]);
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("refused: ", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_should_speak_https_refusing_an_untrusted_certificate_unless_insecure()
    {
        await using var secure = await HttpsTestServer.StartAsync(_ => Microsoft.AspNetCore.Http.Results.Content("over tls", "text/plain"));
        var run = await CrawlerProcess.RunAsync(["get", secure.BaseUri.ToString()]);
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("tls: ", run.Stderr, StringComparison.Ordinal);

        run = await CrawlerProcess.RunAsync(["get", "--insecure", secure.BaseUri.ToString()]);
        Assert.Equal((0, "over tls"), (run.ExitCode, run.Stdout));
    }

    [Fact]
    public async Task Get_should_want_exactly_one_url() =>
        Assert.Equal(2, (await CrawlerProcess.RunAsync(["get"])).ExitCode);
}
