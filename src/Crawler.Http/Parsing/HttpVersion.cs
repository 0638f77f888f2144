namespace Crawler.Http.Parsing;

/// <summary>The protocol version of a status line. HTTP/0.9 only appears as a label some servers send.</summary>
public enum HttpVersion : byte
{
    /// <summary>HTTP/0.9 (treated as 1.0 for connection handling).</summary>
    Http09,

    /// <summary>HTTP/1.0.</summary>
    Http10,

    /// <summary>HTTP/1.1.</summary>
    Http11,
}
