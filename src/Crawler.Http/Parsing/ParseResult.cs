namespace Crawler.Http.Parsing;

/// <summary>What one call to <see cref="HttpResponseParser.Parse{THandler}"/> or
/// <see cref="HttpResponseParser.Complete{THandler}"/> achieved: its status, how many bytes it consumed, and for
/// <see cref="ParseStatus.Error"/> the error and where in the byte stream it was found (counted from the first byte
/// the parser saw since it was created or reset). Errors are data, as in akka-http's parser output.</summary>
/// <param name="Status">Need more data, a response complete, or an error.</param>
/// <param name="Consumed">Bytes of the input consumed; the rest must be passed again.</param>
/// <param name="Error">The error, or <see cref="HttpParseError.None"/>.</param>
/// <param name="ErrorOffset">The offset of the error in the byte stream.</param>
public readonly record struct ParseResult(ParseStatus Status, int Consumed, HttpParseError Error = HttpParseError.None, long ErrorOffset = 0);
