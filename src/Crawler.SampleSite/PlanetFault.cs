namespace Crawler.SampleSite;

/// <summary>A fault the planet farm can give one planet, for fault-injection scenarios and load tests.</summary>
public enum PlanetFault
{
    /// <summary>A healthy planet.</summary>
    None,

    /// <summary>The planet page answers 404.</summary>
    NotFound,

    /// <summary>The planet page has no <c>h3 &gt; a</c> link.</summary>
    NoArticle,

    /// <summary>The article has no title.</summary>
    NoTitle,

    /// <summary>The article answers 404.</summary>
    ArticleNotFound,

    /// <summary>The planet page always answers 503.</summary>
    Unavailable,

    /// <summary>The planet page answers 503 with <c>Retry-After: 0</c> once, then the page.</summary>
    UnavailableOnce,

    /// <summary>The planet page is moved (301) to <c>/moved/{n}</c>, which serves it.</summary>
    Redirect,

    /// <summary>The planet page redirects (302) to a page that redirects back to it.</summary>
    RedirectLoop,

    /// <summary>The planet page never answers.</summary>
    Hang,

    /// <summary>The planet page sends its headers and a few bytes, then stalls.</summary>
    StallBody,

    /// <summary>The planet's connection is reset (RST) instead of answered.</summary>
    Reset,

    /// <summary>The planet page is 9 MB (over the crawler's default max-body-bytes).</summary>
    TooLarge,

    /// <summary>The planet page is moved (301) to <c>/moved/{n}</c> on the next host of the farm (another address when
    /// it has several), which serves it.</summary>
    RedirectToOtherHost,

    /// <summary>The planet page redirects (302) to the next host of the farm, which redirects back to it: a loop
    /// across two hosts.</summary>
    RedirectLoopAcrossHosts,
}
