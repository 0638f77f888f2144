using System.Xml;
using System.Xml.XPath;
using AngleSharp.Dom;

namespace Crawler.Core.Extraction;

/// <summary>
/// An <see cref="XPathNavigator"/> over an AngleSharp DOM, so that the BCL's XPath 1.0 engine (System.Xml.XPath)
/// evaluates expressions such as the seed's <c>//h3/a/@href</c> and <c>/html/head/title</c> on HTML pages. Elements
/// of the HTML namespace are presented in no namespace (XPath 1.0 has no default namespace for names, and HTML
/// authors write <c>//h3</c>, not <c>//x:h3</c>); the doctype is not part of the XPath data model and is skipped.
/// </summary>
internal sealed class HtmlNavigator : XPathNavigator
{
    private const string HtmlNamespace = "http://www.w3.org/1999/xhtml";

    private readonly IDocument _document;
    private readonly XmlNameTable _names;
    private INode _node;
    private int _attribute;

    public HtmlNavigator(IDocument document)
        : this(document, document, -1, new NameTable())
    {
    }

    private HtmlNavigator(IDocument document, INode node, int attribute, XmlNameTable names)
    {
        _document = document;
        _node = node;
        _attribute = attribute;
        _names = names;
    }

    /// <summary>The DOM node the navigator is on (the owning element when it is on an attribute).</summary>
    public INode Node => _node;

    /// <summary>The attribute the navigator is on, or null.</summary>
    public IAttr? Attribute => _attribute >= 0 ? ((IElement)_node).Attributes[_attribute] : null;

    public override XmlNameTable NameTable => _names;

    public override XPathNodeType NodeType => _attribute >= 0
        ? XPathNodeType.Attribute
        : _node switch
        {
            IDocument => XPathNodeType.Root,
            IElement => XPathNodeType.Element,
            IComment => XPathNodeType.Comment,
            IProcessingInstruction => XPathNodeType.ProcessingInstruction,
            IText text when string.IsNullOrWhiteSpace(text.Data) => XPathNodeType.Whitespace,
            _ => XPathNodeType.Text,
        };

    public override string LocalName => _names.Add(Attribute?.LocalName ?? _node switch
    {
        IElement element => element.LocalName,
        IProcessingInstruction instruction => instruction.Target,
        _ => string.Empty,
    });

    public override string Name => _names.Add(Attribute?.Name ?? (_node is IElement element
        ? element.Prefix is { Length: > 0 } prefix ? $"{prefix}:{element.LocalName}" : element.LocalName
        : LocalName));

    public override string NamespaceURI => _names.Add(Attribute is { } attribute
        ? attribute.NamespaceUri ?? string.Empty
        : _node is IElement element && element.NamespaceUri is { } uri && uri != HtmlNamespace ? uri : string.Empty);

    public override string Prefix => _names.Add(Attribute?.Prefix ?? (_node as IElement)?.Prefix ?? string.Empty);

    public override string BaseURI => _document.BaseUri ?? string.Empty;

    public override bool IsEmptyElement => _attribute < 0 && _node is IElement && !_node.HasChildNodes;

    public override string Value => Attribute?.Value ?? _node.TextContent ?? string.Empty;

    public override XPathNavigator Clone() => new HtmlNavigator(_document, _node, _attribute, _names);

    public override bool IsSamePosition(XPathNavigator other) =>
        other is HtmlNavigator navigator && ReferenceEquals(navigator._node, _node) && navigator._attribute == _attribute;

    public override bool MoveTo(XPathNavigator other)
    {
        if (other is not HtmlNavigator navigator || !ReferenceEquals(navigator._document, _document))
        {
            return false;
        }

        (_node, _attribute) = (navigator._node, navigator._attribute);
        return true;
    }

    public override bool MoveToFirstAttribute()
    {
        if (_attribute >= 0 || _node is not IElement { Attributes.Length: > 0 })
        {
            return false;
        }

        _attribute = 0;
        return true;
    }

    public override bool MoveToNextAttribute()
    {
        if (_attribute < 0 || _attribute + 1 >= ((IElement)_node).Attributes.Length)
        {
            return false;
        }

        _attribute++;
        return true;
    }

    public override bool MoveToFirstNamespace(XPathNamespaceScope namespaceScope) => false;

    public override bool MoveToNextNamespace(XPathNamespaceScope namespaceScope) => false;

    public override bool MoveToNext() => _attribute < 0 && MoveWhile(_node.NextSibling, node => node.NextSibling);

    public override bool MoveToPrevious() => _attribute < 0 && MoveWhile(_node.PreviousSibling, node => node.PreviousSibling);

    public override bool MoveToFirstChild() => _attribute < 0 && MoveWhile(_node.FirstChild, node => node.NextSibling);

    public override bool MoveToParent()
    {
        if (_attribute >= 0)
        {
            _attribute = -1;
            return true;
        }

        if (_node.Parent is not { } parent)
        {
            return false;
        }

        _node = parent;
        return true;
    }

    public override void MoveToRoot()
    {
        _node = _document;
        _attribute = -1;
    }

    public override bool MoveToId(string id)
    {
        if (_document.GetElementById(id) is not { } element)
        {
            return false;
        }

        (_node, _attribute) = (element, -1);
        return true;
    }

    /// <summary>Moves to the first node from <paramref name="start"/> on that is in the XPath data model.</summary>
    private bool MoveWhile(INode? start, Func<INode, INode?> next)
    {
        for (var node = start; node is not null; node = next(node))
        {
            if (node is IElement or IText or IComment or IProcessingInstruction)
            {
                _node = node;
                return true;
            }
        }

        return false;
    }
}
