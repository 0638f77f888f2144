using AngleSharp.Html.Dom;

namespace Crawler.Core.Extraction;

/// <summary>What a fetcher needs from HTML: parse a page, find its first article link, find its title.
/// <see cref="PageExtractor"/> is the implementation; tests substitute one that fails.</summary>
internal interface IPageExtractor
{
    /// <summary>Parses a page from its bytes and its <c>Content-Type</c>, which may name the encoding.</summary>
    IHtmlDocument Parse(ReadOnlyMemory<byte> body, string? contentType);

    /// <summary>The first article link, resolved; false with a reason (and the bad href, if it was malformed).</summary>
    bool FindArticleLink(IHtmlDocument page, Uri pageUrl, out Uri? link, out string? href, out string problem);

    /// <summary>The title, whitespace collapsed; false with a reason when there is none.</summary>
    bool FindTitle(IHtmlDocument page, out string title, out string problem);

    /// <summary>The first article link of a page of which only <paramref name="bodySoFar"/> has arrived, when nothing
    /// that follows can change it; false when that is not yet known.</summary>
    bool TryEarlyArticleLink(ReadOnlySpan<byte> bodySoFar, string? contentType, Uri pageUrl, out Uri? link);

    /// <summary>The title of a page of which only <paramref name="bodySoFar"/> has arrived, when nothing that follows
    /// can change it; false when that is not yet known.</summary>
    bool TryEarlyTitle(ReadOnlySpan<byte> bodySoFar, string? contentType, out string title);

    /// <summary>True when the article selector can be decided before the page ends.</summary>
    bool CanDecideArticleEarly { get; }

    /// <summary>True when the title selector can be decided before the page ends.</summary>
    bool CanDecideTitleEarly { get; }
}
