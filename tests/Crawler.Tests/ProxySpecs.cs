using System.Text.Json;
using Crawler.Testing;

namespace Crawler.Tests;

/// <summary>
/// The console host through a real forward proxy (tinyproxy): HTTP in absolute form, HTTPS through CONNECT with TLS
/// to the origin inside the tunnel, credentials, a proxy that refuses or cannot be reached (<c>proxy</c> results,
/// never blamed on the origin), the variables and NO_PROXY.
/// </summary>
public sealed class ProxySpecs : IAsyncLifetime
{
    private LoopbackHttpServer _site = null!;

    public Task InitializeAsync()
    {
        _site = LoopbackHttpServer.Start(request => request.Target switch
        {
            "/planet" => ServerAction.Ok(Responses.Page("planet", "<h3><a href=\"/article\">first</a></h3>")),
            "/article" => ServerAction.Ok(Responses.Page($"via {request.Header("Via") ?? "nothing"}")),
            _ => ServerAction.Status(404, "Not Found"),
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _site.DisposeAsync();

    private static JsonElement Result(CrawlerRun run) => JsonDocument.Parse(Assert.Single(run.StdoutLines)).RootElement;

    [SkippableFact]
    public async Task A_planet_should_be_crawled_through_the_proxy_named_by_http_proxy()
    {
        Skip.IfNot(TinyProxy.IsInstalled, "tinyproxy is not installed (.ci/run installs it)");
        await using var proxy = await TinyProxy.StartAsync();
        var run = await CrawlerProcess.RunWithEnvironmentAsync(["--json", _site.Url("/planet").ToString()],
            new Dictionary<string, string> { ["HTTP_PROXY"] = proxy.Url() });
        var result = Result(run);
        Assert.True(result.GetProperty("ok").GetBoolean(), run + string.Join("\n", _site.Requests.Select(r => $"{r.Method} {r.Target} {string.Join("; ", r.Headers)}")));
        Assert.Contains("tinyproxy", result.GetProperty("title").GetString(), StringComparison.Ordinal); // the origin saw the proxy's Via
        Assert.All(_site.Requests, r => Assert.Contains("tinyproxy", r.Header("Via"), StringComparison.Ordinal)); // robots.txt too
    }

    [SkippableFact]
    public async Task No_proxy_should_send_the_hosts_it_names_direct()
    {
        var closed = LoopbackHttpServer.ClosedPort();
        var run = await CrawlerProcess.RunWithEnvironmentAsync(["--json", _site.Url("/planet").ToString()],
            new Dictionary<string, string> { ["http_proxy"] = $"http://127.0.0.1:{closed}", ["NO_PROXY"] = "localhost,127.0.0.1" });
        Assert.True(Result(run).GetProperty("ok").GetBoolean(), run.ToString());
        Assert.Contains("via nothing", Result(run).GetProperty("title").GetString(), StringComparison.Ordinal);

        run = await CrawlerProcess.RunWithEnvironmentAsync(["--json", "--noproxy", "*", _site.Url("/planet").ToString()],
            new Dictionary<string, string> { ["ALL_PROXY"] = $"127.0.0.1:{closed}" });
        Assert.True(Result(run).GetProperty("ok").GetBoolean(), run.ToString());
    }

    [SkippableFact]
    public async Task Https_should_go_through_a_connect_tunnel_with_tls_to_the_origin()
    {
        Skip.IfNot(TinyProxy.IsInstalled, "tinyproxy is not installed (.ci/run installs it)");
        await using var proxy = await TinyProxy.StartAsync();
        await using var secure = await HttpsTestServer.StartAsync(_ => Microsoft.AspNetCore.Http.Results.Content("over tls", "text/plain"));
        var run = await CrawlerProcess.RunWithEnvironmentAsync(["get", secure.BaseUri.ToString()],
            new Dictionary<string, string> { ["HTTPS_PROXY"] = proxy.Url() });
        Assert.Equal(1, run.ExitCode); // the origin's certificate is checked inside the tunnel
        Assert.StartsWith("tls: ", run.Stderr, StringComparison.Ordinal);

        run = await CrawlerProcess.RunAsync(["get", "--insecure", "--proxy", proxy.Url(), secure.BaseUri.ToString()]);
        Assert.Equal((0, "over tls"), (run.ExitCode, run.Stdout));
        Assert.Contains($"CONNECT 127.0.0.1:{secure.BaseUri.Port} HTTP/1.1", proxy.Log(), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task A_proxy_that_wants_credentials_should_be_a_proxy_result_until_they_are_given()
    {
        Skip.IfNot(TinyProxy.IsInstalled, "tinyproxy is not installed (.ci/run installs it)");
        await using var proxy = await TinyProxy.StartAsync(basicAuth: "crawler s3cret");
        await using var secure = await HttpsTestServer.StartAsync(_ => Microsoft.AspNetCore.Http.Results.Content("over tls", "text/plain"));

        var run = await CrawlerProcess.RunAsync(["--json", "--proxy", proxy.Url(), _site.Url("/planet").ToString()]);
        Assert.Equal("proxy", Result(run).GetProperty("error").GetString());
        Assert.Contains("407", Result(run).GetProperty("message").GetString(), StringComparison.Ordinal);
        run = await CrawlerProcess.RunAsync(["get", "--insecure", "--proxy", proxy.Url(), secure.BaseUri.ToString()]);
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("proxy: ", run.Stderr, StringComparison.Ordinal);

        run = await CrawlerProcess.RunAsync(["--json", "--proxy", proxy.Url("crawler:s3cret"), _site.Url("/planet").ToString()]);
        Assert.True(Result(run).GetProperty("ok").GetBoolean(), run.ToString());
        run = await CrawlerProcess.RunAsync(["get", "--insecure", "--proxy", proxy.Url("crawler:s3cret"), secure.BaseUri.ToString()]);
        Assert.Equal((0, "over tls"), (run.ExitCode, run.Stdout));
    }

    [Fact]
    public async Task A_proxy_that_cannot_be_reached_should_be_a_proxy_result_and_a_bad_proxy_url_bad_usage()
    {
        var run = await CrawlerProcess.RunAsync(["--json", "--proxy", $"127.0.0.1:{LoopbackHttpServer.ClosedPort()}", _site.Url("/planet").ToString()]);
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("proxy", Result(run).GetProperty("error").GetString());
        Assert.Empty(_site.Requests); // never blamed on the origin, never sent to it either

        run = await CrawlerProcess.RunAsync(["get", "--proxy", "socks5://127.0.0.1:1080", _site.Url("/planet").ToString()]);
        Assert.Equal(2, run.ExitCode);
        run = await CrawlerProcess.RunWithEnvironmentAsync([_site.Url("/planet").ToString()], new Dictionary<string, string> { ["HTTPS_PROXY"] = "https://p.test" });
        Assert.Equal(2, run.ExitCode);
    }
}
