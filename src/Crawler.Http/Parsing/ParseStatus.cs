namespace Crawler.Http.Parsing;

/// <summary>What a call to <see cref="HttpResponseParser.Parse{THandler}"/> or
/// <see cref="HttpResponseParser.Complete{THandler}"/> achieved.</summary>
public enum ParseStatus : byte
{
    /// <summary>Every complete element of the input was consumed; the unconsumed tail (an unfinished line)
    /// must be passed again, followed by more bytes.</summary>
    NeedMoreData,

    /// <summary>A final response ended at the consumed offset; bytes after it belong to the next response.</summary>
    ResponseComplete,

    /// <summary>The input is not a valid response, or breaks a limit; see <see cref="ParseResult.Error"/>.
    /// The parser stays in this state.</summary>
    Error,
}
