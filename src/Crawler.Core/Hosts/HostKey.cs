namespace Crawler.Core.Hosts;

/// <summary>What "host" means in the crawler: the lower-cased host name in its ASCII (IDN) form, without scheme or port.
/// Politeness, robots.txt's Crawl-delay and the per-host connection cap are per host; connections and robots.txt
/// itself are per origin (<c>scheme://host:port</c>) inside it.</summary>
internal static class HostKey
{
    /// <summary>The host of <paramref name="url"/>: <c>Example.ORG</c> and <c>https://example.org:8443/</c> are both
    /// <c>example.org</c>.</summary>
    public static string Of(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return url.IdnHost.ToLowerInvariant();
    }
}
