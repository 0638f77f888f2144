using System.Text;
using Akka.Actor;
using Crawler.Http.Connection;
using Crawler.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Crawler.Http.Tests.Connection;

/// <summary>HTTPS through the same Akka.IO connection actor, with SslStream over a stream bridged to the
/// connection, against Kestrel with a certificate the test makes itself and trusts only through configuration.</summary>
public sealed class TlsSpecs : Akka.TestKit.Xunit2.TestKit
{
    public TlsSpecs(ITestOutputHelper output) : base("akka.test.timefactor = 3\nakka.loglevel = INFO\nakka.actor.serialize-messages = on", output)
    {
    }

    private static IResult Page(HttpContext context) =>
        Results.Content($"<html><head><title>secure {context.Request.Path}</title></head><body>{new string('s', 30_000)}</body></html>", "text/html");

    private IActorRef Client(Uri url, string hocon) =>
        Sys.ActorOf(HttpClientConnection.PropsFor(url, TestSettings.Http(hocon)));

    private static string Trust(HttpsTestServer server) =>
        $"crawler.http.tls.trusted-certificates = [\"{server.CertificatePath}\"]";

    [Fact]
    public async Task Client_should_fetch_over_tls_with_a_trusted_certificate_and_reuse_the_connection()
    {
        await using var server = await HttpsTestServer.StartAsync(Page);
        var client = Client(server.BaseUri, Trust(server));
        client.Tell(Http.Send.Get(1, new Uri(server.BaseUri, "/one")));
        var first = await ExpectMsgAsync<Http.ResponseReceived>(TimeSpan.FromSeconds(10));
        client.Tell(Http.Send.Get(2, new Uri(server.BaseUri, "/two")));
        var second = await ExpectMsgAsync<Http.ResponseReceived>(TimeSpan.FromSeconds(10));

        Assert.Equal((200, 200), (first.StatusCode, second.StatusCode));
        Assert.Contains("<title>secure /one</title>", Encoding.UTF8.GetString(first.Body.Span), StringComparison.Ordinal);
        Assert.Contains("<title>secure /two</title>", Encoding.UTF8.GetString(second.Body.Span), StringComparison.Ordinal);
        Assert.Equal(1, server.ConnectionCount);
    }

    [Fact]
    public async Task Client_should_validate_a_chain_through_the_intermediate_the_server_sends_with_only_the_root_trusted()
    {
        await using var server = await HttpsTestServer.StartWithChainAsync(Page);

        Client(server.BaseUri, Trust(server)).Tell(Http.Send.Get(1, new Uri(server.BaseUri, "/chained")));

        Assert.Equal(200, (await ExpectMsgAsync<Http.ResponseReceived>(TimeSpan.FromSeconds(10))).StatusCode);
    }

    [Fact]
    public async Task Client_should_refuse_the_chain_when_its_root_is_not_trusted()
    {
        await using var server = await HttpsTestServer.StartWithChainAsync(Page);
        await using var other = await HttpsTestServer.StartAsync(Page);

        Client(server.BaseUri, Trust(other)).Tell(Http.Send.Get(1, server.BaseUri));

        Assert.Equal(HttpFailureKind.Tls, (await ExpectMsgAsync<Http.RequestFailed>(TimeSpan.FromSeconds(10))).Kind);
    }

    [Fact]
    public async Task Client_should_trust_every_certificate_of_a_pem_bundle()
    {
        await using var server = await HttpsTestServer.StartWithChainAsync(Page);
        var bundled = $"crawler.http.tls.trusted-certificates = [\"{server.BundlePath}\"]";

        Assert.Equal(3, TestSettings.Http(bundled).Tls.TrustedCertificates.Count);
        Client(server.BaseUri, bundled).Tell(Http.Send.Get(1, server.BaseUri));

        Assert.Equal(200, (await ExpectMsgAsync<Http.ResponseReceived>(TimeSpan.FromSeconds(10))).StatusCode);
    }

    [Fact]
    public async Task Client_should_refuse_an_untrusted_certificate_as_tls()
    {
        await using var server = await HttpsTestServer.StartAsync(Page);
        Client(server.BaseUri, "").Tell(Http.Send.Get(1, server.BaseUri));
        var failed = await ExpectMsgAsync<Http.RequestFailed>(TimeSpan.FromSeconds(10));
        Assert.Equal(HttpFailureKind.Tls, failed.Kind);
        Assert.Contains("not trusted", failed.Message, StringComparison.Ordinal); // golden: tells untrusted from the wrong name
    }

    [Fact]
    public async Task Client_should_accept_any_certificate_when_insecure()
    {
        await using var server = await HttpsTestServer.StartAsync(Page, "some.other.name");
        Client(server.BaseUri, "crawler.http.tls.insecure = on").Tell(Http.Send.Get(1, server.BaseUri));
        Assert.Equal(200, (await ExpectMsgAsync<Http.ResponseReceived>(TimeSpan.FromSeconds(10))).StatusCode);
    }

    [Fact]
    public async Task Client_should_refuse_a_trusted_certificate_for_another_name_as_tls()
    {
        await using var server = await HttpsTestServer.StartAsync(Page, "some.other.name");
        Client(server.BaseUri, Trust(server)).Tell(Http.Send.Get(1, server.BaseUri));
        var failed = await ExpectMsgAsync<Http.RequestFailed>(TimeSpan.FromSeconds(10));
        Assert.Equal(HttpFailureKind.Tls, failed.Kind);
        Assert.Contains("not valid for that name", failed.Message, StringComparison.Ordinal); // golden: tells the wrong name from untrusted
    }

    [Fact]
    public async Task Client_should_report_tls_when_the_server_answers_in_plain_http()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        await app.StartAsync();
        var url = new Uri(app.Urls.First().Replace("http://", "https://", StringComparison.Ordinal) + "/");
        Client(url, "crawler.http.tls.insecure = on").Tell(Http.Send.Get(1, url));
        var failed = await ExpectMsgAsync<Http.RequestFailed>(TimeSpan.FromSeconds(15));
        Assert.Equal(HttpFailureKind.Tls, failed.Kind);
        await app.StopAsync();
    }

    [Fact]
    public async Task Client_should_time_out_a_handshake_the_server_never_answers_in_the_connect_phase()
    {
        await using var silent = LoopbackHttpServer.Start(_ => ServerAction.Hang);
        var url = new Uri($"https://127.0.0.1:{silent.Port}/");
        Client(url, "crawler.http.connect-timeout = 500ms").Tell(Http.Send.Get(1, url));
        var failed = await ExpectMsgAsync<Http.RequestFailed>(TimeSpan.FromSeconds(10));
        Assert.Equal((HttpFailureKind.Timeout, HttpTimeoutPhase.Connect), (failed.Kind, failed.Phase));
    }
}
