using Crawler.Http.Parsing;
using static Crawler.Http.Tests.Parsing.ParserEvent;

namespace Crawler.Http.Tests.Parsing;

public sealed class HttpResponseParserStatusLineSpecs : ParserSpecsBase
{
    [Theory]
    [MemberData(nameof(LineEndings))]
    public void Parser_should_read_the_version_status_and_reason(LineEnding ending) =>
        AssertParses("""
            HTTP/1.0 404 Not Found Here
            Content-Length: 0


            """, ending, [new StatusLine(HttpVersion.Http10, 404, "Not Found Here"), new Header("Content-Length", "0"),
            Framed(BodyFraming.ContentLength, 0, keepAlive: false), new Complete()]);

    [Theory]
    [MemberData(nameof(LineEndings))]
    public void Parser_should_accept_a_status_line_without_a_reason(LineEnding ending) =>
        AssertParses("""
            HTTP/1.1 204

            """, ending, [new StatusLine(HttpVersion.Http11, 204, ""), Framed(BodyFraming.None), new Complete()]);

    [Theory]
    [MemberData(nameof(LineEndings))]
    public void Parser_should_skip_empty_lines_before_the_status_line(LineEnding ending) =>
        AssertParses("""


            HTTP/1.1 200 OK
            Content-Length: 2

            hi
            """, ending, [Ok(), new Header("Content-Length", "2"), Framed(BodyFraming.ContentLength, 2), new Body("hi"), new Complete()]);

    [Theory]
    [MemberData(nameof(LineEndings))]
    public void Parser_should_skip_interim_responses_and_report_them(LineEnding ending) =>
        AssertParses("""
            HTTP/1.1 100 Continue

            HTTP/1.1 103 Early Hints
            Link: </style.css>; rel=preload

            HTTP/1.1 200 OK
            Content-Length: 0


            """, ending, [new Interim(100), new Interim(103), Ok(), new Header("Content-Length", "0"),
            Framed(BodyFraming.ContentLength, 0), new Complete()]);

    [Theory]
    [InlineData("HTTP/1.1 20 OK")]
    [InlineData("HTTP/1.1 2000 OK")]
    [InlineData("HTTP/1.1 abc OK")]
    [InlineData("HTTP/1.1  200 OK")]
    [InlineData("HTTP/1.1 099 Too low")]
    public void Parser_should_reject_a_status_code_that_is_not_three_digits(string line) =>
        AssertRejects(line + "\r\n\r\n", LineEnding.CrLf, HttpParseError.InvalidStatusCode);

    [Theory]
    [InlineData("HTTP/2.0 200 OK")]
    [InlineData("HTTP/5.6 200 OK")]
    public void Parser_should_reject_a_version_it_does_not_speak(string line) =>
        AssertRejects(line + "\r\n\r\n", LineEnding.CrLf, HttpParseError.UnsupportedVersion);

    [Theory]
    [InlineData("ICY 200 OK")]
    [InlineData("RTSP/1.1 200 OK")]
    [InlineData("HTTP/1.1\t200 OK")]
    [InlineData("<html><body>not http</body></html>")]
    public void Parser_should_reject_a_line_that_is_not_a_status_line(string line) =>
        AssertRejects(line + "\r\n\r\n", LineEnding.CrLf, HttpParseError.InvalidStatusLine);

    [Fact]
    public void Parser_should_reject_a_bare_CR_inside_the_status_line() =>
        AssertRejects("HTTP/1.1 200 OK\rContent-Length: 0\r\n\r\n"u8.ToArray(), HttpParseError.InvalidLineEnding);

    [Fact]
    public void Parser_should_reject_bare_LF_line_endings_when_strict() =>
        AssertRejects("HTTP/1.1 200 OK\nContent-Length: 0\n\n"u8.ToArray(), HttpParseError.InvalidLineEnding,
            HttpParserLimits.Default with { LfLineTerminators = false });

    [Fact]
    public void Parser_should_reject_a_status_line_longer_than_its_limit_before_the_line_ends() =>
        AssertRejects(System.Text.Encoding.ASCII.GetBytes("HTTP/1.1 200 " + new string('x', 100)), HttpParseError.StatusLineTooLong,
            HttpParserLimits.Default with { MaxStatusLineLength = 40 });

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Parser_should_call_a_line_too_long_whatever_its_ending_and_however_it_is_split(bool lenient) =>
        // Found by fuzzing (fuzz/findings/response): whole, the strict parser blamed the bare LF; split, the length.
        AssertRejects(System.Text.Encoding.ASCII.GetBytes("HTTP/1.1 200 " + new string('x', 100) + "\n\n"), HttpParseError.StatusLineTooLong,
            HttpParserLimits.Default with { MaxStatusLineLength = 40, LfLineTerminators = lenient });

    [Fact]
    public void Parser_should_report_no_response_when_the_connection_closes_before_any_byte()
    {
        Assert.Equal([new Failed(HttpParseError.NoResponse)], ParserHarness.Run([]));
        Assert.Equal([new Failed(HttpParseError.NoResponse)], ParserHarness.Run(["\r\n"u8.ToArray()]));
    }

    [Fact]
    public void Parser_should_report_a_truncated_head_when_the_connection_closes_inside_the_status_line() =>
        AssertRejects("HTTP/1.1 200"u8.ToArray(), HttpParseError.TruncatedHead);

    [Fact]
    public void Parser_should_report_the_offset_of_an_error_in_the_byte_stream()
    {
        var parser = new HttpResponseParser();
        var handler = new RecordingHandler();
        var input = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n"u8;
        var first = parser.Parse(input, ref handler);
        Assert.Equal(ParseStatus.ResponseComplete, first.Status);
        var second = parser.Parse(input[first.Consumed..], ref handler);
        Assert.Equal((ParseStatus.Error, HttpParseError.InvalidHeaderName, first.Consumed + 17L), (second.Status, second.Error, second.ErrorOffset));
        Assert.Equal(second with { Consumed = 0 }, parser.Parse([], ref handler)); // the error is repeated, not forgotten
    }
}
