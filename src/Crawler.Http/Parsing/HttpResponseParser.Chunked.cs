using static Crawler.Http.Parsing.FieldSyntax;
using static Crawler.Http.Parsing.HttpChars;

namespace Crawler.Http.Parsing;

/// <summary>The chunked body (RFC 9112 §7.1): chunk-size lines, chunk data (read as a sized body), the CRLF after
/// each chunk, and the trailer section after the last one. Runtime's state names.</summary>
public sealed partial class HttpResponseParser
{
    private ParseStatus ChunkHeader(ReadOnlySpan<byte> input, ref int pos, bool eof)
    {
        var found = FindLine(input, pos, _limits.MaxChunkSizeLine, HttpParseError.ChunkLineTooLong, out var length, out var terminator,
            out var lineError);
        if (found == LineResult.Error)
        {
            return Fail(lineError, pos + length);
        }

        if (found == LineResult.NeedMore)
        {
            return eof ? Fail(HttpParseError.TruncatedBody, input.Length) : ParseStatus.NeedMoreData;
        }

        var error = ChunkSyntax.ParseChunkSize(input.Slice(pos, length), _limits.LfLineTerminators, out var size);
        if (error != HttpParseError.None)
        {
            return Fail(error, pos);
        }

        pos += length + terminator;
        if (size == 0)
        {
            // RFC 9112 §7.1: last-chunk, then the trailer section and an empty line.
            _headerBytes = 0;
            _state = State.ConsumeTrailers;
            return Continue;
        }

        if (size > _limits.MaxBodyBytes - _bodyBytes)
        {
            return Fail(HttpParseError.BodyTooLarge, pos);
        }

        _bodyBytes += size;
        _remaining = size;
        _state = State.ExpectChunkData;
        return Continue;
    }

    private ParseStatus ChunkTerminator(ReadOnlySpan<byte> input, ref int pos, bool eof)
    {
        // RFC 9112 §7.1: chunk-data is followed by CRLF.
        var available = input.Length - pos;
        if (available == 0 || (available == 1 && input[pos] == CR))
        {
            return eof ? Fail(HttpParseError.TruncatedBody, input.Length) : ParseStatus.NeedMoreData;
        }

        if (input[pos] == CR && input[pos + 1] == LF)
        {
            pos += 2;
        }
        else if (input[pos] == LF && _limits.LfLineTerminators)
        {
            pos += 1;
        }
        else
        {
            return Fail(HttpParseError.InvalidChunkTerminator, pos);
        }

        _state = State.ExpectChunkHeader;
        return Continue;
    }

    private ParseStatus Trailers<THandler>(ReadOnlySpan<byte> input, ref int pos, ref THandler handler, bool eof)
        where THandler : IHttpResponseHandler
    {
        var found = FindLine(input, pos, _limits.MaxHeaderBytes - _headerBytes, HttpParseError.HeadersTooLarge, out var length,
            out var terminator, out var lineError);
        if (found == LineResult.Error)
        {
            return Fail(lineError, pos + length);
        }

        if (found == LineResult.NeedMore)
        {
            if (!eof)
            {
                return ParseStatus.NeedMoreData;
            }

            // The last chunk arrived and only the final empty line is missing: the body is whole.
            return input.Length == pos ? CompleteResponse(ref handler) : Fail(HttpParseError.TruncatedBody, input.Length);
        }

        if (length == 0)
        {
            pos += terminator;
            return CompleteResponse(ref handler);
        }

        // Trailer fields are validated and counted but not reported (RFC 9110 §6.5: a recipient may discard them).
        // A line that starts with whitespace continues the previous field (obs-fold).
        var line = input.Slice(pos, length);
        if (line[0] is not (SP or HTAB))
        {
            var error = SplitField(line, out _, out _);
            if (error != HttpParseError.None)
            {
                return Fail(error, pos);
            }
        }

        _headerBytes += length + terminator;
        pos += length + terminator;
        return Continue;
    }
}
