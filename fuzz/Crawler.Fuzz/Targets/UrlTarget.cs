using System.Net.Http;
using System.Text;
using Crawler.Core;
using Crawler.Core.Fetching;
using Crawler.Http.Writing;

namespace Crawler.Fuzz.Targets;

/// <summary>
/// The URL policy, on what a --file line or a page's link can be: it accepts a URL or names a failure of kind
/// <c>bad-url</c> or <c>unsupported-scheme</c>, never throws; what it accepts is absolute http(s) with a host, no
/// longer than the bound, and can be written as a request whose request line and Host header hold no CR, LF or NUL.
/// </summary>
internal static class UrlTarget
{
    private const int MaxLength = 2048;

    public static void Run(ReadOnlySpan<byte> input)
    {
        var text = Encoding.UTF8.GetString(input);
        if (!UrlPolicy.Check(text, out var url, out var failure, MaxLength))
        {
            if (failure is null || failure.Kind is not (ErrorKind.BadUrl or ErrorKind.UnsupportedScheme))
            {
                throw new FuzzFinding($"refused with {failure?.Kind.ToString() ?? "no failure"}");
            }

            return;
        }

        if (url is null || !url.IsAbsoluteUri || url.Scheme is not ("http" or "https") || url.Host.Length == 0)
        {
            throw new FuzzFinding($"accepted '{url}', which is not an absolute http(s) URL with a host");
        }

        var request = HttpRequestWriter.ToArray(new HttpRequestSpec(HttpMethod.Get, url, "crawler", "*/*", KeepAlive: true));
        var head = Encoding.Latin1.GetString(request);
        var lines = head.Split("\r\n");
        if (lines.Any(line => line.Contains('\n') || line.Contains('\r') || line.Contains('\0')))
        {
            throw new FuzzFinding($"the request for '{url}' holds a bare CR, LF or NUL");
        }

        if (!lines[0].StartsWith("GET ", StringComparison.Ordinal) || lines[0].Count(c => c == ' ') != 2)
        {
            throw new FuzzFinding($"the request line '{lines[0]}' is not METHOD SP TARGET SP VERSION");
        }
    }
}
