using System.Text;
using Crawler.Http;

namespace Crawler.Core;

#pragma warning disable IDE0065 // Inside namespace Crawler.*, the name Http means the namespace Crawler.Http;
using Http = Crawler.Http.Http; // an alias in the namespace lets call sites read Http.Send, as Tcp.Connect.
#pragma warning restore IDE0065

/// <summary>Turns a response body into text: the <c>Content-Type</c> charset when the runtime knows it, else UTF-8
/// (a BOM wins over both).</summary>
internal static class BodyText
{
    public static string Decode(Http.ResponseReceived response)
    {
        var encoding = Encoding.UTF8;
        var contentType = response.Header("Content-Type");
        var charsetAt = contentType?.IndexOf("charset=", StringComparison.OrdinalIgnoreCase) ?? -1;
        if (charsetAt >= 0)
        {
            var name = contentType![(charsetAt + 8)..].Split(';')[0].Trim().Trim('"', '\'');
            try
            {
                encoding = Encoding.GetEncoding(name);
            }
            catch (ArgumentException)
            {
                encoding = Encoding.UTF8;
            }
        }

        var body = response.Body.Span;
        var preamble = Encoding.UTF8.Preamble;
        if (body.StartsWith(preamble))
        {
            return Encoding.UTF8.GetString(body[preamble.Length..]);
        }

        return encoding.GetString(body);
    }
}
