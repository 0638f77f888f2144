using System.Net.Http;
using Crawler.Http.Parsing;
using static Crawler.Http.Tests.Parsing.ParserEvent;

namespace Crawler.Http.Tests.Parsing;

/// <summary>Shared helpers: each spec input is a raw string literal written with LF, sent with CRLF and with bare
/// LF line endings (akka-http's CRLF/LF spec pair), whole, byte by byte and split in two at every offset.</summary>
public abstract class ParserSpecsBase
{
    public static TheoryData<LineEnding> LineEndings => new(LineEnding.CrLf, LineEnding.Lf);

    protected static void AssertParses(string input, LineEnding ending, IReadOnlyList<ParserEvent> expected,
        HttpParserLimits? limits = null, IEnumerable<HttpMethod>? methods = null) =>
        ParserHarness.AssertParses(ParserHarness.Wire(input, ending), expected, limits, methods);

    /// <summary>Asserts that every split of the input ends in <paramref name="error"/>, after the given events.</summary>
    protected static void AssertRejects(string input, LineEnding ending, HttpParseError error,
        HttpParserLimits? limits = null, IReadOnlyList<ParserEvent>? before = null) =>
        AssertRejects(ParserHarness.Wire(input, ending), error, limits, before);

    protected static void AssertRejects(byte[] raw, HttpParseError error, HttpParserLimits? limits = null,
        IReadOnlyList<ParserEvent>? before = null)
    {
        foreach (var (name, fragments) in ParserHarness.Splits(raw, everyTwoPieceSplit: raw.Length < 600))
        {
            var events = ParserHarness.Run(fragments, limits);
            Assert.True(events.Count > 0 && events[^1] == new Failed(error),
                $"{name}: expected {error}, got {string.Join(", ", events)}");
            if (before is not null)
            {
                Assert.Equal(before, events.Take(before.Count));
            }
        }
    }

    protected static StatusLine Ok(HttpVersion version = HttpVersion.Http11) => new(version, 200, "OK");

    protected static HeadersComplete Framed(BodyFraming framing, long length = -1, bool keepAlive = true) =>
        new(framing, length, keepAlive);
}
