using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Akka.Configuration;
using Crawler.Core.Configuration;

namespace Crawler.Core.Embedding;

/// <summary>
/// What one embedded crawl changes of the system's <c>crawler</c> settings. Every property left null keeps the
/// system's value (its HOCON over the embedded <c>reference.conf</c>); <see cref="Hocon"/> sets any other
/// <c>crawler.*</c> key for this crawl only. Limits of the shared connection pool
/// (<c>crawler.http.max-connections-per-host</c>, <c>max-connections</c>) are the system's: a crawl may only ask
/// for a lower per-host cap.
/// </summary>
public sealed record CrawlOptions
{
    /// <summary>The planet job (default) or the titles job.</summary>
    public CrawlMode Mode { get; init; } = CrawlMode.Planets;

    /// <summary><c>article-selector</c>: CSS, or XPath when it starts with <c>/</c>, <c>(</c> or <c>xpath:</c>.</summary>
    public string? ArticleSelector { get; init; }

    /// <summary><c>title-selector</c>: CSS or XPath.</summary>
    public string? TitleSelector { get; init; }

    /// <summary><c>sequential</c>: one planet after the other.</summary>
    public bool? Sequential { get; init; }

    /// <summary><c>max-planets-in-flight</c>.</summary>
    public int? MaxPlanetsInFlight { get; init; }

    /// <summary><c>planet-timeout</c>.</summary>
    public TimeSpan? PlanetTimeout { get; init; }

    /// <summary><c>deadline</c> of the whole crawl.</summary>
    public TimeSpan? Deadline { get; init; }

    /// <summary><c>http.connect-timeout</c>.</summary>
    public TimeSpan? ConnectTimeout { get; init; }

    /// <summary><c>http.first-byte-timeout</c>.</summary>
    public TimeSpan? FirstByteTimeout { get; init; }

    /// <summary><c>http.request-timeout</c>.</summary>
    public TimeSpan? RequestTimeout { get; init; }

    /// <summary><c>http.user-agent</c>.</summary>
    public string? UserAgent { get; init; }

    /// <summary><c>robots.enabled</c>.</summary>
    public bool? RespectRobots { get; init; }

    /// <summary>Any other keys of the <c>crawler</c> section for this crawl, in HOCON relative to it
    /// (<c>http.read-idle-timeout = 5s</c>, <c>retry.max-retries = 0</c>); the properties above win over it.</summary>
    public string? Hocon { get; init; }

    /// <summary>The settings of a crawl with these options over <paramref name="crawler"/> (a system's
    /// <c>crawler</c> section). The crawl never stops the system.</summary>
    /// <exception cref="ConfigurationException">A value is bad (a selector that does not parse, a negative timeout);
    /// the message names the key.</exception>
    public CrawlerSettings Resolve(Config crawler)
    {
        ArgumentNullException.ThrowIfNull(crawler);
        var config = ConfigurationFactory.ParseString(string.Join('\n', Overrides()));
        if (!string.IsNullOrWhiteSpace(Hocon))
        {
            config = config.WithFallback(ConfigurationFactory.ParseString(Hocon));
        }

        return CrawlerSettings.Create(config.WithFallback(crawler)) with { StopSystemOnCompletion = false };
    }

    private IEnumerable<string> Overrides()
    {
        if (ArticleSelector is not null)
        {
            yield return $"article-selector = {Quote(ArticleSelector)}";
        }

        if (TitleSelector is not null)
        {
            yield return $"title-selector = {Quote(TitleSelector)}";
        }

        if (Sequential is { } sequential)
        {
            yield return $"sequential = {(sequential ? "on" : "off")}";
        }

        if (MaxPlanetsInFlight is { } inFlight)
        {
            yield return Invariant($"max-planets-in-flight = {inFlight}");
        }

        if (PlanetTimeout is { } planet)
        {
            yield return Duration("planet-timeout", planet);
        }

        if (Deadline is { } deadline)
        {
            yield return Duration("deadline", deadline);
        }

        if (ConnectTimeout is { } connect)
        {
            yield return Duration("http.connect-timeout", connect);
        }

        if (FirstByteTimeout is { } firstByte)
        {
            yield return Duration("http.first-byte-timeout", firstByte);
        }

        if (RequestTimeout is { } request)
        {
            yield return Duration("http.request-timeout", request);
        }

        if (UserAgent is not null)
        {
            yield return $"http.user-agent = {Quote(UserAgent)}";
        }

        if (RespectRobots is { } robots)
        {
            yield return $"robots.enabled = {(robots ? "on" : "off")}";
        }
    }

    private static string Duration(string key, TimeSpan value) =>
        value == Timeout.InfiniteTimeSpan ? $"{key} = infinite" : Invariant($"{key} = {(long)Math.Ceiling(value.TotalMilliseconds)}ms");

    private static string Quote(string value) => JsonSerializer.Serialize(value, QuoteOptions);

    private static readonly JsonSerializerOptions QuoteOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
