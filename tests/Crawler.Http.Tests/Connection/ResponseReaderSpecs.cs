using System.IO.Compression;
using System.Net.Http;
using System.Text;
using Akka.IO;
using Crawler.Http.Connection;
using Crawler.Http.Parsing;

namespace Crawler.Http.Tests.Connection;

/// <summary>Bytes in, responses out: framing across reads, pipelined responses in one read, decoding, broken streams,
/// and the end of the stream.</summary>
public sealed class ResponseReaderSpecs
{
    private static readonly Http.Send Request = Http.Send.Get(9, new Uri("http://a.test/"));

    private static ResponseReader Reader() => new(HttpParserLimits.Default with { MaxBodyBytes = 1000 }, "a.test:80");

    private static ByteString Bytes(string text) => ByteString.FromBytes(Encoding.Latin1.GetBytes(text));

    [Fact]
    public void A_response_split_over_reads_should_come_out_once_it_is_whole()
    {
        using var reader = Reader();
        reader.Expect(HttpMethod.Get);
        reader.Append(Bytes("HTTP/1.1 200 OK\r\nContent-Len"));
        Assert.Equal(ReadStatus.NeedMore, reader.Next(Request).Status);
        Assert.True(reader.IsResponseStarted);
        reader.Append(Bytes("gth: 5\r\n\r\nhello"));
        var outcome = reader.Next(Request);
        Assert.Equal((ReadStatus.Complete, true, 9L, "hello"), (outcome.Status, outcome.KeepAlive, outcome.Response!.RequestId,
            Encoding.UTF8.GetString(outcome.Response.Body.Span)));
    }

    [Fact]
    public void Two_pipelined_responses_in_one_read_should_come_out_one_after_the_other()
    {
        using var reader = Reader();
        reader.Expect(HttpMethod.Get);
        reader.Expect(HttpMethod.Head);
        reader.Append(Bytes("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\naHTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n"));
        Assert.Equal("a", Encoding.UTF8.GetString(reader.Next(Request).Response!.Body.Span));
        Assert.True(reader.HasBufferedBytes);
        var head = reader.Next(Request);
        Assert.Equal((ReadStatus.Complete, 0), (head.Status, head.Response!.Body.Length)); // HEAD: no body, whatever the length says
        Assert.False(reader.HasBufferedBytes);
    }

    [Fact]
    public void A_compressed_body_should_come_out_decoded_and_one_that_will_not_decode_as_a_failure()
    {
        using var reader = Reader();
        using var gzipped = new MemoryStream();
        using (var gzip = new GZipStream(gzipped, CompressionMode.Compress, leaveOpen: true))
        {
            gzip.Write("decoded"u8);
        }

        reader.Expect(HttpMethod.Get);
        reader.Append(Bytes($"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: {gzipped.Length}\r\n\r\n"));
        reader.Append(ByteString.FromBytes(gzipped.ToArray()));
        Assert.Equal("decoded", Encoding.UTF8.GetString(reader.Next(Request).Response!.Body.Span));

        reader.Expect(HttpMethod.Get);
        reader.Append(Bytes("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 4\r\n\r\nnope"));
        var corrupt = reader.Next(Request);
        Assert.Equal((ReadStatus.Complete, HttpFailureKind.Protocol, true), (corrupt.Status, corrupt.Failure!.Kind, corrupt.KeepAlive));
    }

    [Theory]
    [InlineData("garbage\r\n\r\n", HttpFailureKind.Protocol)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n", HttpFailureKind.TooLarge)]
    public void Bytes_that_are_not_a_valid_response_should_break_the_stream(string raw, HttpFailureKind kind)
    {
        using var reader = Reader();
        reader.Expect(HttpMethod.Get);
        reader.Append(Bytes(raw));
        var outcome = reader.Next(Request);
        Assert.Equal((ReadStatus.Broken, kind), (outcome.Status, outcome.Failure!.Kind));
    }

    [Fact]
    public void The_end_of_the_stream_should_end_a_close_delimited_body_cut_off_a_sized_one_and_tell_an_empty_answer_apart()
    {
        using var delimited = Reader();
        delimited.Expect(HttpMethod.Get);
        delimited.Append(Bytes("HTTP/1.1 200 OK\r\n\r\nall of it"));
        Assert.Equal(ReadStatus.NeedMore, delimited.Next(Request).Status);
        var ended = delimited.End(Request);
        Assert.Equal((ReadStatus.Complete, false, "all of it"), (ended.Status, ended.KeepAlive, Encoding.UTF8.GetString(ended.Response!.Body.Span)));

        using var sized = Reader();
        sized.Expect(HttpMethod.Get);
        sized.Append(Bytes("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"));
        sized.Next(Request);
        Assert.Equal((ReadStatus.Broken, HttpFailureKind.Protocol), (sized.End(Request).Status, sized.End(Request).Failure!.Kind));

        using var nothing = Reader();
        nothing.Expect(HttpMethod.Get);
        Assert.Equal(ReadStatus.NoResponse, nothing.End(Request).Status);
    }

    [Fact]
    public void Reads_split_anywhere_or_made_of_several_segments_should_give_the_same_responses_and_leave_no_array_held()
    {
        const string wire = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
                            + "HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nno!";
        for (var cut = 0; cut <= wire.Length; cut++)
        {
            foreach (var segmented in new[] { false, true })
            {
                using var reader = Reader();
                reader.Expect(HttpMethod.Get);
                reader.Expect(HttpMethod.Get);
                var first = Bytes(wire[..cut]);
                var second = Bytes(wire[cut..]);
                var outcomes = new List<ReadOutcome>();
                foreach (var read in segmented ? [first.Concat(Bytes("")).Concat(second)] : new[] { first, second })
                {
                    reader.Append(read);
                    while (reader.Next(Request) is { Status: ReadStatus.Complete } outcome)
                    {
                        outcomes.Add(outcome);
                    }
                }

                Assert.Equal([(200, "hello world"), (404, "no!")],
                    outcomes.Select(o => (o.Response!.StatusCode, Encoding.UTF8.GetString(o.Response.Body.Span))));
                Assert.False(reader.HasBufferedBytes);
                Assert.Equal(0, reader.BufferCapacity); // nothing waits, so no pooled array is held
            }
        }
    }
}
