namespace Crawler.Http.Parsing;

/// <summary>How the body of a response is delimited (RFC 9112 §6.3).</summary>
public enum BodyFraming : byte
{
    /// <summary>No body can follow: a response to HEAD, a 1xx, 204 or 304 (RFC 9112 §6.3 rule 1).</summary>
    None,

    /// <summary>The body is exactly <c>Content-Length</c> bytes (RFC 9112 §6.3 rule 6).</summary>
    ContentLength,

    /// <summary>Chunked is the final transfer coding (RFC 9112 §6.3 rule 4, §7.1).</summary>
    Chunked,

    /// <summary>The body runs until the server closes the connection (RFC 9112 §6.3 rule 8).</summary>
    CloseDelimited,

    /// <summary>101 Switching Protocols: the response ends at its header section; the bytes after it belong
    /// to another protocol (RFC 9110 §15.2.2).</summary>
    Upgrade,
}
