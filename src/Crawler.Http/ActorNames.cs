using System.Text;

namespace Crawler.Http;

/// <summary>Makes actor names out of URLs and host names (the old WebCrawler sample's ActorSafeNameFromUri).</summary>
internal static class ActorNames
{
    /// <summary>Keeps letters, digits and <c>-_.</c>; every other character becomes <c>_</c>; at most 100 characters.</summary>
    public static string Safe(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var builder = new StringBuilder(Math.Min(text.Length, 100));
        foreach (var c in text)
        {
            if (builder.Length == 100)
            {
                break;
            }

            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_');
        }

        return builder.Length == 0 ? "_" : builder.ToString();
    }
}
