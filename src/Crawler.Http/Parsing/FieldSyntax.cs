using static Crawler.Http.Parsing.HttpChars;

namespace Crawler.Http.Parsing;

/// <summary>The grammar of one field line and of the field values the parser interprets (RFC 9112 §5, RFC 9110
/// §5.6, §8.6): pure functions over spans that return an <see cref="HttpParseError"/> instead of throwing.</summary>
internal static class FieldSyntax
{
    /// <summary>field-line = field-name ":" OWS field-value OWS; no whitespace before the colon (RFC 9112 §5.1).</summary>
    public static HttpParseError SplitField(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        value = default;
        var colon = line.IndexOf(Colon);
        name = colon < 0 ? line : line[..colon];
        if (colon <= 0 || !IsToken(name))
        {
            return HttpParseError.InvalidHeaderName;
        }

        value = TrimOws(line[(colon + 1)..]);
        return ContainsInvalidValueByte(value) ? HttpParseError.InvalidHeaderValue : HttpParseError.None;
    }

    /// <summary>Content-Length = 1*DIGIT (RFC 9110 §8.6); a list of identical values is accepted as one
    /// (RFC 9112 §6.3 rule 5).</summary>
    public static HttpParseError ParseContentLength(ReadOnlySpan<byte> value, out long length)
    {
        length = -1;
        while (!value.IsEmpty)
        {
            var comma = value.IndexOf(Comma);
            var item = TrimOws(comma < 0 ? value : value[..comma]);
            value = comma < 0 ? default : value[(comma + 1)..];
            if (item.IsEmpty)
            {
                return HttpParseError.InvalidContentLength;
            }

            long parsed = 0;
            foreach (var b in item)
            {
                if (!IsDigit(b) || parsed > (long.MaxValue - 9) / 10)
                {
                    return HttpParseError.InvalidContentLength;
                }

                parsed = (parsed * 10) + (b - '0');
            }

            if (length >= 0 && length != parsed)
            {
                return HttpParseError.ConflictingContentLength;
            }

            length = parsed;
        }

        return length < 0 ? HttpParseError.InvalidContentLength : HttpParseError.None;
    }

    /// <summary>The last element of a comma-separated list value, trimmed (RFC 9110 §5.6.1).</summary>
    public static ReadOnlySpan<byte> LastListElement(ReadOnlySpan<byte> value)
    {
        var comma = value.LastIndexOf(Comma);
        return TrimOws(comma < 0 ? value : value[(comma + 1)..]);
    }

    /// <summary>Which connection options of a <c>Connection</c> value say <c>close</c> or <c>keep-alive</c>
    /// (RFC 9112 §9.3, §9.6).</summary>
    public static (bool Close, bool KeepAlive) ConnectionOptions(ReadOnlySpan<byte> value)
    {
        var (close, keepAlive) = (false, false);
        foreach (var range in value.Split(Comma))
        {
            var option = TrimOws(value[range]);
            close |= EqualsIgnoreCase(option, "close"u8);
            keepAlive |= EqualsIgnoreCase(option, "keep-alive"u8);
        }

        return (close, keepAlive);
    }
}
