using System.Text;
using Crawler.Http.Parsing;
using static Crawler.Http.Tests.Parsing.ParserEvent;

namespace Crawler.Http.Tests.Parsing;

public sealed class HttpResponseParserChunkedSpecs : ParserSpecsBase
{
    private static readonly HttpParserLimits Strict = HttpParserLimits.Default with { LfLineTerminators = false };

    [Theory]
    [MemberData(nameof(LineEndings))]
    public void Parser_should_join_chunks_and_skip_extensions_and_trailers(LineEnding ending) =>
        AssertParses("""
            HTTP/1.1 200 OK
            Transfer-Encoding: gzip, chunked

            5;name=value;flag
            hello
            1A ; q="quoted \" ; string"
            , and the rest of the body
            0
            Expires: never
            X-Trailer: yes


            """, ending, [Ok(), new Header("Transfer-Encoding", "gzip, chunked"), Framed(BodyFraming.Chunked),
            new Body("hello, and the rest of the body"), new Complete()]);

    [Theory]
    [MemberData(nameof(LineEndings))]
    public void Parser_should_read_an_empty_chunked_body(LineEnding ending) =>
        AssertParses("""
            HTTP/1.1 200 OK
            Transfer-Encoding: chunked

            0


            """, ending, [Ok(), new Header("Transfer-Encoding", "chunked"), Framed(BodyFraming.Chunked), new Complete()]);

    [Fact]
    public void Parser_should_treat_a_transfer_coding_that_does_not_end_in_chunked_as_close_delimited() =>
        ParserHarness.AssertParses("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n2\r\nOK"u8.ToArray(),
            [Ok(), new Header("Transfer-Encoding", "chunked, gzip"), Framed(BodyFraming.CloseDelimited, keepAlive: false),
                new Body("2\r\nOK"), new Complete()]);

    [Theory]
    [InlineData("zz\r\nhello\r\n0\r\n\r\n", HttpParseError.InvalidChunkSize)]
    [InlineData("\r\nhello\r\n0\r\n\r\n", HttpParseError.InvalidChunkSize)]
    [InlineData("5 x\r\nhello\r\n0\r\n\r\n", HttpParseError.InvalidChunkSize)]
    [InlineData("10000000000000000\r\n", HttpParseError.InvalidChunkSize)]
    [InlineData("5;\r\nhello\r\n0\r\n\r\n", HttpParseError.InvalidChunkExtension)]
    [InlineData("5;a=\"open\r\nhello\r\n0\r\n\r\n", HttpParseError.InvalidChunkExtension)]
    [InlineData("5;a=b c\r\nhello\r\n0\r\n\r\n", HttpParseError.InvalidChunkExtension)]
    [InlineData("5\r\nhelloXY0\r\n\r\n", HttpParseError.InvalidChunkTerminator)]
    [InlineData("0\r\nBad Trailer: x\r\n\r\n", HttpParseError.InvalidHeaderName)]
    public void Parser_should_reject_a_malformed_chunk(string body, HttpParseError error) =>
        AssertRejects(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body), error);

    [Fact]
    public void Parser_should_accept_whitespace_after_a_chunk_size_only_when_lenient()
    {
        var raw = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2  \r\nok\r\n0\r\n\r\n"u8.ToArray();
        ParserHarness.AssertParses(raw, [Ok(), new Header("Transfer-Encoding", "chunked"), Framed(BodyFraming.Chunked), new Body("ok"), new Complete()]);
        AssertRejects(raw, HttpParseError.InvalidChunkSize, Strict);
    }

    [Fact]
    public void Parser_should_reject_chunks_over_the_body_limit_before_reading_them() =>
        AssertRejects("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n400\r\n"u8.ToArray(), HttpParseError.BodyTooLarge,
            HttpParserLimits.Default with { MaxBodyBytes = 100 },
            before: [Ok(), new Header("Transfer-Encoding", "chunked"), Framed(BodyFraming.Chunked)]);

    [Fact]
    public void Parser_should_count_every_chunk_against_the_body_limit() =>
        AssertRejects(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
            string.Concat(Enumerable.Repeat("a\r\n0123456789\r\n", 11)) + "0\r\n\r\n"), HttpParseError.BodyTooLarge,
            HttpParserLimits.Default with { MaxBodyBytes = 100 });

    [Fact]
    public void Parser_should_reject_a_chunk_size_line_over_its_limit() =>
        AssertRejects(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;" + new string('a', 200)),
            HttpParseError.ChunkLineTooLong, HttpParserLimits.Default with { MaxChunkSizeLine = 64 });

    [Theory]
    [InlineData("5\r\nhel")]
    [InlineData("5\r\nhello")]
    [InlineData("5\r\nhello\r\n")]
    [InlineData("5\r\nhello\r\n0")]
    public void Parser_should_report_a_truncated_chunked_body(string body) =>
        AssertRejects(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body), HttpParseError.TruncatedBody);

    [Fact]
    public void Parser_should_complete_a_chunked_body_whose_final_empty_line_was_cut_by_the_close() =>
        ParserHarness.AssertParses("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n"u8.ToArray(),
            [Ok(), new Header("Transfer-Encoding", "chunked"), Framed(BodyFraming.Chunked), new Body("ok"), new Complete()]);
}
