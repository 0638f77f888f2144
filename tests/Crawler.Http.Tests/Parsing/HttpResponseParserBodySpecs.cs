using System.Net.Http;
using System.Text;
using Crawler.Http.Parsing;
using static Crawler.Http.Tests.Parsing.ParserEvent;

namespace Crawler.Http.Tests.Parsing;

public sealed class HttpResponseParserBodySpecs : ParserSpecsBase
{
    [Theory]
    [MemberData(nameof(LineEndings))]
    public void Parser_should_read_exactly_content_length_bytes(LineEnding ending) =>
        AssertParses("""
            HTTP/1.1 200 OK
            Content-Length: 12

            hello world!
            """, ending, [Ok(), new Header("Content-Length", "12"), Framed(BodyFraming.ContentLength, 12),
            new Body("hello world!"), new Complete()]);

    [Theory]
    [MemberData(nameof(LineEndings))]
    public void Parser_should_read_a_body_delimited_by_the_close_of_the_connection(LineEnding ending) =>
        AssertParses("""
            HTTP/1.1 200 OK
            Content-Type: text/plain

            all of this
            """, ending, [Ok(), new Header("Content-Type", "text/plain"), Framed(BodyFraming.CloseDelimited, keepAlive: false),
            new Body("all of this"), new Complete()]);

    [Theory]
    [InlineData(204)]
    [InlineData(304)]
    public void Parser_should_read_no_body_for_a_status_that_has_none(int status) =>
        ParserHarness.AssertParses(Encoding.ASCII.GetBytes($"HTTP/1.1 {status} X\r\nContent-Length: 5\r\n\r\n"),
            [new StatusLine(HttpVersion.Http11, status, "X"), new Header("Content-Length", "5"), Framed(BodyFraming.None), new Complete()]);

    [Fact]
    public void Parser_should_read_no_body_for_a_response_to_HEAD() =>
        ParserHarness.AssertParses("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n"u8.ToArray(),
            [Ok(), new Header("Content-Length", "5000"), Framed(BodyFraming.None), new Complete()], methods: [HttpMethod.Head]);

    [Fact]
    public void Parser_should_end_a_101_response_at_its_header_section() =>
        ParserHarness.AssertParses("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\nnot http"u8.ToArray(),
            [new StatusLine(HttpVersion.Http11, 101, "Switching Protocols"), new Header("Upgrade", "h2c"),
                Framed(BodyFraming.Upgrade, keepAlive: false), new Complete()]);

    [Fact]
    public void Parser_should_accept_repeated_identical_content_lengths() =>
        ParserHarness.AssertParses("HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\nContent-Length: 3\r\n\r\nabc"u8.ToArray(),
            [Ok(), new Header("Content-Length", "3, 3"), new Header("Content-Length", "3"), Framed(BodyFraming.ContentLength, 3),
                new Body("abc"), new Complete()]);

    [Theory]
    [InlineData("Content-Length: 3\r\nContent-Length: 4", HttpParseError.ConflictingContentLength)]
    [InlineData("Content-Length: 3, 4", HttpParseError.ConflictingContentLength)]
    [InlineData("Content-Length: -1", HttpParseError.InvalidContentLength)]
    [InlineData("Content-Length: 0x10", HttpParseError.InvalidContentLength)]
    [InlineData("Content-Length:", HttpParseError.InvalidContentLength)]
    [InlineData("Content-Length: 99999999999999999999", HttpParseError.InvalidContentLength)]
    [InlineData("Transfer-Encoding: chunked\r\nContent-Length: 3", HttpParseError.TransferEncodingWithContentLength)]
    public void Parser_should_reject_ambiguous_or_invalid_framing(string headers, HttpParseError error) =>
        AssertRejects(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\n{headers}\r\n\r\nabc"), error);

    [Fact]
    public void Parser_should_reject_a_content_length_over_the_body_limit_before_reading_the_body() =>
        AssertRejects("HTTP/1.1 200 OK\r\nContent-Length: 1001\r\n\r\n"u8.ToArray(), HttpParseError.BodyTooLarge,
            HttpParserLimits.Default with { MaxBodyBytes = 1000 });

    [Fact]
    public void Parser_should_reject_a_close_delimited_body_over_the_body_limit() =>
        AssertRejects(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\n\r\n" + new string('a', 101)), HttpParseError.BodyTooLarge,
            HttpParserLimits.Default with { MaxBodyBytes = 100 });

    [Fact]
    public void Parser_should_report_a_truncated_content_length_body() =>
        AssertRejects("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"u8.ToArray(), HttpParseError.TruncatedBody,
            before: [Ok(), new Header("Content-Length", "10"), Framed(BodyFraming.ContentLength, 10)]);

    [Fact]
    public void Parser_should_deliver_a_large_body_without_copying_it_into_lines()
    {
        var body = new string('z', 200_000);
        var raw = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\n\r\n{body}");
        var fragments = raw.Chunk(4096).ToArray();
        Assert.Equal([Ok(), new Header("Content-Length", "200000"), Framed(BodyFraming.ContentLength, 200_000), new Body(body), new Complete()],
            ParserHarness.Run(fragments));
    }
}
