using Akka.Configuration;
using Crawler.Core.Configuration;

namespace Crawler.Core.Embedding;

/// <summary>
/// What one embedded crawl changes of the system's <c>crawler</c> settings. Every property left null keeps the
/// system's value (its HOCON over the embedded <c>reference.conf</c>); <see cref="Hocon"/> sets any other
/// <c>crawler.*</c> key for this crawl only. Every key either applies to the crawl or is refused by
/// <see cref="Resolve"/> with a <see cref="ConfigurationException"/> that says why: an unknown key (a typo), and the
/// keys of what all the system's crawls share, which only the system's HOCON sets (<c>http.max-connections</c>,
/// <c>host-idle-timeout</c>, <c>stop-system-on-completion</c>, and <c>planets</c>, which the call gives). A crawl may ask
/// for a lower <c>http.max-connections-per-host</c> than the system's, never a higher one or none (0).
/// </summary>
public sealed record CrawlOptions
{
    /// <summary>The planet job (default) or the titles job: the job of the crawl however it is started (a
    /// <see cref="Crawl.StartCrawl"/> that names a mode wins).</summary>
    public CrawlMode Mode { get; init; } = CrawlMode.Planets;

    /// <summary>The crawl's id, which every result, <see cref="Crawl.Completed"/> and <see cref="CrawlReport"/> carry
    /// (<see cref="Crawl.PlanetResult.CrawlId"/>); null for a new unique one.</summary>
    public string? CrawlId { get; init; }

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
    /// <exception cref="ConfigurationException">A value is bad (a selector that does not parse, a negative timeout), or
    /// a key of <see cref="Hocon"/> cannot apply to one crawl; the message names the key.</exception>
    public CrawlerSettings Resolve(Config crawler) => CrawlerSettings.Create(Apply(crawler)) with { StopSystemOnCompletion = false };

    /// <summary>The <c>crawler</c> section of a crawl with these options: theirs over <paramref name="crawler"/>.</summary>
    internal Config Apply(Config crawler)
    {
        ArgumentNullException.ThrowIfNull(crawler);
        var config = Overrides().ToConfig();
        if (!string.IsNullOrWhiteSpace(Hocon))
        {
            config = config.WithFallback(PerCrawlHocon.Check(Hocon, crawler));
        }

        return config.WithFallback(crawler);
    }

    private HoconOverrides Overrides() => new HoconOverrides()
        .Text("article-selector", ArticleSelector)
        .Text("title-selector", TitleSelector)
        .Switch("sequential", Sequential)
        .Number("max-planets-in-flight", MaxPlanetsInFlight)
        .Duration("planet-timeout", PlanetTimeout)
        .Duration("deadline", Deadline)
        .Duration("http.connect-timeout", ConnectTimeout)
        .Duration("http.first-byte-timeout", FirstByteTimeout)
        .Duration("http.request-timeout", RequestTimeout)
        .Text("http.user-agent", UserAgent)
        .Switch("robots.enabled", RespectRobots);
}
