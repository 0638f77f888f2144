using System.Net.Http;
using static Crawler.Http.Parsing.FieldSyntax;
using static Crawler.Http.Parsing.HttpChars;

namespace Crawler.Http.Parsing;

/// <summary>The header section (RFC 9112 §5) and the body framing it decides (§6.3).</summary>
public sealed partial class HttpResponseParser
{
    private int _headerCount;
    private int _headerBytes;
    private long _contentLength;
    private bool _hasContentLength;
    private bool _hasTransferEncoding;
    private bool _chunked;
    private bool _closeRequested;
    private bool _keepAliveRequested;
    private byte[]? _foldBuffer;

    private void ResetHeaders()
    {
        _headerCount = 0;
        _headerBytes = 0;
        _contentLength = -1;
        _hasContentLength = false;
        _hasTransferEncoding = false;
        _chunked = false;
        _closeRequested = false;
        _keepAliveRequested = false;
    }

    private ParseStatus HeaderSection<THandler>(ReadOnlySpan<byte> input, ref int pos, ref THandler handler, bool eof)
        where THandler : IHttpResponseHandler
    {
        while (true)
        {
            var budget = _limits.MaxHeaderBytes - _headerBytes;
            var found = FindLine(input, pos, budget, HttpParseError.HeadersTooLarge, out var length, out var terminator, out var lineError);
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

                // A server that closes right after a complete header line ended its header section there.
                return input.Length == pos ? FinishHeaders(ref handler, pos) : Fail(HttpParseError.TruncatedHead, input.Length);
            }

            if (length == 0)
            {
                // RFC 9112 §2.1: the empty line ends the header section.
                pos += terminator;
                _headerBytes += terminator;
                return FinishHeaders(ref handler, pos);
            }

            if (input[pos] is SP or HTAB)
            {
                // RFC 9112 §2.2: whitespace between the start line and the first field line is rejected.
                return Fail(HttpParseError.UnexpectedWhitespace, pos);
            }

            // A field line is only consumed once the first byte of the next line is known, since a line that
            // starts with whitespace would continue it (obs-fold, RFC 9112 §5.2).
            var foldEnd = pos + length + terminator;
            var lineCount = 1;
            while (true)
            {
                if (foldEnd >= input.Length)
                {
                    if (!eof)
                    {
                        _scanned = lineCount == 1 ? length + terminator - 1 : 0;
                        return ParseStatus.NeedMoreData;
                    }

                    break;
                }

                if (input[foldEnd] is not (SP or HTAB))
                {
                    break;
                }

                var more = FindLine(input, foldEnd, budget - (foldEnd - pos), HttpParseError.HeadersTooLarge, out var foldLength,
                    out var foldTerminator, out var foldError);
                if (more == LineResult.Error)
                {
                    return Fail(foldError, foldEnd + foldLength);
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
        return error != HttpParseError.None ? error : OnField(name, value, ref handler);
    }

    private HttpParseError OnFoldedFieldLine<THandler>(ReadOnlySpan<byte> lines, ref THandler handler)
        where THandler : IHttpResponseHandler
    {
        // RFC 9112 §5.2: each obs-fold is replaced by one SP before the value is interpreted.
        var first = lines.IndexOf(LF);
        var error = SplitField(TrimLineEnd(lines[..first]), out var name, out var value);
        if (error != HttpParseError.None)
        {
            return error;
        }

        if (_foldBuffer is null || _foldBuffer.Length < lines.Length)
        {
            _foldBuffer = new byte[Math.Max(256, lines.Length)];
        }

        value.CopyTo(_foldBuffer);
        var written = value.Length;
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
            var (close, keepAlive) = ConnectionOptions(value);
            _closeRequested |= close;
            _keepAliveRequested |= keepAlive;
        }

        if (!_interim)
        {
            handler.OnHeader(name, value);
        }

        return HttpParseError.None;
    }

    /// <summary>The header section ended: skip an interim response, or decide how the body is framed
    /// (runtime's order: HEAD / 204 / 304, 101, chunked, Content-Length, close).</summary>
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
            return Continue;
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
                return Continue;
            case BodyFraming.Chunked:
                _state = State.ExpectChunkHeader;
                return Continue;
            case BodyFraming.CloseDelimited:
                _state = State.CloseDelimitedBody;
                return Continue;
            default:
                return CompleteResponse(ref handler);
        }
    }
}
