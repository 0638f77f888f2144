using System.Net.Http;
using Crawler.Http.Parsing;
using static Crawler.Http.Tests.Parsing.ParserEvent;

namespace Crawler.Http.Tests.Parsing;

public sealed class HttpResponseParserPipeliningSpecs : ParserSpecsBase
{
    [Theory]
    [MemberData(nameof(LineEndings))]
    public void Parser_should_read_responses_back_to_back_framed_by_each_request_method(LineEnding ending) =>
        AssertParses("""
            HTTP/1.1 200 OK
            Content-Length: 3

            abcHTTP/1.1 200 OK
            Content-Length: 100

            HTTP/1.1 404 Not Found
            Transfer-Encoding: chunked

            1
            x
            0

            HTTP/1.1 200 OK
            Connection: close

            rest
            """, ending, [
            Ok(), new Header("Content-Length", "3"), Framed(BodyFraming.ContentLength, 3), new Body("abc"), new Complete(),
            Ok(), new Header("Content-Length", "100"), Framed(BodyFraming.None), new Complete(),
            new StatusLine(HttpVersion.Http11, 404, "Not Found"), new Header("Transfer-Encoding", "chunked"), Framed(BodyFraming.Chunked),
            new Body("x"), new Complete(),
            Ok(), new Header("Connection", "close"), Framed(BodyFraming.CloseDelimited, keepAlive: false), new Body("rest"), new Complete(),
        ], methods: [HttpMethod.Get, HttpMethod.Head, HttpMethod.Get, HttpMethod.Get]);

    [Fact]
    public void Parser_should_stop_at_the_end_of_each_response_and_leave_the_next_bytes_unconsumed()
    {
        var parser = new HttpResponseParser();
        parser.EnqueueRequest(HttpMethod.Get);
        parser.EnqueueRequest(HttpMethod.Get);
        var handler = new RecordingHandler();
        var input = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\naHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb"u8;
        var first = parser.Parse(input, ref handler);
        Assert.Equal(new ParseResult(ParseStatus.ResponseComplete, input.Length / 2), first);
        Assert.Equal(1, parser.PendingRequests);
        var second = parser.Parse(input[first.Consumed..], ref handler);
        Assert.Equal(new ParseResult(ParseStatus.ResponseComplete, input.Length - first.Consumed), second);
        Assert.Equal(0, parser.PendingRequests);
    }

    [Fact]
    public void Parser_should_never_consume_an_unfinished_line()
    {
        var parser = new HttpResponseParser();
        var handler = new RecordingHandler();
        Assert.Equal(new ParseResult(ParseStatus.NeedMoreData, 17), parser.Parse("HTTP/1.1 200 OK\r\nContent-Ty"u8, ref handler));
        // The line is complete, but the next line might fold into it.
        Assert.Equal(new ParseResult(ParseStatus.NeedMoreData, 0), parser.Parse("Content-Type: text/html\r\n"u8, ref handler));
        Assert.Equal(new ParseResult(ParseStatus.NeedMoreData, 27), parser.Parse("Content-Type: text/html\r\n\r\n"u8, ref handler));
    }
}
