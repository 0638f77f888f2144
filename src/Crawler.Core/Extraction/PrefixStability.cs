using AngleSharp.Css;
using AngleSharp.Css.Dom;
using AngleSharp.Dom;

namespace Crawler.Core.Extraction;

/// <summary>
/// When the first match of a selector in the first bytes of a page is the first match in the whole page, whatever
/// bytes follow. Pure rules of the HTML parser's tree construction, checked on the DOM AngleSharp built of the bytes
/// so far followed by a probe element (<see cref="ProbeTag"/>), which lands where the parser stood: on the path of open
/// elements, unless the bytes ended inside a tag, a comment, a script or another raw text, where no probe appears and
/// nothing is decided.
/// </summary>
/// <remarks>
/// Later bytes can change what came before in four ways only, and each is ruled out:
/// <list type="bullet">
/// <item>foster parenting puts content met inside an open table before the table: no table, template, select, svg or
/// math may be open, and the probe must end the document (a fostered probe would not);</item>
/// <item>the adoption agency algorithm moves open elements and the children of an open block when a formatting
/// element (<c>a</c>, <c>b</c>, <c>font</c>, ...) above them is closed out of order: no formatting element may be open
/// above the match (the match itself may be open: its attributes and its place are fixed);</item>
/// <item>a later <c>&lt;html&gt;</c> or <c>&lt;body&gt;</c> tag adds attributes to those elements: selectors whose
/// steps test attributes of an element that may be html or body are never decided early
/// (<see cref="IsPrefixStable"/>);</item>
/// <item>an element still open can still get children: a match whose text is the answer must be closed.</item>
/// </list>
/// Selectors that look at what follows an element or at its children (<c>:last-child</c>, <c>:empty</c>, <c>:has</c>,
/// <c>~</c>, <c>+</c>, any pseudo-class) are never decided early, nor XPath: they wait for the whole page.
/// </remarks>
internal static class PrefixStability
{
    /// <summary>The tag of the probe element appended to the bytes so far.</summary>
    public const string ProbeTag = "crawler-prefix-end";

    /// <summary>The markup appended to the bytes so far.</summary>
    public const string ProbeMarkup = "<" + ProbeTag + "></" + ProbeTag + ">";

    private static readonly HashSet<string> Formatting = new(StringComparer.OrdinalIgnoreCase)
    {
        "a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u",
    };

    private static readonly HashSet<string> Unsettled = new(StringComparer.OrdinalIgnoreCase)
    {
        "table", "caption", "colgroup", "tbody", "thead", "tfoot", "tr", "td", "th", "template", "select", "svg", "math", "frameset",
    };

    /// <summary>True when <paramref name="selector"/> (CSS) is made only of type, id, class and attribute tests joined
    /// by descendant or child combinators, and no step that tests attributes could match html or body.</summary>
    public static bool IsPrefixStable(ISelector selector)
    {
        ArgumentNullException.ThrowIfNull(selector);
        var shape = new Shape();
        selector.Accept(shape);
        shape.Complete();
        return shape.Stable;
    }

    /// <summary>True when <paramref name="match"/>, the first match in a DOM built of the bytes so far and the probe,
    /// stays the first match whatever follows. <paramref name="closed"/>: the match must also be complete (its text
    /// is the answer).</summary>
    public static bool IsFinal(IElement match, IElement? probe, bool closed)
    {
        ArgumentNullException.ThrowIfNull(match);
        if (probe is null || ReferenceEquals(match, probe))
        {
            return false;
        }

        var open = new HashSet<IElement>(ReferenceEqualityComparer.Instance);
        for (INode? node = probe; node is not null; node = node.Parent)
        {
            if (node.NextSibling is not null)
            {
                return false; // fostered, or not where the parser stood
            }

            if (node is IElement element)
            {
                if (!ReferenceEquals(element, probe) && (Unsettled.Contains(element.LocalName) || element.NamespaceUri != NamespaceNames.HtmlUri))
                {
                    return false;
                }

                open.Add(element);
            }
        }

        if (closed && open.Contains(match))
        {
            return false;
        }

        for (var above = match.ParentElement; above is not null; above = above.ParentElement)
        {
            if (open.Contains(above) && Formatting.Contains(above.LocalName))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Reads a selector's shape: every step's type and whether it tests attributes.</summary>
    private sealed class Shape : ISelectorVisitor
    {
        private string? _type;
        private bool _conditions;
        private bool _known;

        public bool Stable { get; private set; } = true;

        public void Attribute(string name, string op, string? value) => Condition();

        public void Type(string name)
        {
            _known = true;
            _type = name;
        }

        public void Id(string value) => Condition();

        public void Class(string name) => Condition();

        public void Child(string name, int step, int offset, ISelector selector) => Stable = false;

        public void Combinator(IEnumerable<ISelector> selectors, IEnumerable<string> symbols)
        {
            if (symbols.Any(symbol => symbol.Trim().Length > 0 && symbol.Trim() != ">"))
            {
                Stable = false;
                return;
            }

            foreach (var step in selectors)
            {
                var inner = new Shape();
                step.Accept(inner);
                inner.Complete();
                Stable &= inner.Stable;
            }

            _known = true;
        }

        public void List(IEnumerable<ISelector> selectors) => Stable = false;

        public void Many(IEnumerable<ISelector> selectors)
        {
            foreach (var part in selectors)
            {
                part.Accept(this);
            }
        }

        public void PseudoClass(string name) => Stable = false;

        public void PseudoElement(string name) => Stable = false;

        private void Condition()
        {
            _known = true;
            _conditions = true;
        }

        /// <summary>Ends the visit of a step: one that tests attributes must name a type that is neither html nor
        /// body (nor any, <c>*</c>), and a step the visitor did not recognise is not stable.</summary>
        public void Complete()
        {
            if (_conditions && (_type is null or "*" || _type.Equals("html", StringComparison.OrdinalIgnoreCase)
                                || _type.Equals("body", StringComparison.OrdinalIgnoreCase)))
            {
                Stable = false;
            }

            Stable &= _known;
        }
    }
}
