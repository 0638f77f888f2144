using Akka.Configuration;
using Crawler.Http.Parsing;

namespace Crawler.Http.Configuration;

/// <summary>
/// Settings of the HTTP client, read from the <c>crawler.http</c> section of HOCON. Every key and its default is in
/// <c>hocon/reference.conf</c>; each property is its key in PascalCase (<c>connect-timeout</c> →
/// <see cref="ConnectTimeout"/>).
/// </summary>
/// <param name="ConnectTimeout">The limit on name resolution plus the TCP connect.</param>
/// <param name="FirstByteTimeout">The limit from the request written to the first byte of the response.</param>
/// <param name="ReadIdleTimeout">The limit between two reads once the response has started.</param>
/// <param name="RequestTimeout">The limit on one whole request, from <see cref="Http.Send"/> to the last byte.</param>
/// <param name="KeepAliveTimeout">How long an unused keep-alive connection stays open.</param>
/// <param name="MaxRedirects">How many redirects a fetch follows (<c>max-redirects</c>; the client itself never
/// follows them, its users do).</param>
/// <param name="UserAgent">The <c>User-Agent</c> header.</param>
/// <param name="Accept">The <c>Accept</c> header.</param>
/// <param name="AcceptEncoding">The <c>Accept-Encoding</c> header (empty: none is sent; a coded body is still decoded).</param>
/// <param name="Limits">The parser's limits and strictness (<c>max-*</c> keys and <c>lf-line-terminators</c>).</param>
/// <param name="Tls">Certificate validation (<c>tls</c>).</param>
/// <param name="Pipelining">Write several requests back to back on one connection (<c>pipelining</c>).</param>
/// <param name="PipeliningDepth">How many requests may be in flight on one connection when pipelining.</param>
/// <param name="PipeliningStallTimeout">How long, after the first response of a pipelined batch, the next may keep
/// its first byte before the server is taken not to answer pipelined requests (that origin then gets one request at a
/// time).</param>
/// <param name="MaxConnectionsPerHost">Connections per origin in a crawl's pool; 0 = no limit.</param>
/// <param name="MaxConnections">Connections in all of a crawl's pool; 0 = no limit.</param>
/// <param name="Proxy">The forward proxies and the hosts that go direct (<c>proxy</c>).</param>
public sealed record HttpClientSettings(
    TimeSpan ConnectTimeout,
    TimeSpan FirstByteTimeout,
    TimeSpan ReadIdleTimeout,
    TimeSpan RequestTimeout,
    TimeSpan KeepAliveTimeout,
    int MaxRedirects,
    string UserAgent,
    string Accept,
    string AcceptEncoding,
    HttpParserLimits Limits,
    TlsSettings Tls,
    bool Pipelining,
    int PipeliningDepth,
    TimeSpan PipeliningStallTimeout,
    int MaxConnectionsPerHost,
    int MaxConnections,
    ProxySettings Proxy)
{
    /// <summary>Reads the settings from a <c>crawler.http</c> section, validating each key.</summary>
    /// <exception cref="ConfigurationException">A key is missing or has a bad value; the message names it.</exception>
    public static HttpClientSettings Create(Config http)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (http.IsEmpty)
        {
            throw ConfigurationException.NullOrEmptyConfig<HttpClientSettings>("crawler.http");
        }

        const string Path = "crawler.http";
        TimeSpan Positive(string key) => SettingsReader.PositiveDuration(http, Path, key);
        int NonNegative(string key) => SettingsReader.NonNegative(http, Path, key);

        // Sizes fit an int, except max-body-bytes, which the parser counts in a long.
        long PositiveBytes(string key) => SettingsReader.Read(http, Path, key, (c, k) => c.GetByteSize(k) ?? 0, "a positive size",
            v => v is > 0 and <= int.MaxValue || (key == "max-body-bytes" && v > 0));

        string FieldValue(string key)
        {
            var value = http.GetString(key) ?? string.Empty;
            return Writing.HttpRequestWriter.IsFieldValue(value) ? value : throw new ConfigurationException(
                $"{Path}.{key} holds a control character (CR, LF, NUL, ...) or a character beyond Latin-1, which cannot go into a request header");
        }

        return new HttpClientSettings(
            Positive("connect-timeout"),
            Positive("first-byte-timeout"),
            Positive("read-idle-timeout"),
            Positive("request-timeout"),
            Positive("keep-alive-timeout"),
            NonNegative("max-redirects"),
            FieldValue("user-agent"),
            FieldValue("accept"),
            FieldValue("accept-encoding"),
            new HttpParserLimits(
                (int)PositiveBytes("max-status-line-length"),
                (int)PositiveBytes("max-header-count"),
                (int)PositiveBytes("max-header-bytes"),
                (int)PositiveBytes("max-chunk-size-line"),
                PositiveBytes("max-body-bytes"),
                SettingsReader.Switch(http, Path, "lf-line-terminators")),
            TlsSettings.Create(http.GetConfig("tls")),
            SettingsReader.Switch(http, Path, "pipelining"),
            Math.Max(1, NonNegative("pipelining-depth")),
            Positive("pipelining-stall-timeout"),
            NonNegative("max-connections-per-host"),
            NonNegative("max-connections"),
            ProxySettings.Create(http.GetConfig("proxy")));
    }
}
