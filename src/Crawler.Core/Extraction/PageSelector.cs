using System.Xml.XPath;
using AngleSharp.Css.Dom;
using AngleSharp.Css.Parser;
using AngleSharp.Dom;

namespace Crawler.Core.Extraction;

/// <summary>
/// A selector given by the user: CSS, or XPath 1.0 when the text starts with <c>/</c>, <c>(</c> or <c>xpath:</c>
/// (so the seed's <c>//h3/a/@href</c> and <c>/html/head/title</c> work as the article wrote them). XPath runs on the
/// BCL's own engine over an <see cref="HtmlNavigator"/>. The first match wins; it may be an element, an attribute,
/// a text node or, for XPath, a string. Thread-safe: one selector serves every fetcher of a crawl.
/// </summary>
internal sealed class PageSelector
{
    private static readonly CssSelectorParser CssParser = new();

    private readonly XPathExpression? _xpath;

    private PageSelector(string text, XPathExpression? xpath, bool prefixStable = false)
    {
        Text = text;
        _xpath = xpath;
        IsPrefixStable = prefixStable;
    }

    /// <summary>True when the first match in the first bytes of a page can be final before the page ends
    /// (<see cref="PrefixStability"/>): a CSS selector of type, id, class and attribute steps joined by descendant or
    /// child combinators. XPath selectors always wait for the whole page.</summary>
    public bool IsPrefixStable { get; }

    /// <summary>The selector as the user wrote it.</summary>
    public string Text { get; }

    /// <summary>True for an XPath selector.</summary>
    public bool IsXPath => _xpath is not null;

    /// <summary>Parses and checks a selector; false with the parser's complaint when it is not valid.</summary>
    public static bool TryParse(string text, out PageSelector? selector, out string problem)
    {
        ArgumentNullException.ThrowIfNull(text);
        selector = null;
        var trimmed = text.Trim();
        var isXPath = IsXPathText(trimmed);
        try
        {
            if (isXPath)
            {
                var expression = trimmed.StartsWith("xpath:", StringComparison.OrdinalIgnoreCase) ? trimmed[6..] : trimmed;
                selector = new PageSelector(text, XPathExpression.Compile(expression));
            }
            else
            {
                bool valid;
                lock (CssParser)
                {
                    valid = trimmed.Length > 0 && CssParser.ParseSelector(trimmed) is not null;
                }

                if (!valid)
                {
                    problem = $"'{trimmed}' is not a valid CSS selector";
                    return false;
                }

                selector = new PageSelector(text, null);
            }

            problem = string.Empty;
            return true;
        }
        catch (Exception e) when (e is XPathException or DomException or ArgumentException)
        {
            problem = e.Message;
            return false;
        }
    }

    /// <summary>A selector that is known to be valid (validated by <see cref="Configuration.CrawlerSettings"/>): an XPath expression is
    /// compiled, a CSS selector is parsed once to read its shape.</summary>
    public static PageSelector Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        if (!IsXPathText(trimmed))
        {
            ISelector? css;
            lock (CssParser)
            {
                css = trimmed.Length > 0 ? CssParser.ParseSelector(trimmed) : null;
            }

            return new PageSelector(text, null, css is not null && PrefixStability.IsPrefixStable(css));
        }

        return TryParse(text, out var selector, out var problem) ? selector! : throw new ArgumentException(problem, nameof(text));
    }

    private static bool IsXPathText(string trimmed) =>
        trimmed.StartsWith('/') || trimmed.StartsWith('(') || trimmed.StartsWith("xpath:", StringComparison.OrdinalIgnoreCase);

    /// <summary>The first match in <paramref name="document"/>: the element (or attribute owner) and the text the
    /// match stands for (an attribute's value, a text node's data, an XPath string), or null when nothing matches.</summary>
    public (IElement? Element, string? Value)? SelectFirst(IDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        if (_xpath is null)
        {
            return document.QuerySelector(Text.Trim()) is { } element ? (element, null) : null;
        }

        // A compiled expression keeps evaluation state: each evaluation gets its own copy, so that one selector can
        // serve every fetcher of a crawl.
        var navigator = new HtmlNavigator(document);
        var result = navigator.Evaluate(_xpath.Clone());
        switch (result)
        {
            case XPathNodeIterator nodes:
                if (!nodes.MoveNext() || nodes.Current is not HtmlNavigator match)
                {
                    return null;
                }

                return match.Attribute is { } attribute ? (attribute.OwnerElement, attribute.Value)
                    : match.Node is IElement matched ? (matched, null)
                    : (match.Node.ParentElement, match.Value);
            case string text when text.Length > 0:
                return (null, text);
            case string:
                return null;
            default:
                return (null, Convert.ToString(result, System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    /// <inheritdoc />
    public override string ToString() => Text;
}
