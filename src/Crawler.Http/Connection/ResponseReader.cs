using System.Net.Http;
using Akka.IO;
using Crawler.Http.Decoding;
using Crawler.Http.Parsing;

namespace Crawler.Http.Connection;

/// <summary>What a <see cref="ResponseReader"/> made of the bytes it holds.</summary>
internal enum ReadStatus : byte
{
    /// <summary>No complete response yet: read more.</summary>
    NeedMore,

    /// <summary>A response ended: its decoded message, or the failure to decode it.</summary>
    Complete,

    /// <summary>The bytes are not a valid response (or break a limit): the socket can no longer be trusted.</summary>
    Broken,

    /// <summary>The stream ended before any byte of a response.</summary>
    NoResponse,
}

/// <summary>The outcome of <see cref="ResponseReader.Next"/> and <see cref="ResponseReader.End"/>.</summary>
/// <param name="Status">What was found.</param>
/// <param name="Response">The response, its content codings removed, for <see cref="ReadStatus.Complete"/>.</param>
/// <param name="Failure">Why there is no response (a broken stream, a body that would not decode, an early end).</param>
/// <param name="KeepAlive">For <see cref="ReadStatus.Complete"/>: the socket may carry the next response.</param>
/// <param name="Head">For a streamed request, the status and headers, once, in the outcome where they ended.</param>
/// <param name="Parts">For a streamed request, the body pieces read by this call (content codings not removed).</param>
/// <param name="CutShort">For <see cref="ReadStatus.Complete"/>: the request's watch took the response before its end
/// (<see cref="BodyWatchVerdict.SatisfiedClose"/>), so the socket is mid-body and must be aborted.</param>
internal readonly record struct ReadOutcome(ReadStatus Status, Http.ResponseReceived? Response = null, HttpFailure? Failure = null,
    bool KeepAlive = false, Http.ResponseReceived? Head = null, List<byte[]>? Parts = null, bool CutShort = false);

/// <summary>
/// Turns the bytes of one connection into responses: the pooled read buffer, the parser, the response builder and
/// content decoding, in that order. The connection actor appends what it receives and asks for the next response of
/// the request at the head of its pipeline; several pipelined responses may come out of one read. Pure: no Akka but
/// the <see cref="ByteString"/> it reads from. A received <see cref="ByteString"/> (a fresh copy Akka.IO made for this
/// message alone) is parsed where it lies; only the bytes the parser could not consume yet (a header line or a chunk
/// size cut by the end of the read) are copied, into the pooled buffer, which holds an array only while such bytes
/// wait. So the body's one copy is the response builder's.
/// </summary>
internal sealed class ResponseReader(HttpParserLimits limits, string origin) : IDisposable
{
    private readonly HttpResponseParser _parser = new(limits);
    private readonly ReadBuffer _buffer = new();
    private readonly ResponseBuilder _builder = new();

    /// <summary>True once a byte of the current response has been read.</summary>
    public bool IsResponseStarted => _parser.IsResponseStarted;

    // The received segment being parsed in place, and how much of it the parser consumed.
    private ByteString _received = ByteString.Empty;
    private int _receivedOffset;

    /// <summary>The size of the pooled array held for bytes waiting for the next read (0 when none wait).</summary>
    public int BufferCapacity => _buffer.Capacity;

    /// <summary>True when bytes are buffered that no response has consumed yet.</summary>
    public bool HasBufferedBytes => _buffer.ActiveLength > 0 || _receivedOffset < _received.Count;

    /// <summary>A request was written: its response is framed by its method (HEAD has no body).</summary>
    public void Expect(HttpMethod method) => _parser.EnqueueRequest(method);

    /// <summary>Bytes that arrived.</summary>
    public void Append(ByteString data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!HasBufferedBytes && data.IsCompact)
        {
            _received = data;
            _receivedOffset = 0;
            return;
        }

        Spill();
        _buffer.EnsureAvailable(data.Count);
        var free = _buffer.AvailableSpan;
        data.CopyTo(ref free);
        _buffer.Commit(data.Count);
    }

    /// <summary>The next response, to <paramref name="request"/>, from the bytes buffered so far. When
    /// <paramref name="streamed"/>, its head and body pieces come out as they are read (<see cref="ReadOutcome.Head"/>,
    /// <see cref="ReadOutcome.Parts"/>) and the body is neither gathered nor decoded.</summary>
    public ReadOutcome Next(Http.Send request, bool streamed = false)
    {
        var builder = _builder;
        var headBefore = builder.HeadComplete;
        builder.Streamed = streamed;
        ParseResult result;
        if (_receivedOffset < _received.Count)
        {
            result = _parser.Parse(_received.ToReadOnlySpan()[_receivedOffset..], ref builder);
            _receivedOffset += result.Consumed;
            if (_receivedOffset == _received.Count)
            {
                _received = ByteString.Empty;
                _receivedOffset = 0;
            }
            else if (result.Status == ParseStatus.NeedMoreData)
            {
                Spill(); // what is left waits for the next read, which may not come in place
            }
        }
        else
        {
            result = _parser.Parse(_buffer.ActiveSpan, ref builder);
            _buffer.Discard(result.Consumed);
        }

        if (result.Status == ParseStatus.NeedMoreData && !streamed && builder.HeadComplete && Watch(request))
        {
            var taken = _builder.ToMessage(request);
            ResetBuilder();
            return new ReadOutcome(ReadStatus.Complete, taken, KeepAlive: false, CutShort: true);
        }

        var outcome = Outcome(result, request, closed: false, streamed, headBefore);
        return outcome;
    }

    /// <summary>The stream ended: the response to <paramref name="request"/> ends here (a close-delimited body), or
    /// it is cut off.</summary>
    public ReadOutcome End(Http.Send request)
    {
        Spill();
        var builder = _builder;
        var headBefore = builder.HeadComplete;
        var result = _parser.Complete(_buffer.ActiveSpan, ref builder);
        _buffer.Discard(result.Consumed);
        if (result is { Status: ParseStatus.Error, Error: HttpParseError.NoResponse })
        {
            return new ReadOutcome(ReadStatus.NoResponse,
                Failure: new HttpFailure(HttpFailureKind.Protocol, FailureTexts.Unparsable(result.Error, origin, result.ErrorOffset)));
        }

        return result.Status == ParseStatus.NeedMoreData
            ? new ReadOutcome(ReadStatus.Broken, Failure: new HttpFailure(HttpFailureKind.Protocol, FailureTexts.EndedEarly(origin)))
            : Outcome(result, request, closed: true, _builder.Streamed, headBefore);
    }

    /// <summary>A new socket: nothing buffered, nothing expected.</summary>
    public void Reset()
    {
        _received = ByteString.Empty;
        _receivedOffset = 0;
        _buffer.Clear();
        _parser.Reset();
        ResetBuilder();
    }

    public void Dispose() => _buffer.Dispose();

    // The watch of the response being read, until it is satisfied or stops; its head, made once.
    private Http.ResponseReceived? _watchedHead;
    private bool _watchDone;

    private void ResetBuilder()
    {
        _builder.Reset();
        _watchedHead = null;
        _watchDone = false;
    }

    /// <summary>Shows the body so far to the request's watch, when it has one that still looks and the body has no
    /// content coding (a chunked body is de-chunked by then; gzip and deflate are decoded whole, at the end). True
    /// when the watch takes the response now and the socket is to be closed.</summary>
    private bool Watch(Http.Send request)
    {
        if (request.Watch is not { } watch || _watchDone || _builder.DropBody)
        {
            return false;
        }

        if (_watchedHead is null)
        {
            var coded = _builder.Header("Content-Encoding") is { } coding && !coding.Trim().Equals("identity", StringComparison.OrdinalIgnoreCase);
            var transfer = _builder.Header("Transfer-Encoding");
            if (coded || (transfer is not null && !transfer.Trim().Equals("chunked", StringComparison.OrdinalIgnoreCase)))
            {
                _watchDone = true;
                return false;
            }

            _watchedHead = _builder.ToMessage(request) with { Body = ReadOnlyMemory<byte>.Empty };
        }

        switch (watch.OnPartialBody(_watchedHead, _builder.BodySoFar))
        {
            case BodyWatchVerdict.Satisfied:
                _builder.DropBody = true;
                _watchDone = true;
                break;
            case BodyWatchVerdict.SatisfiedClose:
                _builder.DropBody = true;
                return true;
            case BodyWatchVerdict.Stop:
                _watchDone = true;
                break;
        }

        return false;
    }

    /// <summary>Moves the unconsumed rest of the received segment into the buffer.</summary>
    private void Spill()
    {
        var rest = _received.ToReadOnlySpan()[_receivedOffset..];
        _received = ByteString.Empty;
        _receivedOffset = 0;
        if (rest.Length > 0)
        {
            _buffer.EnsureAvailable(rest.Length);
            rest.CopyTo(_buffer.AvailableSpan);
            _buffer.Commit(rest.Length);
        }
    }

    /// <summary>The values of every field line named <paramref name="name"/>, joined as one list (RFC 9110 §5.3).</summary>
    private static string? AllValues(Http.ResponseReceived response, string name)
    {
        string? joined = null;
        foreach (var (key, value) in response.Headers)
        {
            if (key.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                joined = joined is null ? value : joined + ", " + value;
            }
        }

        return joined;
    }

    private ReadOutcome Outcome(ParseResult result, Http.Send request, bool closed, bool streamed, bool headBefore)
    {
        if (streamed && result.Status != ParseStatus.Error)
        {
            var head = !headBefore && _builder.HeadComplete ? _builder.ToMessage(request) : null;
            var parts = _builder.TakeParts();
            if (result.Status != ParseStatus.ResponseComplete)
            {
                return new ReadOutcome(ReadStatus.NeedMore, Head: head, Parts: parts);
            }

            var alive = _builder.KeepAlive && !closed;
            ResetBuilder();
            return new ReadOutcome(ReadStatus.Complete, KeepAlive: alive, Head: head, Parts: parts);
        }

        switch (result.Status)
        {
            case ParseStatus.ResponseComplete:
                var keepAlive = _builder.KeepAlive && !closed;
                var response = _builder.ToMessage(request);
                ResetBuilder();
                var decoded = ContentDecoding.DecodeTransfer(response.Body, AllValues(response, "Transfer-Encoding"), limits.MaxBodyBytes);
                if (decoded.Failure is null)
                {
                    decoded = ContentDecoding.Decode(decoded.Body, AllValues(response, "Content-Encoding"), limits.MaxBodyBytes);
                }

                return decoded.Failure is { } failure
                    ? new ReadOutcome(ReadStatus.Complete, Failure: failure.Explained($" (from {origin})"), KeepAlive: keepAlive)
                    : new ReadOutcome(ReadStatus.Complete, response with { Body = decoded.Body }, KeepAlive: keepAlive);
            case ParseStatus.Error:
                // A streamed body's pieces read before the error still go to the requester.
                var kind = result.Error.IsLimitBreach() ? HttpFailureKind.TooLarge : HttpFailureKind.Protocol;
                return new ReadOutcome(ReadStatus.Broken, Failure: new HttpFailure(kind, FailureTexts.Unparsable(result.Error, origin, result.ErrorOffset)),
                    Parts: streamed ? _builder.TakeParts() : null);
            default:
                return new ReadOutcome(ReadStatus.NeedMore);
        }
    }
}
