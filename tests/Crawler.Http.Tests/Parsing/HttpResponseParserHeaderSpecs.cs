using System.Text;
using Crawler.Http.Parsing;
using static Crawler.Http.Tests.Parsing.ParserEvent;

namespace Crawler.Http.Tests.Parsing;

public sealed class HttpResponseParserHeaderSpecs : ParserSpecsBase
{
    [Theory]
    [MemberData(nameof(LineEndings))]
    public void Parser_should_report_headers_in_order_with_whitespace_trimmed_and_duplicates_kept(LineEnding ending) =>
        AssertParses("""
            HTTP/1.1 200 OK
            Server:nginx
            Set-Cookie: a=1
            Set-Cookie:   b=2 ;  path=/	
            X-Empty:
            Content-Length: 0


            """, ending, [Ok(), new Header("Server", "nginx"), new Header("Set-Cookie", "a=1"),
            new Header("Set-Cookie", "b=2 ;  path=/"), new Header("X-Empty", ""), new Header("Content-Length", "0"),
            Framed(BodyFraming.ContentLength, 0), new Complete()]);

    [Theory]
    [MemberData(nameof(LineEndings))]
    public void Parser_should_replace_each_obs_fold_with_one_space(LineEnding ending) =>
        AssertParses("""
            HTTP/1.1 200 OK
            X-Folded: first
              second
            	third
            Content-Length: 0


            """, ending, [Ok(), new Header("X-Folded", "first second third"), new Header("Content-Length", "0"),
            Framed(BodyFraming.ContentLength, 0), new Complete()]);

    [Theory]
    [MemberData(nameof(LineEndings))]
    public void Parser_should_keep_non_ascii_bytes_of_a_value(LineEnding ending) =>
        AssertParses("HTTP/1.1 200 OK\nX-Name: caf\u00e9\nContent-Length: 0\n\n", ending,
            [Ok(), new Header("X-Name", "caf\u00e9"), new Header("Content-Length", "0"), Framed(BodyFraming.ContentLength, 0), new Complete()]);

    [Theory]
    [MemberData(nameof(LineEndings))]
    public void Parser_should_close_after_a_response_that_asks_for_it(LineEnding ending) =>
        AssertParses("""
            HTTP/1.1 200 OK
            Connection: Keep-Alive, CLOSE
            Content-Length: 1

            x
            """, ending, [Ok(), new Header("Connection", "Keep-Alive, CLOSE"), new Header("Content-Length", "1"),
            Framed(BodyFraming.ContentLength, 1, keepAlive: false), new Body("x"), new Complete()]);

    [Theory]
    [MemberData(nameof(LineEndings))]
    public void Parser_should_keep_an_HTTP_1_0_connection_only_when_asked(LineEnding ending) =>
        AssertParses("""
            HTTP/1.0 200 OK
            Connection: keep-alive
            Content-Length: 1

            x
            """, ending, [Ok(HttpVersion.Http10), new Header("Connection", "keep-alive"), new Header("Content-Length", "1"),
            Framed(BodyFraming.ContentLength, 1, keepAlive: true), new Body("x"), new Complete()]);

    [Theory]
    [InlineData("Bad Name: x", HttpParseError.InvalidHeaderName)]
    [InlineData("Name : x", HttpParseError.InvalidHeaderName)]
    [InlineData(": x", HttpParseError.InvalidHeaderName)]
    [InlineData("NoColon", HttpParseError.InvalidHeaderName)]
    [InlineData("N@me: x", HttpParseError.InvalidHeaderName)]
    [InlineData("Name: a\u0001b", HttpParseError.InvalidHeaderValue)]
    [InlineData("Name: a\u007fb", HttpParseError.InvalidHeaderValue)]
    [InlineData("Name: a\rb", HttpParseError.InvalidLineEnding)]
    [InlineData(" Leading: whitespace", HttpParseError.UnexpectedWhitespace)]
    public void Parser_should_reject_a_malformed_field_line(string line, HttpParseError error) =>
        AssertRejects(Encoding.Latin1.GetBytes("HTTP/1.1 200 OK\r\n" + line + "\r\nContent-Length: 0\r\n\r\n"), error);

    [Fact]
    public void Parser_should_reject_more_headers_than_its_limit() =>
        AssertRejects(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\n" + string.Concat(Enumerable.Repeat("A: b\r\n", 11)) + "\r\n"),
            HttpParseError.TooManyHeaders, HttpParserLimits.Default with { MaxHeaderCount = 10 });

    [Fact]
    public void Parser_should_reject_a_header_section_larger_than_its_limit_even_without_a_line_end() =>
        AssertRejects(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nX-Big: " + new string('a', 500)), HttpParseError.HeadersTooLarge,
            HttpParserLimits.Default with { MaxHeaderBytes = 256 });

    [Fact]
    public void Parser_should_count_every_header_line_against_one_budget() =>
        AssertRejects(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\n" + string.Concat(Enumerable.Repeat("X-Header: 0123456789\r\n", 20)) + "\r\n"),
            HttpParseError.HeadersTooLarge, HttpParserLimits.Default with { MaxHeaderBytes = 300 });

    [Fact]
    public void Parser_should_report_a_truncated_head_when_the_connection_closes_inside_a_header_line() =>
        AssertRejects("HTTP/1.1 200 OK\r\nContent-Le"u8.ToArray(), HttpParseError.TruncatedHead);

    [Fact]
    public void Parser_should_end_the_header_section_when_the_connection_closes_after_a_complete_line() =>
        ParserHarness.AssertParses("HTTP/1.1 200 OK\r\nServer: x\r\n"u8.ToArray(),
            [Ok(), new Header("Server", "x"), Framed(BodyFraming.CloseDelimited, keepAlive: false), new Complete()]);
}
