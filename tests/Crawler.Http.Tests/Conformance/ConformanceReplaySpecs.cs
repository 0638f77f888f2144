using System.Net.Http;
using System.Text;
using System.Text.Json;
using Akka.Actor;
using Crawler.Http.Connection;
using Crawler.Testing;
using Xunit.Abstractions;

namespace Crawler.Http.Tests.Conformance;

/// <summary>
/// Every conformance case served over a real socket by a replay server (the bytes, then a half-close), whole and
/// in one-byte writes, and fetched through the real connection actor: a valid case must come back as the expected
/// response (status, headers, body), an invalid one as a protocol (or, for a limit, too-large) failure.
/// </summary>
public sealed class ConformanceReplaySpecs : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    private static readonly Lazy<Dictionary<string, JsonElement>> Cases = new(() =>
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Conformance", "responses.json")));
        return doc.RootElement.EnumerateArray().ToDictionary(e => e.GetProperty("id").GetString()!, e => e.Clone());
    });

    /// <summary>Cases a parser reads as valid, close-delimited responses, but whose bytes are still transfer-coded
    /// (chunked applied before another coding) or coded with what no client knows: the client refuses them as
    /// <c>protocol</c>, naming the coding, rather than pass coded bytes off as the body.</summary>
    private static readonly Dictionary<string, string> RefusedTransferCodings = new(StringComparer.Ordinal)
    {
        ["llhttp-transfer-encoding-chunked-before-other-transfer-encoding"] = "\"chunked\"",
        ["llhttp-transfer-encoding-chunkedchunked-transfer-encoding-does-not-enable-chunked-enc"] = "\"chunkedchunked\"",
        ["http-parser-http-200-response-with-chunked-being-not-last-transfer-encod"] = "\"chunked\"",
        ["llhttp-transfer-encoding-multiple-transfer-encoding-where-chunked-is-not-the-last-one"] = "\"chunked\"",
    };

    private LoopbackHttpServer _server = null!;

    public ConformanceReplaySpecs(ITestOutputHelper output) : base("akka.test.timefactor = 3\nakka.loglevel = WARNING", output)
    {
    }

    public static TheoryData<string> CaseIds => new(ConformanceCase.Ids);

    public Task InitializeAsync()
    {
        _server = LoopbackHttpServer.Start(request =>
        {
            var path = request.Target.Split('?');
            var raw = Convert.FromBase64String(Cases.Value[path[0]["/case/".Length..]].GetProperty("raw_base64").GetString()!);
            return path[1] == "mode=bytes"
                ? new ServerAction.Drip(raw, 1, TimeSpan.Zero, Close: true)
                : new ServerAction.Respond(raw, Close: true);
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [MemberData(nameof(CaseIds))]
    public async Task Client_should_reach_the_expected_result_for_each_case_served_whole_and_byte_by_byte(string id)
    {
        var c = ConformanceCase.Load(id, lenient: true);
        foreach (var mode in new[] { "whole", "bytes" })
        {
            // One-byte writes of a 100 KB body take long; the parser specs split those at every offset already.
            if (mode == "bytes" && c.Raw.Length > 16 * 1024)
            {
                continue;
            }

            var url = _server.Url($"/case/{id}?mode={mode}");
            var client = Sys.ActorOf(HttpClientConnection.Props("127.0.0.1", _server.Port, TestSettings.Http()));
            client.Tell(new Http.Send(1, url, c.Method == "HEAD" ? HttpMethod.Head : HttpMethod.Get));
            var reply = await ExpectMsgAsync<object>(TimeSpan.FromSeconds(20));
            Sys.Stop(client);
            var expected = c.Responses[0];
            if (RefusedTransferCodings.TryGetValue(id, out var coding))
            {
                var refused = Assert.IsType<Http.RequestFailed>(reply);
                Assert.Equal(HttpFailureKind.Protocol, refused.Kind);
                Assert.Contains(coding, refused.Message, StringComparison.Ordinal);
                continue;
            }

            if (!expected.Valid)
            {
                var failed = Assert.IsType<Http.RequestFailed>(reply);
                Assert.True(failed.Kind is HttpFailureKind.Protocol or HttpFailureKind.TooLarge, $"{id} ({mode}): {failed}");
                continue;
            }

            var response = reply as Http.ResponseReceived ?? throw new Xunit.Sdk.XunitException($"{id} ({mode}): {reply}");
            var status = expected.Events.OfType<Parsing.ParserEvent.StatusLine>().Single();
            Assert.Equal((status.Status, status.Reason), (response.StatusCode, response.ReasonPhrase));
            Assert.Equal(expected.Events.OfType<Parsing.ParserEvent.Header>().Select(h => (h.Name, h.Value)),
                response.Headers.Select(h => (h.Key, h.Value)));
            var body = expected.Events.OfType<Parsing.ParserEvent.Body>().SingleOrDefault()?.Latin1 ?? "";
            Assert.Equal(body, Encoding.Latin1.GetString(response.Body.Span));
        }
    }
}
