using System.Net;
using System.Text;
using Akka.Configuration;

namespace Crawler.Http.Configuration;

/// <summary>
/// Forward proxies (<c>crawler.http.proxy</c>, <c>--proxy</c>/<c>--noproxy</c>, and in the console host the
/// <c>HTTP_PROXY</c>, <c>HTTPS_PROXY</c>, <c>ALL_PROXY</c> and <c>NO_PROXY</c> variables): which proxy, if any, a URL
/// goes through, by curl's rules. The scheme's own proxy wins over the one for every scheme; <see cref="NoProxy"/>
/// names hosts that go direct: <c>*</c> for all, a name matching itself and every name under it (a leading dot is
/// optional), an IP literal matching that address, or an address range in CIDR form. Loopback is proxied like any
/// other host unless it is named. Only <c>http://</c> proxies are supported; credentials in a proxy URL are sent as
/// Basic <c>Proxy-Authorization</c>. Plain data, so that a message can carry it.
/// </summary>
/// <param name="All">The proxy for every scheme (<c>url</c>, <c>--proxy</c>, <c>ALL_PROXY</c>), or null.</param>
/// <param name="Http">The proxy for <c>http://</c> URLs (<c>http</c>, <c>HTTP_PROXY</c>), or null.</param>
/// <param name="Https">The proxy for <c>https://</c> URLs (<c>https</c>, <c>HTTPS_PROXY</c>), or null.</param>
/// <param name="NoProxy">The entries of <c>no-proxy</c> (<c>--noproxy</c>, <c>NO_PROXY</c>).</param>
public sealed record ProxySettings(Uri? All, Uri? Http, Uri? Https, IReadOnlyList<string> NoProxy)
{
    /// <summary>No proxy for anything.</summary>
    public static ProxySettings None { get; } = new(null, null, null, []);

    /// <summary>The port of a proxy URL that names none (curl's default).</summary>
    public const int DefaultPort = 1080;

    /// <summary>Reads a <c>crawler.http.proxy</c> section (keys <c>url</c>, <c>http</c>, <c>https</c>, <c>no-proxy</c>).</summary>
    /// <exception cref="ConfigurationException">A proxy URL that is not an <c>http://</c> URL with a host.</exception>
    public static ProxySettings Create(Config? proxy)
    {
        if (proxy is null || proxy.IsEmpty)
        {
            return None;
        }

        Uri? Read(string key) => Parse(proxy.GetString(key, string.Empty), $"crawler.http.proxy.{key}");
        return new ProxySettings(Read("url"), Read("http"), Read("https"), Entries(proxy.GetString("no-proxy", string.Empty)));
    }

    /// <summary>A proxy URL as curl takes it: <c>http://[user:password@]host[:port]</c>, the scheme optional; empty for
    /// none.</summary>
    /// <exception cref="ConfigurationException">Anything else, naming <paramref name="key"/>.</exception>
    internal static Uri? Parse(string? text, string key)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var trimmed = text.Trim();
        var withScheme = trimmed.Contains("://", StringComparison.Ordinal) ? trimmed : "http://" + trimmed;
        if (!Uri.TryCreate(withScheme, UriKind.Absolute, out var url) || url.Host.Length == 0)
        {
            throw new ConfigurationException($"{key} = \"{trimmed}\" is not a proxy URL (http://[user:password@]host[:port])");
        }

        if (url.Scheme != Uri.UriSchemeHttp)
        {
            throw new ConfigurationException($"{key} = \"{trimmed}\": only http:// proxies are supported (not {url.Scheme}://)");
        }

        var port = HasExplicitPort(withScheme) ? url.Port : DefaultPort;
        return new UriBuilder(url) { Port = port, Path = "/" }.Uri;
    }

    /// <summary>The entries of a <c>NO_PROXY</c>-style list (commas or spaces between them).</summary>
    internal static IReadOnlyList<string> Entries(string? list) =>
        string.IsNullOrWhiteSpace(list) ? [] : list.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The proxy <paramref name="url"/> goes through, or null to go direct.</summary>
    public Uri? For(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return For(url.Scheme == Uri.UriSchemeHttps, url.IdnHost);
    }

    /// <summary>The proxy for <paramref name="host"/> over https (<paramref name="tls"/>) or http, or null to go direct.</summary>
    public Uri? For(bool tls, string host)
    {
        var proxy = (tls ? Https : Http) ?? All;
        return proxy is null || Bypasses(host) ? null : proxy;
    }

    /// <summary>True when <paramref name="host"/> (a name or an IP literal, IPv6 with or without brackets) is named by
    /// <see cref="NoProxy"/>.</summary>
    public bool Bypasses(string host)
    {
        var name = host.Trim('[', ']').TrimEnd('.').ToLowerInvariant();
        var address = IPAddress.TryParse(name, out var parsed) ? parsed : null;
        foreach (var raw in NoProxy)
        {
            var entry = raw.ToLowerInvariant();
            if (entry == "*")
            {
                return true;
            }

            if (address is not null)
            {
                if ((IPAddress.TryParse(entry.Trim('[', ']'), out var literal) && literal.Equals(address))
                    || (entry.Contains('/', StringComparison.Ordinal) && IPNetwork.TryParse(entry, out var range) && range.Contains(address)))
                {
                    return true;
                }

                continue;
            }

            var suffix = entry.TrimStart('.').TrimEnd('.');
            if (suffix.Length > 0 && (name == suffix || name.EndsWith("." + suffix, StringComparison.Ordinal)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The <c>Proxy-Authorization</c> value for <paramref name="proxy"/>'s credentials, or null when it has none.</summary>
    internal static string? Authorization(Uri proxy)
    {
        ArgumentNullException.ThrowIfNull(proxy);
        if (proxy.UserInfo.Length == 0)
        {
            return null;
        }

        var colon = proxy.UserInfo.IndexOf(':', StringComparison.Ordinal);
        var user = Uri.UnescapeDataString(colon < 0 ? proxy.UserInfo : proxy.UserInfo[..colon]);
        var password = colon < 0 ? string.Empty : Uri.UnescapeDataString(proxy.UserInfo[(colon + 1)..]);
        return "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));
    }

    /// <summary>The proxy as it may be shown: without its credentials.</summary>
    internal static string Display(Uri proxy)
    {
        ArgumentNullException.ThrowIfNull(proxy);
        return $"{proxy.Host}:{proxy.Port}";
    }

    /// <summary>Uri fills in 80 for http: a port is explicit when a colon follows the host in the authority.</summary>
    private static bool HasExplicitPort(string text)
    {
        var authority = text[(text.IndexOf("://", StringComparison.Ordinal) + 3)..].Split('/', '?', '#')[0];
        var hostPart = authority[(authority.LastIndexOf('@') + 1)..];
        return hostPart.StartsWith('[') ? hostPart.Contains("]:", StringComparison.Ordinal) : hostPart.Contains(':', StringComparison.Ordinal);
    }
}
