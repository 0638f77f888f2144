using System.Globalization;
using System.Text;

namespace Crawler.Core.Output;

/// <summary>Text from the web (titles, URLs, servers' messages) made safe for a terminal: control characters (C0,
/// DEL and C1: ESC sequences, BEL, CR, LF, NUL) are written as <c>\xNN</c> (<c>\u</c> for C1), so they can neither
/// drive the terminal nor break a result's lines. Pure.</summary>
internal static class TerminalText
{
    /// <summary>True when <paramref name="text"/> holds a control character.</summary>
    public static bool HasControl(string? text) => text is not null && text.AsSpan().IndexOfAnyInRange('\u0000', '\u001f') >= 0
        || text is not null && text.AsSpan().IndexOfAnyInRange('\u007f', '\u009f') >= 0;

    /// <summary><paramref name="text"/> with its control characters escaped (null stays null).</summary>
    public static string? Escape(string? text)
    {
        if (!HasControl(text))
        {
            return text;
        }

        var escaped = new StringBuilder(text!.Length + 8);
        foreach (var c in text)
        {
            if (c < '\u0020' || c == '\u007f')
            {
                escaped.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
            }
            else if (c is >= '\u0080' and <= '\u009f')
            {
                escaped.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
            else
            {
                escaped.Append(c);
            }
        }

        return escaped.ToString();
    }
}
