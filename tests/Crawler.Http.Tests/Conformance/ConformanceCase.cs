using System.Text;
using System.Text.Json;
using Crawler.Http.Parsing;
using Crawler.Http.Tests.Parsing;
using Crawler.Testing;

namespace Crawler.Http.Tests.Conformance;

/// <summary>One expected response of a case in <c>responses.json</c> (llhttp's and http-parser's suites).</summary>
public sealed record ExpectedResponse(bool Valid, IReadOnlyList<ParserEvent> Events);

/// <summary>A case of the HTTP/1.1 response conformance data, with the result our parser must reach.</summary>
public sealed record ConformanceCase(string Id, string Method, byte[] Raw, IReadOnlyList<ExpectedResponse> Responses)
{
    private static readonly Lazy<JsonElement[]> All = new(() =>
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Conformance", "responses.json");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        return doc.RootElement.EnumerateArray().Select(e => e.Clone()).ToArray();
    });

    /// <summary>
    /// Where the data leaves the choice to us (<c>disputed</c>), our decision. Lenient mode (the default,
    /// <c>lf-line-terminators = on</c>) takes the accepting answer (<c>expect_alt</c>) for bare-LF line endings and
    /// accepts whitespace after a chunk size, as http-parser did; strict mode takes llhttp's rejecting answer for
    /// both. Both modes skip empty lines before a status line and read an HTTP/0.9 label as HTTP/1.0.
    /// </summary>
    private static readonly Dictionary<string, string> LenientTwin = new()
    {
        ["llhttp-transfer-encoding-trailing-space-on-chunked-body"] = "http-parser-200-trailing-space-on-chunked-body",
    };

    private static readonly Dictionary<string, string> StrictTwin = new()
    {
        ["http-parser-200-trailing-space-on-chunked-body"] = "llhttp-transfer-encoding-trailing-space-on-chunked-body",
    };

    public static IEnumerable<string> Ids => All.Value.Select(e => e.GetProperty("id").GetString()!);

    public static int Count => All.Value.Length;

    public static ConformanceCase Load(string id, bool lenient)
    {
        var element = Find(id);
        var twins = lenient ? LenientTwin : StrictTwin;
        var expect = twins.TryGetValue(id, out var twin)
            ? Find(twin).GetProperty("expect")
            : lenient && element.TryGetProperty("disputed", out _) && element.TryGetProperty("expect_alt", out var alt)
                ? alt
                : element.GetProperty("expect");
        var responses = new List<ExpectedResponse> { ToExpected(expect) };
        if (expect.TryGetProperty("following", out var following) && responses[0].Valid && KeepAlive(expect))
        {
            foreach (var next in following.EnumerateArray())
            {
                responses.Add(ToExpected(next));
                if (!responses[^1].Valid || !KeepAlive(next))
                {
                    break;
                }
            }
        }

        return new ConformanceCase(id, element.GetProperty("request_method").GetString()!,
            Convert.FromBase64String(element.GetProperty("raw_base64").GetString()!), responses);
    }

    private static JsonElement Find(string id) => All.Value.Single(e => e.GetProperty("id").GetString() == id);

    private static bool KeepAlive(JsonElement expect) =>
        expect.TryGetProperty("keep_alive", out var k) && k.GetBoolean();

    private static ExpectedResponse ToExpected(JsonElement expect)
    {
        if (!expect.GetProperty("valid").GetBoolean())
        {
            return new ExpectedResponse(false, []);
        }

        var events = new List<ParserEvent>();
        if (expect.TryGetProperty("interim", out var interim))
        {
            events.AddRange(interim.EnumerateArray().Select(i => new ParserEvent.Interim(i.GetProperty("status").GetInt32())));
        }

        var version = expect.GetProperty("http_version").GetString() switch
        {
            "1.1" => HttpVersion.Http11,
            "1.0" => HttpVersion.Http10,
            "0.9" => HttpVersion.Http09,
            var other => throw new InvalidOperationException($"version {other}"),
        };
        events.Add(new ParserEvent.StatusLine(version, expect.GetProperty("status").GetInt32(),
            expect.GetProperty("reason").GetString() is { } reason ? Latin1(reason) : ""));
        long contentLength = -1;
        foreach (var header in expect.GetProperty("headers").EnumerateArray())
        {
            var name = Latin1(header[0].GetString()!);
            var value = Latin1(header[1].GetString()!);
            events.Add(new ParserEvent.Header(name, value));
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                contentLength = long.Parse(value.Split(',')[0].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        var framing = expect.GetProperty("framing").GetString() switch
        {
            "content-length" => BodyFraming.ContentLength,
            "chunked" => BodyFraming.Chunked,
            "close" => BodyFraming.CloseDelimited,
            "none" => BodyFraming.None,
            "upgrade" => BodyFraming.Upgrade,
            var other => throw new InvalidOperationException($"framing {other}"),
        };
        events.Add(new ParserEvent.HeadersComplete(framing, framing == BodyFraming.ContentLength ? contentLength : -1,
            KeepAlive(expect)));
        var body = expect.TryGetProperty("body_base64", out var b) ? Convert.FromBase64String(b.GetString()!) : [];
        if (body.Length > 0)
        {
            events.Add(new ParserEvent.Body(Encoding.Latin1.GetString(body)));
        }

        events.Add(new ParserEvent.Complete());
        return new ExpectedResponse(true, events);
    }

    // The JSON holds the wire bytes decoded as UTF-8 where they were valid; compare as raw bytes.
    private static string Latin1(string text) => Encoding.Latin1.GetString(Encoding.UTF8.GetBytes(text));

    public override string ToString() => Id;
}
