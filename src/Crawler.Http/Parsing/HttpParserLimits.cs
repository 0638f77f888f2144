namespace Crawler.Http.Parsing;

/// <summary>Limits and strictness of <see cref="HttpResponseParser"/>, named as akka-http's <c>parsing</c> settings.</summary>
/// <param name="MaxStatusLineLength">Longest status line, in bytes, without its line ending.</param>
/// <param name="MaxHeaderCount">Most header fields in one response.</param>
/// <param name="MaxHeaderBytes">Largest header section (and, separately, trailer section), in bytes.</param>
/// <param name="MaxChunkSizeLine">Longest chunk-size line (size plus extensions), in bytes.</param>
/// <param name="MaxBodyBytes">Largest body, in bytes, after de-chunking.</param>
/// <param name="LfLineTerminators">Accept a bare LF as a line terminator (RFC 9112 §2.2 allows it).</param>
public sealed record HttpParserLimits(
    int MaxStatusLineLength = 8 * 1024,
    int MaxHeaderCount = 256,
    int MaxHeaderBytes = 64 * 1024,
    int MaxChunkSizeLine = 4 * 1024,
    long MaxBodyBytes = 8 * 1024 * 1024,
    bool LfLineTerminators = true)
{
    /// <summary>The limits used when none are given.</summary>
    public static HttpParserLimits Default { get; } = new();
}
