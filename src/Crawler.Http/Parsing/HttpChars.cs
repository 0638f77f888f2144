using System.Buffers;

namespace Crawler.Http.Parsing;

/// <summary>The byte classes of HTTP/1.1 syntax (RFC 9110 §5.5, §5.6.2; RFC 9112 §2.2), as constants and
/// <see cref="SearchValues{T}"/>, so that a whole name or value is checked with one vectorised scan.</summary>
internal static class HttpChars
{
    public const byte CR = (byte)'\r';
    public const byte LF = (byte)'\n';
    public const byte SP = (byte)' ';
    public const byte HTAB = (byte)'\t';
    public const byte Colon = (byte)':';
    public const byte Semicolon = (byte)';';
    public const byte Comma = (byte)',';
    public const byte Equal = (byte)'=';
    public const byte DQuote = (byte)'"';
    public const byte Backslash = (byte)'\\';

    /// <summary>tchar = "!" / "#" / "$" / "%" / "&amp;" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" /
    /// DIGIT / ALPHA (RFC 9110 §5.6.2).</summary>
    public static readonly SearchValues<byte> Token =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    /// <summary>The bytes of a field value: field-vchar (VCHAR / obs-text) plus SP and HTAB (RFC 9110 §5.5).</summary>
    public static readonly SearchValues<byte> FieldValue = SearchValues.Create(FieldValueBytes());

    private static readonly SearchValues<byte> Whitespace = SearchValues.Create(" \t"u8);

    public static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    public static bool IsTokenChar(byte b) => Token.Contains(b);

    public static bool IsFieldValueByte(byte b) => FieldValue.Contains(b);

    /// <summary>True when <paramref name="value"/> holds a byte no field value may hold (a control character,
    /// including a bare CR, or DEL).</summary>
    public static bool ContainsInvalidValueByte(ReadOnlySpan<byte> value) => value.ContainsAnyExcept(FieldValue);

    /// <summary>True when <paramref name="name"/> is a token: not empty, tchar only.</summary>
    public static bool IsToken(ReadOnlySpan<byte> name) => !name.IsEmpty && !name.ContainsAnyExcept(Token);

    /// <summary>The value of a hex digit, or -1.</summary>
    public static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };

    /// <summary><paramref name="value"/> without leading and trailing OWS (SP / HTAB, RFC 9110 §5.6.3).</summary>
    public static ReadOnlySpan<byte> TrimOws(ReadOnlySpan<byte> value)
    {
        var start = value.IndexOfAnyExcept(Whitespace);
        if (start < 0)
        {
            return [];
        }

        return value[start..(value.LastIndexOfAnyExcept(Whitespace) + 1)];
    }

    /// <summary>The index of the first byte at or after <paramref name="i"/> that is not OWS.</summary>
    public static int SkipOws(ReadOnlySpan<byte> value, int i)
    {
        var skip = value[i..].IndexOfAnyExcept(Whitespace);
        return skip < 0 ? value.Length : i + skip;
    }

    /// <summary><paramref name="line"/> without a final CR.</summary>
    public static ReadOnlySpan<byte> TrimLineEnd(ReadOnlySpan<byte> line) => line.Length > 0 && line[^1] == CR ? line[..^1] : line;

    /// <summary>ASCII case-insensitive equality (header names and options are ASCII).</summary>
    public static bool EqualsIgnoreCase(ReadOnlySpan<byte> value, ReadOnlySpan<byte> ascii) =>
        System.Text.Ascii.EqualsIgnoreCase(value, ascii);

    private static byte[] FieldValueBytes()
    {
        var bytes = new List<byte> { HTAB };
        for (var b = 0x20; b <= 0xFF; b++)
        {
            if (b != 0x7F)
            {
                bytes.Add((byte)b);
            }
        }

        return [.. bytes];
    }
}
