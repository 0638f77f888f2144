using System.Runtime.InteropServices;
using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using AngleSharp.Text;

namespace Crawler.Core.Extraction;

/// <summary>
/// Finds the article link of a planet page and the title of an article page with AngleSharp: CSS or XPath selectors
/// (<see cref="PageSelector"/>), first match wins, as the seed's <c>xpath(...)[0]</c>. Pure: no network, no actors.
/// Thread-safe (a parser per thread, selectors evaluated on copies): one instance serves every fetcher of a crawl.
/// </summary>
internal sealed class PageExtractor : IPageExtractor
{
    // Creating an HtmlParser builds a browsing context, which costs far more than parsing a small page; one parser
    // per thread serves every fetcher that runs on it (ParseDocument keeps no state between documents).
    private static readonly ThreadLocal<HtmlParser> Parsers = new(() => new HtmlParser());

    static PageExtractor()
    {
        // windows-1252, Shift_JIS, EUC-KR and the other legacy encodings pages declare live in the code-pages provider.
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
    }
    private readonly PageSelector _articleSelector;
    private readonly PageSelector _titleSelector;

    /// <summary>Creates an extractor for the given selectors (validated by <see cref="Configuration.CrawlerSettings"/>).</summary>
    public PageExtractor(string articleSelector, string titleSelector)
    {
        _articleSelector = PageSelector.Parse(articleSelector);
        _titleSelector = PageSelector.Parse(titleSelector);
    }

    /// <summary>Parses a page; the document is then given to <see cref="FindArticleLink"/> or <see cref="FindTitle"/>.</summary>
    public static IHtmlDocument ParseHtml(string html) => Parsers.Value!.ParseDocument(html);

    /// <summary>
    /// Parses a page from its bytes, deciding the encoding as the HTML standard does: a byte order mark first, then
    /// the <c>charset</c> of <paramref name="contentType"/> (labels resolved the WHATWG way, so <c>iso-8859-1</c> is
    /// windows-1252), then AngleSharp's prescan of <c>&lt;meta charset&gt;</c> and <c>http-equiv</c>, else UTF-8.
    /// </summary>
    public IHtmlDocument Parse(ReadOnlyMemory<byte> body, string? contentType)
    {
        var bytes = body.Span;
        var hasBom = bytes.StartsWith(Encoding.UTF8.Preamble) || bytes.StartsWith(Encoding.Unicode.Preamble)
                     || bytes.StartsWith(Encoding.BigEndianUnicode.Preamble);
        if (!hasBom && DeclaredEncoding(contentType) is { } declared)
        {
            return ParseHtml(declared.GetString(bytes));
        }

        var stream = MemoryMarshal.TryGetArray(body, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(body.ToArray(), writable: false);
        return Parsers.Value!.ParseDocument(stream);
    }

    /// <summary>The encoding a Content-Type names, or null when it names none (or one nobody knows).</summary>
    public static Encoding? DeclaredEncoding(string? contentType)
    {
        var at = contentType?.IndexOf("charset=", StringComparison.OrdinalIgnoreCase) ?? -1;
        if (at < 0)
        {
            return null;
        }

        var label = contentType![(at + 8)..].Split(';')[0].Trim().Trim('"', '\'').Trim();
        if (label.Length == 0)
        {
            return null;
        }

        // AngleSharp resolves WHATWG labels and answers UTF-8 for any it does not know.
        var encoding = TextEncoding.Resolve(label);
        var isUtf8Label = label.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || label.Equals("utf8", StringComparison.OrdinalIgnoreCase)
                          || label.Equals("unicode-1-1-utf-8", StringComparison.OrdinalIgnoreCase);
        return encoding.CodePage == Encoding.UTF8.CodePage && !isUtf8Label ? null : encoding;
    }

    /// <summary>
    /// The first article link, resolved against the page's <c>&lt;base href&gt;</c> or else <paramref name="pageUrl"/>.
    /// Returns false with a reason when no element matches, the match has no <c>href</c>, or it does not resolve
    /// (then <paramref name="href"/> holds the text that is not a URL).
    /// </summary>
    public bool FindArticleLink(IHtmlDocument page, Uri pageUrl, out Uri? link, out string? href, out string problem)
    {
        ArgumentNullException.ThrowIfNull(page);
        link = null;
        href = null;
        if (_articleSelector.SelectFirst(page) is not var (element, value))
        {
            problem = $"no element matches '{_articleSelector}'";
            return false;
        }

        var text = (value ?? element?.GetAttribute("href"))?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            problem = $"the first '{_articleSelector}' has no href";
            return false;
        }

        var baseUrl = pageUrl;
        if (page.QuerySelector("base[href]")?.GetAttribute("href") is { } baseHref
            && Uri.TryCreate(pageUrl, baseHref.Trim(), out var declared))
        {
            baseUrl = declared;
        }

        if (!Uri.TryCreate(baseUrl, text, out link))
        {
            href = text;
            problem = $"the article link '{text}' is not a valid URL";
            return false;
        }

        problem = string.Empty;
        return true;
    }

    /// <summary>The first title's text with whitespace collapsed; false when there is none or it is empty.</summary>
    public bool FindTitle(IHtmlDocument page, out string title, out string problem)
    {
        ArgumentNullException.ThrowIfNull(page);
        var match = _titleSelector.SelectFirst(page);
        title = match is var (element, value) ? CollapseWhitespace(value ?? element?.TextContent ?? string.Empty) : string.Empty;
        problem = match is null
            ? $"no element matches '{_titleSelector}'"
            : title.Length == 0 ? $"the '{_titleSelector}' element is empty" : string.Empty;
        return title.Length > 0;
    }

    /// <inheritdoc />
    public bool CanDecideArticleEarly => _articleSelector.IsPrefixStable;

    /// <inheritdoc />
    public bool CanDecideTitleEarly => _titleSelector.IsPrefixStable;

    /// <inheritdoc />
    public bool TryEarlyArticleLink(ReadOnlySpan<byte> bodySoFar, string? contentType, Uri pageUrl, out Uri? link)
    {
        link = null;
        if (!_articleSelector.IsPrefixStable || ParsePrefix(bodySoFar, contentType) is not { } page
            || _articleSelector.SelectFirst(page) is not ({ } element, _)
            || !PrefixStability.IsFinal(element, Probe(page), closed: false)
            || !FindArticleLink(page, pageUrl, out link, out _, out _))
        {
            link = null;
            return false;
        }

        return true;
    }

    /// <inheritdoc />
    public bool TryEarlyTitle(ReadOnlySpan<byte> bodySoFar, string? contentType, out string title)
    {
        title = string.Empty;
        return _titleSelector.IsPrefixStable && ParsePrefix(bodySoFar, contentType) is { } page
            && _titleSelector.SelectFirst(page) is ({ } element, _)
            && PrefixStability.IsFinal(element, Probe(page), closed: true)
            && FindTitle(page, out title, out _);
    }

    /// <summary>The DOM of the bytes so far and the probe, or null when the bytes cannot yet be decoded as the whole
    /// page would be: without a byte order mark or a charset in the Content-Type, the encoding may still be declared
    /// further on, so only bytes that read the same in every ASCII-compatible encoding are parsed.</summary>
    private static IHtmlDocument? ParsePrefix(ReadOnlySpan<byte> bytes, string? contentType)
    {
        string text;
        if (bytes.StartsWith(Encoding.UTF8.Preamble))
        {
            text = Encoding.UTF8.GetString(bytes[3..]);
        }
        else if (bytes.StartsWith(Encoding.Unicode.Preamble) || bytes.StartsWith(Encoding.BigEndianUnicode.Preamble))
        {
            var encoding = bytes.StartsWith(Encoding.Unicode.Preamble) ? Encoding.Unicode : Encoding.BigEndianUnicode;
            text = encoding.GetString(bytes[2..]);
        }
        else if (DeclaredEncoding(contentType) is { } declared)
        {
            text = declared.GetString(bytes);
        }
        else if (!bytes.ContainsAnyExceptInRange((byte)0, (byte)0x7F))
        {
            text = Encoding.ASCII.GetString(bytes);
        }
        else
        {
            return null;
        }

        return ParseHtml(text + PrefixStability.ProbeMarkup);
    }

    private static AngleSharp.Dom.IElement? Probe(IHtmlDocument page) => page.GetElementsByTagName(PrefixStability.ProbeTag) is { Length: 1 } probes ? probes[0] : null;

    /// <summary>Parses a small page once, so that AngleSharp's first-use cost (tens of milliseconds of JIT) is paid on
    /// a spare core while the crawl connects, not when the first page arrives.</summary>
    public static void WarmUp() =>
        ParseHtml("<!DOCTYPE html><html><head><title>warm</title></head><body><h3><a href=\"/a\">a</a></h3></body></html>")
            .QuerySelector("h3 > a[href]");

    /// <summary>True when <paramref name="selector"/> is a valid CSS selector, or XPath 1.0 expression.</summary>
    public static bool IsValidSelector(string selector, out string problem) => PageSelector.TryParse(selector, out _, out problem);

    private static string CollapseWhitespace(string text)
    {
        var builder = new StringBuilder(text.Length);
        var space = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                space = builder.Length > 0;
                continue;
            }

            if (space)
            {
                builder.Append(' ');
                space = false;
            }

            builder.Append(c);
        }

        return builder.ToString();
    }
}
