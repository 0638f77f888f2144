using System.Security.Cryptography;
using System.Text;
using Akka.Configuration;
using Crawler.Core;

namespace Crawler.Journal;

/// <summary>
/// The fingerprints a job's journal compares a new run with (pure). Only what decides what a planet's result is
/// counts: the job, the selectors, the User-Agent (it picks the robots.txt group), robots.txt on or off, TLS
/// validation, the redirect limit, the body and URL limits. What only shapes how the crawl runs (timeouts, retries,
/// concurrency, spacing, proxy, deadline, output format) may change from one run of a job to the next.
/// </summary>
public static class JobFingerprint
{
    /// <summary>The settings under <c>crawler</c> that decide a result.</summary>
    public static IReadOnlyList<string> ResultKeys { get; } =
    [
        "article-selector", "title-selector", "max-url-length", "robots.enabled", "http.user-agent", "http.tls.insecure",
        "http.max-redirects", "http.max-body-bytes",
    ];

    /// <summary>The start of a run of <paramref name="urls"/> as <paramref name="mode"/> with <paramref name="crawler"/>
    /// (the <c>crawler</c> section of the configuration), stamped <paramref name="now"/>.</summary>
    public static JobStarted Start(CrawlMode mode, IReadOnlyList<string> urls, Config crawler, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(urls);
        return new JobStarted(mode, Options(crawler), Urls(urls), urls.Count, now);
    }

    /// <summary>The fingerprint of the result-deciding settings of <paramref name="crawler"/>.</summary>
    public static string Options(Config crawler)
    {
        ArgumentNullException.ThrowIfNull(crawler);
        var text = new StringBuilder();
        foreach (var key in ResultKeys)
        {
            text.Append(key).Append('=').Append(crawler.HasPath(key) ? crawler.GetValue(key).ToString() : string.Empty).Append('\n');
        }

        return Hash(text.ToString());
    }

    /// <summary>The fingerprint of <paramref name="urls"/>, in order.</summary>
    public static string Urls(IReadOnlyList<string> urls)
    {
        ArgumentNullException.ThrowIfNull(urls);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var url in urls)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(url ?? string.Empty));
            hash.AppendData("\n"u8);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
