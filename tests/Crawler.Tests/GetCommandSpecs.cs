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
    public async Task Get_should_stream_a_body_beyond_the_old_8_MB_cap_decoded_and_de_chunked_to_stdout()
    {
        // 12 MB of text, gzip-coded and chunked: more than max-body-bytes, which bounds crawls, not get.
        var page = string.Concat(Enumerable.Range(0, 12 * 1024 * 1024 / 64).Select(i => $"line {i,10} of a page larger than eight megabytes.".PadRight(63) + "\n"));
        var coded = GzipOf(Encoding.ASCII.GetBytes(page));
        var chunked = new MemoryStream();
        chunked.Write(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"));
        foreach (var piece in coded.Chunk(100_000))
        {
            chunked.Write(Encoding.ASCII.GetBytes($"{piece.Length:x}\r\n"));
            chunked.Write(piece);
            chunked.Write("\r\n"u8);
        }

        chunked.Write("0\r\n\r\n"u8);
        await using var server = LoopbackHttpServer.Start(_ => new ServerAction.Respond(chunked.ToArray()));
        var run = await CrawlerProcess.RunAsync(["get", server.Url("/big").ToString()]);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(page.Length, run.Stdout.Length);
        Assert.True(page == run.Stdout, "the body differs");
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Get_should_download_a_gigabyte_to_a_file_with_memory_flat()
    {
        const long Size = 1L << 30;
        await using var server = new BulkBodyServer(Size, chunked: true);
        var file = Path.Combine(Path.GetTempPath(), $"crawler-get-{Guid.NewGuid():N}.bin");
        try
        {
            var run = await CrawlerProcess.RunMeasuredAsync(["get", "-o", file, server.Url().ToString()], timeoutSeconds: 240);
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Equal(Size, new FileInfo(file).Length);
            using (var written = File.OpenRead(file))
            {
                foreach (var at in new[] { 0L, 1, 250, 251, 65535, 65536, Size / 2 + 7, Size - 1 })
                {
                    written.Position = at;
                    Assert.Equal(BulkBodyServer.At(at), written.ReadByte());
                }
            }

            // Held whole, the body alone would be 1 GiB; streamed, the process stays near its idle size.
            Assert.InRange(run.PeakRssBytes, 1, 400L << 20);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Get_should_refuse_a_body_beyond_max_filesize_after_writing_what_fits()
    {
        await using var known = new BulkBodyServer(100_000);
        var run = await CrawlerProcess.RunAsync(["get", "--max-filesize", "1k", known.Url().ToString()]);
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("too-large: ", run.Stderr, StringComparison.Ordinal);

        await using var unknown = new BulkBodyServer(100_000, chunked: true);
        var file = Path.Combine(Path.GetTempPath(), $"crawler-get-{Guid.NewGuid():N}.bin");
        try
        {
            run = await CrawlerProcess.RunAsync(["get", "--max-filesize", "1024", "-o", file, unknown.Url().ToString()]);
            Assert.Equal(1, run.ExitCode);
            Assert.StartsWith("too-large: ", run.Stderr, StringComparison.Ordinal);
            Assert.Equal(1024, new FileInfo(file).Length);
        }
        finally
        {
            File.Delete(file);
        }

        Assert.Equal(2, (await CrawlerProcess.RunAsync(["get", "--max-filesize", "lots", known.Url().ToString()])).ExitCode);
        Assert.Equal(2, (await CrawlerProcess.RunAsync(["get", "-o", Path.GetTempPath(), known.Url().ToString()])).ExitCode);
    }

    [Fact]
    public async Task Get_should_write_the_head_and_body_to_the_output_file()
    {
        var file = Path.Combine(Path.GetTempPath(), $"crawler-get-{Guid.NewGuid():N}.txt");
        try
        {
            var run = await CrawlerProcess.RunAsync(["get", "-i", "--output", file, _server.Url("/page").ToString()]);
            Assert.Equal((0, ""), (run.ExitCode, run.Stdout));
            var written = await File.ReadAllTextAsync(file);
            Assert.StartsWith("HTTP/1.1 200 OK\r\n", written, StringComparison.Ordinal);
            Assert.EndsWith("\r\n\r\n<html>hello</html>", written, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static byte[] GzipOf(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    [Fact]
    public async Task Get_should_want_exactly_one_url() =>
        Assert.Equal(2, (await CrawlerProcess.RunAsync(["get"])).ExitCode);
}
