using static Crawler.Http.Parsing.HttpChars;

namespace Crawler.Http.Parsing;

/// <summary>The grammar of a chunk-size line (RFC 9112 §7.1): chunk-size, then chunk extensions. Pure.</summary>
internal static class ChunkSyntax
{
    /// <summary>chunk-size = 1*HEXDIG, then chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS value ] ). Whitespace after
    /// the size with no extension is outside the grammar and accepted only when <paramref name="lenient"/>.</summary>
    public static HttpParseError ParseChunkSize(ReadOnlySpan<byte> line, bool lenient, out long size)
    {
        size = 0;
        var i = 0;
        while (i < line.Length && HexValue(line[i]) >= 0)
        {
            if (size > (long.MaxValue >> 4))
            {
                return HttpParseError.InvalidChunkSize;
            }

            size = (size << 4) | (long)HexValue(line[i]);
            i++;
        }

        if (i == 0)
        {
            return HttpParseError.InvalidChunkSize;
        }

        var afterDigits = i;
        i = SkipOws(line, i);
        if (i == line.Length)
        {
            return i == afterDigits || lenient ? HttpParseError.None : HttpParseError.InvalidChunkSize;
        }

        return line[i] == Semicolon ? ValidateExtensions(line[i..]) : HttpParseError.InvalidChunkSize;
    }

    private static HttpParseError ValidateExtensions(ReadOnlySpan<byte> ext)
    {
        var i = 0;
        while (i < ext.Length)
        {
            i = SkipOws(ext, i);
            if (i == ext.Length)
            {
                return HttpParseError.None;
            }

            if (ext[i] != Semicolon)
            {
                return HttpParseError.InvalidChunkExtension;
            }

            i = SkipOws(ext, i + 1);
            var nameLength = TokenLength(ext[i..]);
            if (nameLength == 0)
            {
                return HttpParseError.InvalidChunkExtension;
            }

            i = SkipOws(ext, i + nameLength);
            if (i == ext.Length || ext[i] != Equal)
            {
                continue;
            }

            i = SkipOws(ext, i + 1);
            var valueLength = i < ext.Length && ext[i] == DQuote ? QuotedStringLength(ext[i..]) : TokenLength(ext[i..]);
            if (valueLength == 0)
            {
                return HttpParseError.InvalidChunkExtension;
            }

            i += valueLength;
        }

        return HttpParseError.None;
    }

    private static int TokenLength(ReadOnlySpan<byte> text)
    {
        var end = text.IndexOfAnyExcept(Token);
        return end < 0 ? text.Length : end;
    }

    /// <summary>quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE (RFC 9110 §5.6.4): its length, or 0 when
    /// it is not closed or holds a byte it may not.</summary>
    private static int QuotedStringLength(ReadOnlySpan<byte> text)
    {
        var i = 1;
        while (i < text.Length)
        {
            var b = text[i];
            if (b == DQuote)
            {
                return i + 1;
            }

            if (b == Backslash)
            {
                if (i + 1 >= text.Length || !IsFieldValueByte(text[i + 1]))
                {
                    return 0;
                }

                i += 2;
                continue;
            }

            if (!IsFieldValueByte(b))
            {
                return 0;
            }

            i++;
        }

        return 0;
    }
}
