using Akka.Configuration;
using Crawler.Http.Parsing;

namespace Crawler.Http;

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
/// <param name="MaxConnectionsPerHost">Connections per origin in a crawl's pool; 0 = no limit.</param>
/// <param name="MaxConnections">Connections in all of a crawl's pool; 0 = no limit.</param>
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
    Tls.TlsSettings Tls,
    bool Pipelining,
    int PipeliningDepth,
    int MaxConnectionsPerHost,
    int MaxConnections)
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

        return new HttpClientSettings(
            Positive(http, "connect-timeout"),
            Positive(http, "first-byte-timeout"),
            Positive(http, "read-idle-timeout"),
            Positive(http, "request-timeout"),
            Positive(http, "keep-alive-timeout"),
            NonNegative(http, "max-redirects"),
            http.GetString("user-agent") ?? string.Empty,
            http.GetString("accept") ?? string.Empty,
            http.GetString("accept-encoding") ?? string.Empty,
            new HttpParserLimits(
                (int)PositiveBytes(http, "max-status-line-length"),
                (int)PositiveBytes(http, "max-header-count"),
                (int)PositiveBytes(http, "max-header-bytes"),
                (int)PositiveBytes(http, "max-chunk-size-line"),
                PositiveBytes(http, "max-body-bytes"),
                http.GetBoolean("lf-line-terminators")),
            Crawler.Http.Tls.TlsSettings.Create(http.GetConfig("tls")),
            http.GetBoolean("pipelining"),
            Math.Max(1, NonNegative(http, "pipelining-depth")),
            NonNegative(http, "max-connections-per-host"),
            NonNegative(http, "max-connections"));
    }

    internal static TimeSpan Positive(Config config, string key)
    {
        Require(config, key);
        TimeSpan value;
        try
        {
            value = config.GetTimeSpan(key, null, allowInfinite: false);
        }
        catch (Exception e) when (e is not ConfigurationException)
        {
            value = TimeSpan.Zero;
        }

        return value > TimeSpan.Zero
            ? value
            : throw new ConfigurationException($"crawler.http.{key} must be a positive duration, not '{config.GetString(key)}'");
    }

    private static int NonNegative(Config config, string key)
    {
        Require(config, key);
        int value;
        try
        {
            value = config.GetInt(key);
        }
        catch (Exception e) when (e is not ConfigurationException)
        {
            value = -1;
        }

        return value >= 0
            ? value
            : throw new ConfigurationException($"crawler.http.{key} must be a whole number of at least 0, not '{config.GetString(key)}'");
    }

    private static long PositiveBytes(Config config, string key)
    {
        Require(config, key);
        long value;
        try
        {
            value = config.GetByteSize(key) ?? 0;
        }
        catch (Exception e) when (e is not ConfigurationException)
        {
            value = 0;
        }

        return value is > 0 and <= int.MaxValue || (key == "max-body-bytes" && value > 0)
            ? value
            : throw new ConfigurationException($"crawler.http.{key} must be a positive size, not '{config.GetString(key)}'");
    }

    private static void Require(Config config, string key)
    {
        if (!config.HasPath(key))
        {
            throw new ConfigurationException($"crawler.http.{key} is missing");
        }
    }
}
