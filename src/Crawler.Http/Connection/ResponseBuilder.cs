using System.Text;
using Crawler.Http.Parsing;

namespace Crawler.Http.Connection;

/// <summary>The <see cref="IHttpResponseHandler"/> of a <see cref="ResponseReader"/>: it turns the parser's callbacks
/// into a <see cref="Http.ResponseReceived"/>. Header names and values become strings (Latin-1, so no byte is lost);
/// the body goes into one array, sized up front when the length is known.</summary>
internal sealed class ResponseBuilder : IHttpResponseHandler
{
    private const int InitialBodyCapacity = 16 * 1024;

    private int _status;
    private HttpVersion _version;
    private string _reason = string.Empty;
    private List<KeyValuePair<string, string>> _headers = [];
    private byte[] _body = [];
    private int _length;

    /// <summary>True when the connection may carry another request after this response.</summary>
    public bool KeepAlive { get; private set; }

    /// <summary>When set, the body is not gathered: each piece is copied into its own array, taken with
    /// <see cref="TakeParts"/> (a streamed request, <see cref="Streaming"/>).</summary>
    public bool Streamed { get; set; }

    /// <summary>True once the header section of the current response has ended.</summary>
    public bool HeadComplete { get; private set; }

    private List<byte[]>? _parts;

    /// <summary>When set, body bytes are counted but not kept (a watch was satisfied); cleared by <see cref="Reset"/>.</summary>
    public bool DropBody
    {
        get;
        set
        {
            field = value;
            if (value)
            {
                _body = [];
            }
        }
    }

    /// <summary>The body gathered so far (not in streamed mode).</summary>
    public ReadOnlySpan<byte> BodySoFar => _body.AsSpan(0, Math.Min(_length, _body.Length));

    /// <summary>The value of the first header named <paramref name="name"/> so far, or null.</summary>
    public string? Header(string name)
    {
        foreach (var (key, value) in _headers)
        {
            if (key.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>The body pieces gathered since the last call (streamed mode), or null.</summary>
    public List<byte[]>? TakeParts()
    {
        var parts = _parts;
        _parts = null;
        return parts;
    }

    /// <summary>Forgets the response built so far: the next callbacks start a new one.</summary>
    public void Reset()
    {
        _status = 0;
        _reason = string.Empty;
        _headers = [];
        _body = [];
        _length = 0;
        KeepAlive = false;
        HeadComplete = false;
        DropBody = false;
        _parts = null;
    }

    public void OnInterimResponse(int statusCode)
    {
    }

    public void OnStatusLine(HttpVersion version, int statusCode, ReadOnlySpan<byte> reasonPhrase)
    {
        _status = statusCode;
        _version = version;
        _reason = Encoding.Latin1.GetString(reasonPhrase);
    }

    public void OnHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value) =>
        _headers.Add(new(Encoding.Latin1.GetString(name), Encoding.Latin1.GetString(value)));

    public void OnHeadersComplete(BodyFraming framing, long contentLength, bool keepAlive)
    {
        KeepAlive = keepAlive;
        HeadComplete = true;
        if (contentLength > 0 && !Streamed && !DropBody)
        {
            // The parser has already checked the length against max-body-bytes.
            _body = new byte[contentLength];
        }
    }

    public void OnBody(ReadOnlySpan<byte> data)
    {
        if (Streamed)
        {
            (_parts ??= []).Add(data.ToArray());
            return;
        }

        if (DropBody)
        {
            _length += data.Length;
            return;
        }

        if (_length + data.Length > _body.Length)
        {
            var grown = new byte[Math.Max(Math.Max(InitialBodyCapacity, _body.Length * 2), _length + data.Length)];
            _body.AsSpan(0, _length).CopyTo(grown);
            _body = grown;
        }

        data.CopyTo(_body.AsSpan(_length));
        _length += data.Length;
    }

    public void OnResponseComplete()
    {
    }

    /// <summary>The response, as the answer to <paramref name="request"/>.</summary>
    public Http.ResponseReceived ToMessage(Http.Send request) =>
        new(request.RequestId, request.Url, _status, _reason, _headers, DropBody ? ReadOnlyMemory<byte>.Empty : _body.AsMemory(0, _length), _version)
        {
            BodyDropped = DropBody,
        };
}
