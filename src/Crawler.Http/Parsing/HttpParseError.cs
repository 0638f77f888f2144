namespace Crawler.Http.Parsing;

/// <summary>Why a response was rejected. The <c>*TooLarge</c>/<c>TooMany*</c> members are limit breaches;
/// the others are protocol violations or truncation.</summary>
public enum HttpParseError : byte
{
    /// <summary>No error.</summary>
    None,

    /// <summary>The status line is not <c>HTTP/x.y SP 3DIGIT [SP reason]</c>.</summary>
    InvalidStatusLine,

    /// <summary>The HTTP version is not one we speak (0.9, 1.0 or 1.1).</summary>
    UnsupportedVersion,

    /// <summary>The status code is not three digits.</summary>
    InvalidStatusCode,

    /// <summary>A field name is empty or holds a character outside <c>tchar</c>, or whitespace precedes the colon.</summary>
    InvalidHeaderName,

    /// <summary>A field value holds a control character (including a bare CR).</summary>
    InvalidHeaderValue,

    /// <summary>A line starts with whitespace where no field line precedes it (RFC 9112 §5.2).</summary>
    UnexpectedWhitespace,

    /// <summary>A line ends in a bare LF while the parser is strict, or a CR is not followed by LF.</summary>
    InvalidLineEnding,

    /// <summary>A <c>Content-Length</c> value is not a non-negative decimal that fits in 63 bits.</summary>
    InvalidContentLength,

    /// <summary>Several <c>Content-Length</c> values disagree (RFC 9112 §6.3 rule 5).</summary>
    ConflictingContentLength,

    /// <summary>Both <c>Transfer-Encoding</c> and <c>Content-Length</c> frame the body (RFC 9112 §6.3 rule 3;
    /// rejected, never guessed, as request smuggling defences do).</summary>
    TransferEncodingWithContentLength,

    /// <summary>A chunk size is not hexadecimal, overflows, or is followed by something other than an extension.</summary>
    InvalidChunkSize,

    /// <summary>A chunk extension does not follow <c>*( BWS ";" BWS token [ BWS "=" BWS ( token / quoted-string ) ] )</c>.</summary>
    InvalidChunkExtension,

    /// <summary>Chunk data is not followed by CRLF.</summary>
    InvalidChunkTerminator,

    /// <summary>The status line is longer than the configured limit.</summary>
    StatusLineTooLong,

    /// <summary>More header fields than the configured limit.</summary>
    TooManyHeaders,

    /// <summary>The header section (or the trailer section) is larger than the configured limit.</summary>
    HeadersTooLarge,

    /// <summary>A chunk-size line is longer than the configured limit.</summary>
    ChunkLineTooLong,

    /// <summary>The body is larger than the configured limit.</summary>
    BodyTooLarge,

    /// <summary>The connection closed before any byte of the response arrived.</summary>
    NoResponse,

    /// <summary>The connection closed in the middle of the status line or header section.</summary>
    TruncatedHead,

    /// <summary>The connection closed before the end of a Content-Length or chunked body.</summary>
    TruncatedBody,
}

/// <summary>Helpers over <see cref="HttpParseError"/>.</summary>
public static class HttpParseErrorExtensions
{
    /// <summary>True when the error is a breach of a configured limit rather than malformed input.</summary>
    public static bool IsLimitBreach(this HttpParseError error) => error is HttpParseError.StatusLineTooLong
        or HttpParseError.TooManyHeaders or HttpParseError.HeadersTooLarge or HttpParseError.ChunkLineTooLong
        or HttpParseError.BodyTooLarge;

    /// <summary>A sentence a person understands, e.g. "invalid chunk size".</summary>
    public static string Describe(this HttpParseError error) => error switch
    {
        HttpParseError.None => "no error",
        HttpParseError.InvalidStatusLine => "the status line is not 'HTTP/x.y NNN reason'",
        HttpParseError.UnsupportedVersion => "the HTTP version is not 1.0 or 1.1",
        HttpParseError.InvalidStatusCode => "the status code is not three digits",
        HttpParseError.InvalidHeaderName => "a header name is empty or holds an invalid character",
        HttpParseError.InvalidHeaderValue => "a header value holds a control character",
        HttpParseError.UnexpectedWhitespace => "whitespace before the first header line",
        HttpParseError.InvalidLineEnding => "a line does not end in CRLF",
        HttpParseError.InvalidContentLength => "the Content-Length is not a valid number",
        HttpParseError.ConflictingContentLength => "several different Content-Length values",
        HttpParseError.TransferEncodingWithContentLength => "both Transfer-Encoding and Content-Length",
        HttpParseError.InvalidChunkSize => "an invalid chunk size",
        HttpParseError.InvalidChunkExtension => "an invalid chunk extension",
        HttpParseError.InvalidChunkTerminator => "chunk data not followed by CRLF",
        HttpParseError.StatusLineTooLong => "the status line is longer than max-status-line-length",
        HttpParseError.TooManyHeaders => "more headers than max-header-count",
        HttpParseError.HeadersTooLarge => "the header section is larger than max-header-bytes",
        HttpParseError.ChunkLineTooLong => "a chunk-size line is longer than max-chunk-size-line",
        HttpParseError.BodyTooLarge => "the body is larger than max-body-bytes",
        HttpParseError.NoResponse => "the server closed the connection without sending a response",
        HttpParseError.TruncatedHead => "the server closed the connection in the middle of the response head",
        HttpParseError.TruncatedBody => "the server closed the connection before the end of the body",
        _ => error.ToString(),
    };
}
