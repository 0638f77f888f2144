using System.Net.Http;

namespace Crawler.Http.Parsing;

/// <summary>
/// An incremental, allocation-free HTTP/1.1 response parser (RFC 9112). It owns no buffer and does no I/O:
/// the caller passes the bytes it holds, the parser reports what it finds to an <see cref="IHttpResponseHandler"/>
/// and says how many bytes it consumed. An unfinished line is never consumed; the caller keeps that tail and
/// passes it again, followed by the next bytes. One instance parses every response of one connection.
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
public sealed class HttpResponseParser
{
    private const byte CR = (byte)'\r';
    private const byte LF = (byte)'\n';
    private const byte SP = (byte)' ';
    private const byte HTAB = (byte)'\t';
    private const byte Colon = (byte)':';
    private const byte Semicolon = (byte)';';
    private const byte Equal = (byte)'=';
    private const byte DQuote = (byte)'"';
    private const byte Backslash = (byte)'\\';

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

    private readonly HttpParserLimits _limits;
    private readonly Queue<HttpMethod> _requests = new();
    private State _state;

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
    private int _headerCount;
    private int _headerBytes;
    private long _contentLength;
    private bool _hasContentLength;
    private bool _hasTransferEncoding;
    private bool _chunked;
    private bool _closeRequested;
    private bool _keepAliveRequested;
    private long _remaining;
    private long _bodyBytes;
    private byte[]? _foldBuffer;

    /// <summary>Creates a parser with the given limits and strictness.</summary>
    public HttpResponseParser(HttpParserLimits? limits = null)
    {
        _limits = limits ?? HttpParserLimits.Default;
        ResetResponse();
    }

    /// <summary>The error that stopped the parser, or <see cref="HttpParseError.None"/>.</summary>
    public HttpParseError Error { get; private set; }

    /// <summary>Where in the byte stream (counted from the first byte this parser saw) the error was found.</summary>
    public long ErrorOffset { get; private set; }

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
        _scanned = 0;
        _streamOffset = 0;
        Error = HttpParseError.None;
        ErrorOffset = 0;
        ResetResponse();
    }

    /// <summary>
    /// Parses as much of <paramref name="input"/> as possible. Returns <see cref="ParseStatus.ResponseComplete"/>
    /// as soon as a final response ended (at <paramref name="consumed"/>; later bytes belong to the next
    /// response), <see cref="ParseStatus.NeedMoreData"/> when every complete element was consumed (pass the
    /// unconsumed tail again with more bytes), or <see cref="ParseStatus.Error"/>.
    /// </summary>
    public ParseStatus Parse<THandler>(ReadOnlySpan<byte> input, ref THandler handler, out int consumed)
        where THandler : IHttpResponseHandler
        => Run(input, ref handler, endOfStream: false, out consumed);

    /// <summary>
    /// Tells the parser that the connection was closed after <paramref name="tail"/> (the bytes not consumed by
    /// the last <see cref="Parse{THandler}"/>). A body delimited by the close ends here; anything else unfinished
    /// is an error: <see cref="HttpParseError.NoResponse"/>, <see cref="HttpParseError.TruncatedHead"/> or
    /// <see cref="HttpParseError.TruncatedBody"/>.
    /// </summary>
    public ParseStatus Complete<THandler>(ReadOnlySpan<byte> tail, ref THandler handler, out int consumed)
        where THandler : IHttpResponseHandler
        => Run(tail, ref handler, endOfStream: true, out consumed);

    private ParseStatus Run<THandler>(ReadOnlySpan<byte> input, ref THandler handler, bool endOfStream, out int consumed)
        where THandler : IHttpResponseHandler
    {
        var pos = 0;
        var status = _state == State.Failed ? ParseStatus.Error : Step(input, ref pos, ref handler, endOfStream);
        consumed = pos;
        _streamOffset += pos;
        return status;
    }

    private ParseStatus Step<THandler>(ReadOnlySpan<byte> input, ref int pos, ref THandler handler, bool eof)
        where THandler : IHttpResponseHandler
    {
        while (true)
        {
            switch (_state)
            {
                case State.StatusLine:
                {
                    var found = FindLine(input, pos, _limits.MaxStatusLineLength, HttpParseError.StatusLineTooLong,
                        out var length, out var terminator);
                    if (found == LineResult.Error)
                    {
                        return Fail(pos + length);
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
                        // Empty lines before a status line are skipped (RFC 9112 §2.2 robustness, as llhttp does;
                        // servers send a stray CRLF after a body or after a 1xx).
                        pos += terminator;
                        continue;
                    }

                    var error = ParseStatusLine(input.Slice(pos, length), ref handler);
                    if (error != HttpParseError.None)
                    {
                        return Fail(error, pos);
                    }

                    _started = true;
                    pos += length + terminator;
                    _state = State.Headers;
                    continue;
                }

                case State.Headers:
                {
                    var status = ParseHeaderLines(input, ref pos, ref handler, eof);
                    if (status != ParseStatus.ResponseComplete)
                    {
                        return status;
                    }

                    // ResponseComplete here means "the header section ended"; decide how the body is framed.
                    var framed = FinishHeaders(ref handler, pos);
                    if (framed != ParseStatus.NeedMoreData)
                    {
                        return framed;
                    }

                    continue;
                }

                case State.ContentLengthBody:
                case State.ExpectChunkData:
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
                        continue;
                    }

                    if (_state == State.ContentLengthBody)
                    {
                        return CompleteResponse(ref handler);
                    }

                    _state = State.ExpectChunkTerminator;
                    continue;
                }

                case State.CloseDelimitedBody:
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

                case State.ExpectChunkHeader:
                {
                    var found = FindLine(input, pos, _limits.MaxChunkSizeLine, HttpParseError.ChunkLineTooLong,
                        out var length, out var terminator);
                    if (found == LineResult.Error)
                    {
                        return Fail(pos + length);
                    }

                    if (found == LineResult.NeedMore)
                    {
                        return eof ? Fail(HttpParseError.TruncatedBody, input.Length) : ParseStatus.NeedMoreData;
                    }

                    var error = ParseChunkSize(input.Slice(pos, length), out var size);
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
                        continue;
                    }

                    if (size > _limits.MaxBodyBytes - _bodyBytes)
                    {
                        return Fail(HttpParseError.BodyTooLarge, pos);
                    }

                    _bodyBytes += size;
                    _remaining = size;
                    _state = State.ExpectChunkData;
                    continue;
                }

                case State.ExpectChunkTerminator:
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
                    continue;
                }

                case State.ConsumeTrailers:
                {
                    var found = FindLine(input, pos, _limits.MaxHeaderBytes - _headerBytes, HttpParseError.HeadersTooLarge,
                        out var length, out var terminator);
                    if (found == LineResult.Error)
                    {
                        return Fail(pos + length);
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

                    // Trailer fields are validated and counted but not reported (RFC 9110 §6.5: a recipient may
                    // discard them). A line that starts with whitespace continues the previous field (obs-fold).
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
                    continue;
                }

                default:
                    return ParseStatus.Error;
            }
        }
    }

    private ParseStatus ParseHeaderLines<THandler>(ReadOnlySpan<byte> input, ref int pos, ref THandler handler, bool eof)
        where THandler : IHttpResponseHandler
    {
        while (true)
        {
            var budget = _limits.MaxHeaderBytes - _headerBytes;
            var found = FindLine(input, pos, budget, HttpParseError.HeadersTooLarge, out var length, out var terminator);
            if (found == LineResult.Error)
            {
                return Fail(pos + length);
            }

            if (found == LineResult.NeedMore)
            {
                if (!eof)
                {
                    return ParseStatus.NeedMoreData;
                }

                // A server that closes right after a complete header line ended its header section there.
                return input.Length == pos ? ParseStatus.ResponseComplete : Fail(HttpParseError.TruncatedHead, input.Length);
            }

            if (length == 0)
            {
                // RFC 9112 §2.1: the empty line ends the header section.
                pos += terminator;
                _headerBytes += terminator;
                return ParseStatus.ResponseComplete;
            }

            if (input[pos] is SP or HTAB)
            {
                // RFC 9112 §2.2: whitespace between the start line and the first field line is rejected.
                return Fail(HttpParseError.UnexpectedWhitespace, pos);
            }

            // A field line is only consumed once the first byte of the next line is known, since a line that
            // starts with whitespace would continue it (obs-fold, RFC 9112 §5.2).
            var next = pos + length + terminator;
            var foldEnd = next;
            var lineCount = 1;
            while (true)
            {
                if (foldEnd >= input.Length)
                {
                    if (!eof)
                    {
                        _scanned = 0;
                        if (lineCount == 1)
                        {
                            _scanned = length + terminator - 1;
                        }

                        return ParseStatus.NeedMoreData;
                    }

                    break;
                }

                if (input[foldEnd] is not (SP or HTAB))
                {
                    break;
                }

                var more = FindLine(input, foldEnd, budget - (foldEnd - pos), HttpParseError.HeadersTooLarge,
                    out var foldLength, out var foldTerminator);
                if (more == LineResult.Error)
                {
                    return Fail(foldEnd + foldLength);
                }

                if (more == LineResult.NeedMore)
                {
                    _scanned = 0;
                    return eof ? Fail(HttpParseError.TruncatedHead, input.Length) : ParseStatus.NeedMoreData;
                }

                foldEnd += foldLength + foldTerminator;
                lineCount++;
            }

            _scanned = 0;
            if (++_headerCount > _limits.MaxHeaderCount)
            {
                return Fail(HttpParseError.TooManyHeaders, pos);
            }

            var error = lineCount == 1
                ? OnFieldLine(input.Slice(pos, length), ref handler)
                : OnFoldedFieldLine(input[pos..foldEnd], ref handler);
            if (error != HttpParseError.None)
            {
                return Fail(error, pos);
            }

            _headerBytes += foldEnd - pos;
            pos = foldEnd;
        }
    }

    private HttpParseError OnFieldLine<THandler>(ReadOnlySpan<byte> line, ref THandler handler)
        where THandler : IHttpResponseHandler
    {
        var error = SplitField(line, out var name, out var value);
        if (error != HttpParseError.None)
        {
            return error;
        }

        return OnField(name, value, ref handler);
    }

    private HttpParseError OnFoldedFieldLine<THandler>(ReadOnlySpan<byte> lines, ref THandler handler)
        where THandler : IHttpResponseHandler
    {
        // RFC 9112 §5.2: each obs-fold is replaced by one SP before the value is interpreted.
        var first = lines.IndexOf(LF);
        var firstLine = TrimLineEnd(lines[..first]);
        var error = SplitField(firstLine, out var name, out var value);
        if (error != HttpParseError.None)
        {
            return error;
        }

        if (_foldBuffer is null || _foldBuffer.Length < lines.Length)
        {
            _foldBuffer = new byte[Math.Max(256, lines.Length)];
        }

        var written = 0;
        value.CopyTo(_foldBuffer);
        written += value.Length;
        var rest = lines[(first + 1)..];
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf(LF);
            var continuation = TrimOws(TrimLineEnd(rest[..end]));
            if (ContainsInvalidValueByte(continuation))
            {
                return HttpParseError.InvalidHeaderValue;
            }

            if (continuation.Length > 0)
            {
                if (written > 0)
                {
                    _foldBuffer[written++] = SP;
                }

                continuation.CopyTo(_foldBuffer.AsSpan(written));
                written += continuation.Length;
            }

            rest = rest[(end + 1)..];
        }

        return OnField(name, _foldBuffer.AsSpan(0, written), ref handler);
    }

    private HttpParseError OnField<THandler>(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, ref THandler handler)
        where THandler : IHttpResponseHandler
    {
        if (EqualsIgnoreCase(name, "Content-Length"u8))
        {
            // RFC 9112 §6.3 rule 5: several values (lines or a list) must all be the same valid number.
            var error = ParseContentLength(value, out var length);
            if (error != HttpParseError.None)
            {
                return error;
            }

            if (_hasContentLength && _contentLength != length)
            {
                return HttpParseError.ConflictingContentLength;
            }

            _hasContentLength = true;
            _contentLength = length;
        }
        else if (EqualsIgnoreCase(name, "Transfer-Encoding"u8))
        {
            // RFC 9112 §6.3 rule 4: chunked counts only as the final coding of the last field line.
            _hasTransferEncoding = true;
            _chunked = EqualsIgnoreCase(LastListElement(value), "chunked"u8);
        }
        else if (EqualsIgnoreCase(name, "Connection"u8) || EqualsIgnoreCase(name, "Proxy-Connection"u8))
        {
            // RFC 9112 §9.3/§9.6: "close" ends the connection after this response; HTTP/1.0 needs "keep-alive".
            ScanConnectionOptions(value);
        }

        if (!_interim)
        {
            handler.OnHeader(name, value);
        }

        return HttpParseError.None;
    }

    private ParseStatus FinishHeaders<THandler>(ref THandler handler, int pos)
        where THandler : IHttpResponseHandler
    {
        if (_interim)
        {
            // RFC 9110 §15.2: a 1xx other than 101 is followed by the final response; skip it.
            handler.OnInterimResponse(_statusCode);
            ResetResponse();
            _interimSeen = true;
            _state = State.StatusLine;
            return ParseStatus.NeedMoreData;
        }

        var isHead = _requests.TryPeek(out var method) && method == HttpMethod.Head;
        BodyFraming framing;
        if (_statusCode == 101)
        {
            // RFC 9110 §15.2.2: the response ends at its header section; what follows is another protocol.
            framing = BodyFraming.Upgrade;
        }
        else if (isHead || _statusCode is 204 or 304)
        {
            // RFC 9112 §6.3 rule 1: never a body, whatever the framing headers say.
            framing = BodyFraming.None;
        }
        else if (_hasTransferEncoding)
        {
            // RFC 9112 §6.3 rule 3: Transfer-Encoding with Content-Length is rejected rather than guessed
            // (the request smuggling defence), even though a client may let Transfer-Encoding win.
            if (_hasContentLength)
            {
                return Fail(HttpParseError.TransferEncodingWithContentLength, pos);
            }

            framing = _chunked ? BodyFraming.Chunked : BodyFraming.CloseDelimited;
        }
        else if (_hasContentLength)
        {
            framing = BodyFraming.ContentLength;
            if (_contentLength > _limits.MaxBodyBytes)
            {
                return Fail(HttpParseError.BodyTooLarge, pos);
            }
        }
        else
        {
            framing = BodyFraming.CloseDelimited;
        }

        var keepAlive = framing is not (BodyFraming.CloseDelimited or BodyFraming.Upgrade)
            && !_closeRequested
            && (_version == HttpVersion.Http11 || _keepAliveRequested);
        handler.OnHeadersComplete(framing, framing == BodyFraming.ContentLength ? _contentLength : -1, keepAlive);

        switch (framing)
        {
            case BodyFraming.ContentLength when _contentLength > 0:
                _remaining = _contentLength;
                _state = State.ContentLengthBody;
                return ParseStatus.NeedMoreData;
            case BodyFraming.Chunked:
                _state = State.ExpectChunkHeader;
                return ParseStatus.NeedMoreData;
            case BodyFraming.CloseDelimited:
                _state = State.CloseDelimitedBody;
                return ParseStatus.NeedMoreData;
            default:
                return CompleteResponse(ref handler);
        }
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
        _headerCount = 0;
        _headerBytes = 0;
        _contentLength = -1;
        _hasContentLength = false;
        _hasTransferEncoding = false;
        _chunked = false;
        _closeRequested = false;
        _keepAliveRequested = false;
        _remaining = 0;
        _bodyBytes = 0;
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

        var major = line[5];
        var minor = line[7];
        if (major == (byte)'1' && minor == (byte)'1')
        {
            _version = HttpVersion.Http11;
        }
        else if (major == (byte)'1' && minor == (byte)'0')
        {
            _version = HttpVersion.Http10;
        }
        else if (major == (byte)'0' && minor == (byte)'9')
        {
            _version = HttpVersion.Http09;
        }
        else
        {
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

    private HttpParseError ParseChunkSize(ReadOnlySpan<byte> line, out long size)
    {
        // RFC 9112 §7.1: chunk-size = 1*HEXDIG, then chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS value ] ).
        size = 0;
        var i = 0;
        while (i < line.Length && HexValue(line[i]) >= 0)
        {
            if (size > (long.MaxValue >> 4))
            {
                return HttpParseError.InvalidChunkSize;
            }

            size = (size << 4) | (long)HexValue(line[i]);
            i++;
        }

        if (i == 0)
        {
            return HttpParseError.InvalidChunkSize;
        }

        var afterDigits = i;
        while (i < line.Length && line[i] is SP or HTAB)
        {
            i++;
        }

        if (i == line.Length)
        {
            // Whitespace after the size with no extension is outside the grammar; accepted only when lenient.
            return i == afterDigits || _limits.LfLineTerminators ? HttpParseError.None : HttpParseError.InvalidChunkSize;
        }

        if (line[i] != Semicolon)
        {
            return HttpParseError.InvalidChunkSize;
        }

        return ValidateChunkExtensions(line[i..]);
    }

    private static HttpParseError ValidateChunkExtensions(ReadOnlySpan<byte> ext)
    {
        var i = 0;
        while (i < ext.Length)
        {
            i = SkipOws(ext, i);
            if (i == ext.Length)
            {
                return HttpParseError.None;
            }

            if (ext[i] != Semicolon)
            {
                return HttpParseError.InvalidChunkExtension;
            }

            i = SkipOws(ext, i + 1);
            var nameStart = i;
            while (i < ext.Length && IsTokenChar(ext[i]))
            {
                i++;
            }

            if (i == nameStart)
            {
                return HttpParseError.InvalidChunkExtension;
            }

            i = SkipOws(ext, i);
            if (i == ext.Length || ext[i] != Equal)
            {
                continue;
            }

            i = SkipOws(ext, i + 1);
            if (i < ext.Length && ext[i] == DQuote)
            {
                // quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE (RFC 9110 §5.6.4)
                i++;
                var closed = false;
                while (i < ext.Length)
                {
                    var b = ext[i];
                    if (b == DQuote)
                    {
                        closed = true;
                        i++;
                        break;
                    }

                    if (b == Backslash)
                    {
                        if (i + 1 >= ext.Length || !IsFieldValueByte(ext[i + 1]))
                        {
                            return HttpParseError.InvalidChunkExtension;
                        }

                        i += 2;
                        continue;
                    }

                    if (!IsFieldValueByte(b))
                    {
                        return HttpParseError.InvalidChunkExtension;
                    }

                    i++;
                }

                if (!closed)
                {
                    return HttpParseError.InvalidChunkExtension;
                }
            }
            else
            {
                var valueStart = i;
                while (i < ext.Length && IsTokenChar(ext[i]))
                {
                    i++;
                }

                if (i == valueStart)
                {
                    return HttpParseError.InvalidChunkExtension;
                }
            }
        }

        return HttpParseError.None;
    }

    private static HttpParseError SplitField(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        // RFC 9112 §5: field-line = field-name ":" OWS field-value OWS; no whitespace before the colon (§5.1).
        value = default;
        var colon = line.IndexOf(Colon);
        name = colon < 0 ? line : line[..colon];
        if (colon <= 0)
        {
            return HttpParseError.InvalidHeaderName;
        }

        foreach (var b in name)
        {
            if (!IsTokenChar(b))
            {
                return HttpParseError.InvalidHeaderName;
            }
        }

        value = TrimOws(line[(colon + 1)..]);
        return ContainsInvalidValueByte(value) ? HttpParseError.InvalidHeaderValue : HttpParseError.None;
    }

    private static HttpParseError ParseContentLength(ReadOnlySpan<byte> value, out long length)
    {
        // Content-Length = 1*DIGIT (RFC 9110 §8.6); a list of identical values is accepted as one (§6.3 rule 5).
        length = -1;
        while (!value.IsEmpty)
        {
            var comma = value.IndexOf((byte)',');
            var item = TrimOws(comma < 0 ? value : value[..comma]);
            value = comma < 0 ? default : value[(comma + 1)..];
            if (item.IsEmpty)
            {
                return HttpParseError.InvalidContentLength;
            }

            long parsed = 0;
            foreach (var b in item)
            {
                if (!IsDigit(b) || parsed > (long.MaxValue - 9) / 10)
                {
                    return HttpParseError.InvalidContentLength;
                }

                parsed = (parsed * 10) + (b - '0');
            }

            if (length >= 0 && length != parsed)
            {
                return HttpParseError.ConflictingContentLength;
            }

            length = parsed;
        }

        return length < 0 ? HttpParseError.InvalidContentLength : HttpParseError.None;
    }

    private void ScanConnectionOptions(ReadOnlySpan<byte> value)
    {
        while (!value.IsEmpty)
        {
            var comma = value.IndexOf((byte)',');
            var option = TrimOws(comma < 0 ? value : value[..comma]);
            value = comma < 0 ? default : value[(comma + 1)..];
            if (EqualsIgnoreCase(option, "close"u8))
            {
                _closeRequested = true;
            }
            else if (EqualsIgnoreCase(option, "keep-alive"u8))
            {
                _keepAliveRequested = true;
            }
        }
    }

    private enum LineResult : byte
    {
        Found,
        NeedMore,
        Error,
    }

    /// <summary>Finds the line that starts at <paramref name="start"/>. On <see cref="LineResult.Error"/>,
    /// <paramref name="length"/> is the offset of the offending byte from <paramref name="start"/>.</summary>
    private LineResult FindLine(ReadOnlySpan<byte> input, int start, int maxLength, HttpParseError tooLong,
        out int length, out int terminator)
    {
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
                return SetError(tooLong);
            }

            return LineResult.NeedMore;
        }

        var end = searchFrom + lf;
        _scanned = 0;
        length = end - start;
        terminator = 1;
        if (length > 0 && input[end - 1] == CR)
        {
            length--;
            terminator = 2;
        }
        else if (!_limits.LfLineTerminators)
        {
            // RFC 9112 §2.2: a recipient MAY accept a bare LF; in strict mode it does not.
            return SetError(HttpParseError.InvalidLineEnding);
        }

        if (length > maxLength)
        {
            length = maxLength;
            return SetError(tooLong);
        }

        // RFC 9112 §2.2: a bare CR inside a protocol element is invalid.
        var cr = input.Slice(start, length).IndexOf(CR);
        if (cr >= 0)
        {
            length = cr;
            return SetError(HttpParseError.InvalidLineEnding);
        }

        return LineResult.Found;
    }

    private LineResult SetError(HttpParseError error)
    {
        Error = error;
        return LineResult.Error;
    }

    private ParseStatus Fail(int pos) => Fail(Error, pos);

    private ParseStatus Fail(HttpParseError error, int pos)
    {
        Error = error;
        ErrorOffset = _streamOffset + pos;
        _state = State.Failed;
        return ParseStatus.Error;
    }

    private static ReadOnlySpan<byte> TrimLineEnd(ReadOnlySpan<byte> line) =>
        line.Length > 0 && line[^1] == CR ? line[..^1] : line;

    private static ReadOnlySpan<byte> TrimOws(ReadOnlySpan<byte> value)
    {
        var start = 0;
        var end = value.Length;
        while (start < end && value[start] is SP or HTAB)
        {
            start++;
        }

        while (end > start && value[end - 1] is SP or HTAB)
        {
            end--;
        }

        return value[start..end];
    }

    private static int SkipOws(ReadOnlySpan<byte> value, int i)
    {
        while (i < value.Length && value[i] is SP or HTAB)
        {
            i++;
        }

        return i;
    }

    private static ReadOnlySpan<byte> LastListElement(ReadOnlySpan<byte> value)
    {
        var comma = value.LastIndexOf((byte)',');
        return TrimOws(comma < 0 ? value : value[(comma + 1)..]);
    }

    private static bool EqualsIgnoreCase(ReadOnlySpan<byte> value, ReadOnlySpan<byte> lowerOrMixedAscii)
    {
        if (value.Length != lowerOrMixedAscii.Length)
        {
            return false;
        }

        for (var i = 0; i < value.Length; i++)
        {
            if ((value[i] | 0x20) != (lowerOrMixedAscii[i] | 0x20))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };

    // tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
    private static bool IsTokenChar(byte b) => b switch
    {
        >= (byte)'a' and <= (byte)'z' => true,
        >= (byte)'A' and <= (byte)'Z' => true,
        >= (byte)'0' and <= (byte)'9' => true,
        (byte)'!' or (byte)'#' or (byte)'$' or (byte)'%' or (byte)'&' or (byte)'\'' or (byte)'*' or (byte)'+'
            or (byte)'-' or (byte)'.' or (byte)'^' or (byte)'_' or (byte)'`' or (byte)'|' or (byte)'~' => true,
        _ => false,
    };

    // field-vchar = VCHAR / obs-text, plus SP and HTAB inside a value (RFC 9110 §5.5).
    private static bool IsFieldValueByte(byte b) => b >= 0x20 ? b != 0x7F : b == HTAB;

    private static bool ContainsInvalidValueByte(ReadOnlySpan<byte> value)
    {
        foreach (var b in value)
        {
            if (!IsFieldValueByte(b))
            {
                return true;
            }
        }

        return false;
    }
}
