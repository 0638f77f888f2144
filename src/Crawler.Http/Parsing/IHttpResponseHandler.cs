namespace Crawler.Http.Parsing;

/// <summary>Receives what <see cref="HttpResponseParser"/> finds, in order: <see cref="OnStatusLine"/>, each
/// <see cref="OnHeader"/>, <see cref="OnHeadersComplete"/>, any number of <see cref="OnBody"/>, then
/// <see cref="OnResponseComplete"/>. Spans are only valid during the call. Interim (1xx) responses other
/// than 101 are reported only through <see cref="OnInterimResponse"/>.</summary>
public interface IHttpResponseHandler
{
    /// <summary>A 1xx response (not 101) was read and skipped (RFC 9110 §15.2).</summary>
    void OnInterimResponse(int statusCode);

    /// <summary>The status line of the final response.</summary>
    void OnStatusLine(HttpVersion version, int statusCode, ReadOnlySpan<byte> reasonPhrase);

    /// <summary>One header field; the value has no leading or trailing whitespace and obs-folds are
    /// replaced by one space (RFC 9112 §5.2).</summary>
    void OnHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value);

    /// <summary>The header section ended. <paramref name="contentLength"/> is -1 unless
    /// <paramref name="framing"/> is <see cref="BodyFraming.ContentLength"/>.
    /// <paramref name="keepAlive"/> says whether the connection may carry another request afterwards.</summary>
    void OnHeadersComplete(BodyFraming framing, long contentLength, bool keepAlive);

    /// <summary>A piece of the body, after de-chunking.</summary>
    void OnBody(ReadOnlySpan<byte> data);

    /// <summary>The response is complete.</summary>
    void OnResponseComplete();
}
