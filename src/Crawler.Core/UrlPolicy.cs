using Crawler.Http;

namespace Crawler.Core;

/// <summary>Which URLs the crawler can fetch.</summary>
public static class UrlPolicy
{
    /// <summary>True for an absolute <c>http</c> or <c>https</c> URL with a host; otherwise the kind (<c>bad-url</c> or
    /// <c>unsupported-scheme</c>) and a reason.</summary>
    public static bool Check(string text, out Uri? url, out ErrorKind kind, out string problem)
    {
        kind = ErrorKind.BadUrl;
        var trimmed = text.Trim();
        if (!Uri.TryCreate(trimmed, UriKind.Absolute, out url) || (url.IsFile && !trimmed.StartsWith("file:", StringComparison.OrdinalIgnoreCase)))
        {
            url = null;
            problem = $"'{text}' is not an absolute URL";
            return false;
        }

        if (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
        {
            kind = ErrorKind.UnsupportedScheme;
            problem = $"{url} uses the scheme '{url.Scheme}'; only http and https are supported";
            return false;
        }

        if (string.IsNullOrEmpty(url.Host))
        {
            problem = $"'{text}' has no host";
            return false;
        }

        problem = string.Empty;
        return true;
    }
}
