using System.Net.Http;
using static Crawler.Http.Parsing.HttpChars;

namespace Crawler.Http.Parsing;

/// <summary>
/// An incremental, allocation-free HTTP/1.1 response parser (RFC 9112). It owns no buffer and does no I/O:
/// the caller passes the bytes it holds, the parser reports what it finds to an <see cref="IHttpResponseHandler"/>
/// and returns a <see cref="ParseResult"/> that says how many bytes it consumed and, on error, which error. An
/// unfinished line is never consumed; the caller keeps that tail and passes it again, followed by the next bytes.
/// One instance parses every response of one connection. The status line and body framing are here; the header
/// section is in <c>HttpResponseParser.Headers.cs</c>, the chunked body in <c>HttpResponseParser.Chunked.cs</c>.
/// </summary>
/// <remarks>
/// Deliberate choices where the RFC allows either behaviour (see the conformance notes in the README):
/// empty lines before a status line are skipped (llhttp does the same); a status line labelled HTTP/0.9 is
/// read as HTTP/1.0; a bare LF ends a line unless <see cref="HttpParserLimits.LfLineTerminators"/> is off, and in
/// that same lenient mode whitespace after a chunk size is ignored; a connection closed right after a complete
/// header line ends the header section (as browsers do); a chunked body that ended with its last chunk is complete
/// at EOF even when the final empty line is missing; <c>Proxy-Connection: close</c> is honoured like
/// <c>Connection: close</c>. Errors are returned, never thrown.
/// </remarks>
public sealed partial class HttpResponseParser
{
    private enum State : byte
    {
        StatusLine,
        Headers,
        ContentLengthBody,
        CloseDelimitedBody,
        ExpectChunkHeader,
        ExpectChunkData,
        ExpectChunkTerminator,
        ConsumeTrailers,
        Failed,
    }

    /// <summary>A state finished and the next one goes on with the same input (never returned to the caller).</summary>
    private const ParseStatus Continue = (ParseStatus)byte.MaxValue;

    private readonly HttpParserLimits _limits;
    private readonly Queue<HttpMethod> _requests = new();
    private State _state;
    private ParseResult _failure;

    // How many bytes of the unfinished line at the start of the next input were already searched for LF
    // (runtime's and Akka Framing's "next possible match": new bytes never force a rescan).
    private int _scanned;
    private long _streamOffset;

    // The response being parsed.
    private bool _started;
    private bool _interimSeen;
    private HttpVersion _version;
    private int _statusCode;
    private bool _interim;
    private long _remaining;
    private long _bodyBytes;

    /// <summary>Creates a parser with the given limits and strictness.</summary>
    public HttpResponseParser(HttpParserLimits? limits = null)
    {
        _limits = limits ?? HttpParserLimits.Default;
        ResetResponse();
    }

    /// <summary>True once a byte of the current response (other than skipped empty lines) has been consumed,
    /// including an interim (1xx) response that precedes it.</summary>
    public bool IsResponseStarted => _started || _interimSeen;

    /// <summary>How many requests are waiting for their response.</summary>
    public int PendingRequests => _requests.Count;

    /// <summary>Records that a request was sent, so the response to it is framed by its method: a response to
    /// HEAD has no body (RFC 9112 §6.3 rule 1). Call once per request, in the order they were written.</summary>
    public void EnqueueRequest(HttpMethod method) => _requests.Enqueue(method);

    /// <summary>Forgets everything: queued requests, the response in progress and any error.</summary>
    public void Reset()
    {
        _requests.Clear();
        _interimSeen = false;
        _state = State.StatusLine;
        _failure = default;
        _scanned = 0;
        _streamOffset = 0;
        ResetResponse();
    }

    /// <summary>
    /// Parses as much of <paramref name="input"/> as possible. The status is <see cref="ParseStatus.ResponseComplete"/>
    /// as soon as a final response ended (at <see cref="ParseResult.Consumed"/>; later bytes belong to the next
    /// response), <see cref="ParseStatus.NeedMoreData"/> when every complete element was consumed (pass the
    /// unconsumed tail again with more bytes), or <see cref="ParseStatus.Error"/>, which every later call repeats.
    /// </summary>
    public ParseResult Parse<THandler>(ReadOnlySpan<byte> input, ref THandler handler)
        where THandler : IHttpResponseHandler
        => Run(input, ref handler, endOfStream: false);

    /// <summary>
    /// Tells the parser that the connection was closed after <paramref name="tail"/> (the bytes not consumed by
    /// the last <see cref="Parse{THandler}"/>). A body delimited by the close ends here; anything else unfinished
    /// is an error: <see cref="HttpParseError.NoResponse"/>, <see cref="HttpParseError.TruncatedHead"/> or
    /// <see cref="HttpParseError.TruncatedBody"/>.
    /// </summary>
    public ParseResult Complete<THandler>(ReadOnlySpan<byte> tail, ref THandler handler)
        where THandler : IHttpResponseHandler
        => Run(tail, ref handler, endOfStream: true);

    private ParseResult Run<THandler>(ReadOnlySpan<byte> input, ref THandler handler, bool endOfStream)
        where THandler : IHttpResponseHandler
    {
        if (_state == State.Failed)
        {
            return _failure with { Consumed = 0 };
        }

        var pos = 0;
        var status = Step(input, ref pos, ref handler, endOfStream);
        _streamOffset += pos;
        return status == ParseStatus.Error ? _failure with { Consumed = pos } : new ParseResult(status, pos);
    }

    private ParseStatus Step<THandler>(ReadOnlySpan<byte> input, ref int pos, ref THandler handler, bool eof)
        where THandler : IHttpResponseHandler
    {
        while (true)
        {
            var status = _state switch
            {
                State.StatusLine => StatusLine(input, ref pos, ref handler, eof),
                State.Headers => HeaderSection(input, ref pos, ref handler, eof),
                State.ContentLengthBody or State.ExpectChunkData => SizedBody(input, ref pos, ref handler, eof),
                State.CloseDelimitedBody => CloseDelimitedBody(input, ref pos, ref handler, eof),
                State.ExpectChunkHeader => ChunkHeader(input, ref pos, eof),
                State.ExpectChunkTerminator => ChunkTerminator(input, ref pos, eof),
                State.ConsumeTrailers => Trailers(input, ref pos, ref handler, eof),
                _ => ParseStatus.Error,
            };

            // Continue means "a state finished, go on with the next one"; anything else goes to the caller.
            if (status != Continue)
            {
                return status;
            }
        }
    }

    private ParseStatus StatusLine<THandler>(ReadOnlySpan<byte> input, ref int pos, ref THandler handler, bool eof)
        where THandler : IHttpResponseHandler
    {
        var found = FindLine(input, pos, _limits.MaxStatusLineLength, HttpParseError.StatusLineTooLong, out var length, out var terminator,
            out var lineError);
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

            var nothingYet = input.Length == pos && !_started && !_interimSeen;
            return Fail(nothingYet ? HttpParseError.NoResponse : HttpParseError.TruncatedHead, input.Length);
        }

        if (length == 0)
        {
            // Empty lines before a status line are skipped (RFC 9112 §2.2 robustness, as llhttp does; servers send
            // a stray CRLF after a body or after a 1xx).
            pos += terminator;
            return Continue;
        }

        var error = ParseStatusLine(input.Slice(pos, length), ref handler);
        if (error != HttpParseError.None)
        {
            return Fail(error, pos);
        }

        _started = true;
        pos += length + terminator;
        _state = State.Headers;
        return Continue;
    }

    private HttpParseError ParseStatusLine<THandler>(ReadOnlySpan<byte> line, ref THandler handler)
        where THandler : IHttpResponseHandler
    {
        // RFC 9112 §4: status-line = HTTP-version SP status-code SP [ reason-phrase ]. The SP before an empty
        // reason is optional in practice (runtime's ParseStatusLineCore accepts "HTTP/1.1 200").
        if (line.Length < 12 || !line.StartsWith("HTTP/"u8) || !IsDigit(line[5]) || line[6] != (byte)'.'
            || !IsDigit(line[7]) || line[8] != SP)
        {
            return HttpParseError.InvalidStatusLine;
        }

        switch ((line[5], line[7]))
        {
            case ((byte)'1', (byte)'1'):
                _version = HttpVersion.Http11;
                break;
            case ((byte)'1', (byte)'0'):
                _version = HttpVersion.Http10;
                break;
            case ((byte)'0', (byte)'9'):
                _version = HttpVersion.Http09;
                break;
            default:
                return HttpParseError.UnsupportedVersion;
        }

        if (!IsDigit(line[9]) || !IsDigit(line[10]) || !IsDigit(line[11]) || (line.Length > 12 && line[12] != SP))
        {
            return HttpParseError.InvalidStatusCode;
        }

        _statusCode = ((line[9] - '0') * 100) + ((line[10] - '0') * 10) + (line[11] - '0');
        if (_statusCode < 100)
        {
            return HttpParseError.InvalidStatusCode;
        }

        var reason = line.Length > 13 ? line[13..] : [];
        if (ContainsInvalidValueByte(reason))
        {
            return HttpParseError.InvalidStatusLine;
        }

        _interim = _statusCode is >= 100 and < 200 and not 101;
        if (!_interim)
        {
            handler.OnStatusLine(_version, _statusCode, reason);
        }

        return HttpParseError.None;
    }

    /// <summary>A Content-Length body, or the data of one chunk: <see cref="_remaining"/> bytes.</summary>
    private ParseStatus SizedBody<THandler>(ReadOnlySpan<byte> input, ref int pos, ref THandler handler, bool eof)
        where THandler : IHttpResponseHandler
    {
        var available = input.Length - pos;
        if (available == 0)
        {
            return eof ? Fail(HttpParseError.TruncatedBody, pos) : ParseStatus.NeedMoreData;
        }

        var take = (int)Math.Min(_remaining, available);
        handler.OnBody(input.Slice(pos, take));
        pos += take;
        _remaining -= take;
        if (_remaining > 0)
        {
            return Continue; // the input is used up: the next round asks for more (or finds the body truncated)
        }

        if (_state == State.ContentLengthBody)
        {
            return CompleteResponse(ref handler);
        }

        _state = State.ExpectChunkTerminator;
        return Continue;
    }

    private ParseStatus CloseDelimitedBody<THandler>(ReadOnlySpan<byte> input, ref int pos, ref THandler handler, bool eof)
        where THandler : IHttpResponseHandler
    {
        var available = input.Length - pos;
        if (available > 0)
        {
            // RFC 9112 §6.3 rule 8: the body runs until the server closes the connection.
            if (_bodyBytes + available > _limits.MaxBodyBytes)
            {
                return Fail(HttpParseError.BodyTooLarge, pos + (int)(_limits.MaxBodyBytes - _bodyBytes));
            }

            handler.OnBody(input[pos..]);
            _bodyBytes += available;
            pos = input.Length;
        }

        return eof ? CompleteResponse(ref handler) : ParseStatus.NeedMoreData;
    }

    private ParseStatus CompleteResponse<THandler>(ref THandler handler)
        where THandler : IHttpResponseHandler
    {
        handler.OnResponseComplete();
        _requests.TryDequeue(out _);
        ResetResponse();
        _interimSeen = false;
        _state = State.StatusLine;
        return ParseStatus.ResponseComplete;
    }

    private void ResetResponse()
    {
        _started = false;
        _version = HttpVersion.Http11;
        _statusCode = 0;
        _interim = false;
        _remaining = 0;
        _bodyBytes = 0;
        ResetHeaders();
    }

    private enum LineResult : byte
    {
        Found,
        NeedMore,
        Error,
    }

    /// <summary>Finds the line that starts at <paramref name="start"/>. On <see cref="LineResult.Error"/>,
    /// <paramref name="error"/> says why (<paramref name="tooLong"/>, or a bad line ending) and
    /// <paramref name="length"/> is the offset of the offending byte from <paramref name="start"/>.</summary>
    private LineResult FindLine(ReadOnlySpan<byte> input, int start, int maxLength, HttpParseError tooLong, out int length,
        out int terminator, out HttpParseError error)
    {
        error = HttpParseError.None;
        terminator = 0;
        var searchFrom = start + Math.Min(_scanned, input.Length - start);
        var lf = input[searchFrom..].IndexOf(LF);
        if (lf < 0)
        {
            length = 0;
            _scanned = input.Length - start;
            if (_scanned > maxLength + 1)
            {
                length = maxLength;
                error = tooLong;
                return LineResult.Error;
            }

            return LineResult.NeedMore;
        }

        var end = searchFrom + lf;
        _scanned = 0;
        length = end - start;
        terminator = 1;
        if (length > maxLength + 1)
        {
            // Too long whatever its ending: the same answer the incremental path gives when the LF comes in a later read
            // (found by fuzzing with random splits: whole, a bare LF was reported as the bad line ending instead).
            length = maxLength;
            error = tooLong;
            return LineResult.Error;
        }

        if (length > 0 && input[end - 1] == CR)
        {
            length--;
            terminator = 2;
        }
        else if (!_limits.LfLineTerminators)
        {
            // RFC 9112 §2.2: a recipient MAY accept a bare LF; in strict mode it does not.
            error = HttpParseError.InvalidLineEnding;
            return LineResult.Error;
        }

        if (length > maxLength)
        {
            length = maxLength;
            error = tooLong;
            return LineResult.Error;
        }

        // RFC 9112 §2.2: a bare CR inside a protocol element is invalid.
        var cr = input.Slice(start, length).IndexOf(CR);
        if (cr >= 0)
        {
            length = cr;
            error = HttpParseError.InvalidLineEnding;
            return LineResult.Error;
        }

        return LineResult.Found;
    }

    private ParseStatus Fail(HttpParseError error, int pos)
    {
        _failure = new ParseResult(ParseStatus.Error, 0, error, _streamOffset + pos);
        _state = State.Failed;
        return ParseStatus.Error;
    }
}
