using Akka.Actor;
using Akka.Configuration;
using Crawler.Core.Extraction;
using Crawler.Http;
using Crawler.Http.Configuration;

namespace Crawler.Core.Configuration;

/// <summary>
/// Settings of a crawl, read from the <c>crawler</c> section of HOCON. Defaults live only in the embedded
/// <c>reference.conf</c> (from <c>hocon/reference.conf</c>); variants are made with <c>with</c>.
/// </summary>
/// <param name="Planets">The planets crawled when none are given.</param>
/// <param name="ArticleSelector">CSS selector, or XPath expression, of the article link (<c>article-selector</c>).</param>
/// <param name="TitleSelector">CSS selector, or XPath expression, of the title (<c>title-selector</c>).</param>
/// <param name="Sequential">Crawl one planet at a time (<c>sequential</c>).</param>
/// <param name="MaxPlanetsInFlight">The most fetch actors alive at once (<c>max-planets-in-flight</c>).</param>
/// <param name="PlanetTimeout">The most time one planet may take (<c>planet-timeout</c>).</param>
/// <param name="Deadline">The most time the whole crawl may take, or null for none (<c>deadline</c>).</param>
/// <param name="StopSystemOnCompletion">Stop the ActorSystem when the crawl is complete (<c>stop-system-on-completion</c>).</param>
/// <param name="Retry">Retries and politeness (<c>crawler.retry</c>).</param>
/// <param name="MinHostDelay">The least time between two requests to one host (<c>min-host-delay</c>).</param>
/// <param name="RespectRobots">Fetch and obey robots.txt (<c>robots.enabled</c>).</param>
/// <param name="MaxCrawlDelay">The largest Crawl-delay honoured (<c>robots.max-crawl-delay</c>).</param>
/// <param name="Http">The HTTP client's settings (<c>crawler.http</c>).</param>
/// <param name="HostIdleTimeout">How long a host's state is kept after its last request (<c>host-idle-timeout</c>;
/// the system's value applies).</param>
public sealed record CrawlerSettings(
    IReadOnlyList<string> Planets,
    string ArticleSelector,
    string TitleSelector,
    bool Sequential,
    int MaxPlanetsInFlight,
    TimeSpan PlanetTimeout,
    TimeSpan? Deadline,
    bool StopSystemOnCompletion,
    RetrySettings Retry,
    TimeSpan MinHostDelay,
    bool RespectRobots,
    TimeSpan MaxCrawlDelay,
    HttpClientSettings Http,
    TimeSpan HostIdleTimeout)
{
    private static readonly Lazy<Config> Defaults = new(DefaultConfig);

    /// <summary>The embedded reference configuration: every <c>crawler.*</c> key with its default.</summary>
    public static Config DefaultConfig() => ConfigurationFactory.FromResource<CrawlerSettings>("Crawler.Core.reference.conf");

    /// <summary>Reads the settings of <paramref name="system"/>, after injecting the defaults as a fallback (so an
    /// embedding system needs no crawler configuration of its own, and any key it sets wins).</summary>
    public static CrawlerSettings Create(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        system.Settings.InjectTopLevelFallback(DefaultConfig());
        return Create(system.Settings.Config.GetConfig("crawler"));
    }

    /// <summary>The product token robots.txt groups are matched against: the user agent up to its first '/' or space
    /// (<c>Crawler</c> for <c>Crawler/0.1 (+...)</c>).</summary>
    public string ProductToken
    {
        get
        {
            var agent = Http.UserAgent.Trim();
            var end = agent.IndexOfAny(['/', ' ']);
            return end > 0 ? agent[..end] : agent.Length > 0 ? agent : "*";
        }
    }

    /// <summary>Reads a <c>crawler</c> section, validating each key.</summary>
    /// <exception cref="ConfigurationException">A key is missing or bad; the message names it.</exception>
    public static CrawlerSettings Create(Config crawler)
    {
        ArgumentNullException.ThrowIfNull(crawler);
        if (crawler.IsEmpty)
        {
            throw ConfigurationException.NullOrEmptyConfig<CrawlerSettings>("crawler");
        }

        var article = Selector(crawler, "article-selector");
        var title = Selector(crawler, "title-selector");
        const string Path = "crawler";
        return new CrawlerSettings(
            SettingsReader.Read(crawler, Path, "planets", (c, k) => (IReadOnlyList<string>)[.. c.GetStringList(k) ?? []], "a list of URLs"),
            article,
            title,
            SettingsReader.Switch(crawler, Path, "sequential"),
            Math.Max(1, SettingsReader.NonNegative(crawler, Path, "max-planets-in-flight")),
            SettingsReader.PositiveDuration(crawler, Path, "planet-timeout"),
            ReadDeadline(crawler),
            SettingsReader.Switch(crawler, Path, "stop-system-on-completion"),
            RetrySettings.Create(crawler.GetConfig("retry") ?? ConfigurationFactory.Empty),
            SettingsReader.Duration(crawler, Path, "min-host-delay"),
            SettingsReader.Switch(crawler, Path, "robots.enabled"),
            SettingsReader.Duration(crawler, Path, "robots.max-crawl-delay"),
            HttpClientSettings.Create(crawler.GetConfig("http")),
            SettingsReader.PositiveDuration(crawler, Path, "host-idle-timeout"))
        {
            Dispatcher = SettingsReader.Read(crawler, Path, "dispatcher", (c, k) => c.GetString(k) ?? string.Empty, "a dispatcher id").Trim(),
            EarlyAnswers = SettingsReader.Read(crawler, Path, "early-answers", (c, k) => ParseEarlyAnswers(c.GetString(k)), "off, drain or close"),
            MaxUrlLength = (int)SettingsReader.Read(crawler, Path, "max-url-length", (c, k) => c.GetByteSize(k) ?? 0, "a positive size",
                v => v is > 0 and <= 1 << 20),
        };
    }

    /// <summary>The dispatcher of every crawler actor (<c>dispatcher</c>: coordinators, printers, fetchers, host owners,
    /// connections; empty for Akka's default dispatcher). Akka.IO's own actors stay on Akka.IO's dispatcher.</summary>
    public string Dispatcher { get; init; } = string.Empty;

    /// <summary>Whether a planet acts on its article link, and a planet its title, as soon as the first bytes of the page
    /// decide it (<c>early-answers</c>), and what happens to the rest of that page.</summary>
    public EarlyAnswerMode EarlyAnswers { get; init; } = EarlyAnswerMode.Drain;

    private static EarlyAnswerMode ParseEarlyAnswers(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "off" or "false" or "no" => EarlyAnswerMode.Off,
        "drain" => EarlyAnswerMode.Drain,
        "close" => EarlyAnswerMode.Close,
        _ => throw new FormatException("not off, drain or close"),
    };

    /// <summary>The longest URL fetched (<c>max-url-length</c>): longer ones are <c>bad-url</c> results.</summary>
    public int MaxUrlLength { get; init; } = Fetching.UrlPolicy.DefaultMaxLength;

    private static TimeSpan? ReadDeadline(Config crawler)
    {
        var text = crawler.GetString("deadline")?.Trim();
        if (text is null or "infinite" or "off" or "none")
        {
            return null;
        }

        return SettingsReader.Read(crawler, "crawler", "deadline", (c, k) => c.GetTimeSpan(k, null, allowInfinite: false),
            "a positive duration or 'infinite'", v => v > TimeSpan.Zero);
    }

    private static string Selector(Config crawler, string key)
    {
        var selector = crawler.GetString(key);
        if (string.IsNullOrWhiteSpace(selector))
        {
            throw new ConfigurationException($"crawler.{key} is missing");
        }

        // The reference defaults are known to be valid: checking them would put AngleSharp's first-use cost on the
        // start-up path of every run.
        if (selector == Defaults.Value.GetString($"crawler.{key}"))
        {
            return selector;
        }

        return PageExtractor.IsValidSelector(selector, out var problem)
            ? selector
            : throw new ConfigurationException($"crawler.{key} '{selector}' is not a valid CSS selector or XPath expression: {problem}");
    }
}
