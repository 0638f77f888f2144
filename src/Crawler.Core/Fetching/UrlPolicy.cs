namespace Crawler.Core.Fetching;

/// <summary>Which URLs the crawler can fetch.</summary>
internal static class UrlPolicy
{
    /// <summary>True for an absolute <c>http</c> or <c>https</c> URL with a host; otherwise the failure
    /// (<c>bad-url</c> or <c>unsupported-scheme</c>, naming <paramref name="text"/>), whose message completes
    /// "the link ..." or "... redirects to ...". A null or blank <paramref name="text"/> is a <c>bad-url</c>.</summary>
    public static bool Check(string? text, out Uri? url, out Failure? failure) => Check(text, out url, out failure, DefaultMaxLength);

    /// <summary>The default of <c>crawler.max-url-length</c>.</summary>
    public const int DefaultMaxLength = 8 * 1024;

    /// <summary>As <see cref="Check(string?, out Uri?, out Failure?)"/>, and a URL longer than <paramref name="maxLength"/>
    /// characters is a <c>bad-url</c>.</summary>
    public static bool Check(string? text, out Uri? url, out Failure? failure, int maxLength)
    {
        if (text is not null && text.Trim().Length > maxLength)
        {
            url = null;
            failure = new Failure(ErrorKind.BadUrl,
                $"'{Output.TerminalText.Escape(text[..Math.Min(text.Length, 64)])}...' is longer than crawler.max-url-length ({maxLength} characters)",
                text[..Math.Min(text.Length, maxLength)]);
            return false;
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            url = null;
            failure = new Failure(ErrorKind.BadUrl, text is null ? "no URL was given (null)" : $"'{text}' is not an absolute URL", text);
            return false;
        }

        if (Output.TerminalText.HasControl(text.Trim()))
        {
            // CR, LF, NUL and the other control characters cannot go into a request line (header injection).
            url = null;
            failure = new Failure(ErrorKind.BadUrl, $"'{Output.TerminalText.Escape(text)}' holds a control character", text);
            return false;
        }

        var trimmed = text.Trim();
        failure = null;
        if (!Uri.TryCreate(trimmed, UriKind.Absolute, out url) || (url.IsFile && !trimmed.StartsWith("file:", StringComparison.OrdinalIgnoreCase)))
        {
            url = null;
            failure = new Failure(ErrorKind.BadUrl, $"'{text}' is not an absolute URL", text);
        }
        else if (!IsReadable(url))
        {
            url = null;
            failure = new Failure(ErrorKind.BadUrl, $"'{Output.TerminalText.Escape(text)}' has a host that is not a valid international domain name", text);
        }
        else if (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
        {
            failure = new Failure(ErrorKind.UnsupportedScheme, $"{url} uses the scheme '{url.Scheme}'; only http and https are supported", text);
        }
        else if (string.IsNullOrEmpty(url.Host))
        {
            failure = new Failure(ErrorKind.BadUrl, $"'{text}' has no host", text);
        }
        else if (url.HostNameType == UriHostNameType.IPv6 && url.IdnHost.Contains("%25", StringComparison.Ordinal)
                 && (!System.Net.IPAddress.TryParse(Uri.UnescapeDataString(url.IdnHost), out var zoned) || zoned.ScopeId == 0))
        {
            failure = new Failure(ErrorKind.BadUrl,
                $"'{Output.TerminalText.Escape(text)}' names the IPv6 zone '{Uri.UnescapeDataString(url.IdnHost.Split("%25")[1])}', which is no network interface of this machine", text);
        }
        else if (url.Port == 0)
        {
            failure = new Failure(ErrorKind.BadUrl, $"'{text}' names port 0, where no server can listen", text);
        }
        else if (url.UserInfo.Length > 0)
        {
            // Never dropped silently: a URL with credentials would be fetched without them.
            failure = new Failure(ErrorKind.BadUrl,
                $"'{Output.TerminalText.Escape(url.GetComponents(UriComponents.SchemeAndServer | UriComponents.PathAndQuery, UriFormat.UriEscaped))}' holds credentials (user:password@), which the crawler does not send", text);
        }

        return failure is null;
    }

    /// <summary>False for a URL that <see cref="Uri.TryCreate(string?, UriKind, out Uri?)"/> accepts but whose host
    /// throws when it is read (a name that IDNA refuses, found by fuzzing: <c>https://\u06c0\ufffdt</c>).</summary>
    private static bool IsReadable(Uri url)
    {
        try
        {
            return url.Host is not null && url.IdnHost is not null && url.AbsoluteUri is not null;
        }
        catch (UriFormatException)
        {
            return false;
        }
    }
}
