using Crawler.Core.Extraction;
namespace Crawler.Core.Tests.Extraction;

public sealed class PageExtractorSpecs
{
    private static readonly Uri Page = new("http://planet.test/blog/index.html");
    private readonly PageExtractor _extractor = new("h3 > a[href]", "head > title");

    private Uri? Link(string html)
    {
        var found = _extractor.FindArticleLink(PageExtractor.ParseHtml(html), Page, out var link, out _, out _);
        return found ? link : null;
    }

    [Theory]
    [InlineData("<h3><a href=\"/a/1\">one</a></h3><h3><a href=\"/a/2\">two</a></h3>", "http://planet.test/a/1")]
    [InlineData("<h3><a href=\"post.html\">one</a></h3>", "http://planet.test/blog/post.html")]
    [InlineData("<h3><a href=\"../up.html\">one</a></h3>", "http://planet.test/up.html")]
    [InlineData("<h3><a href=\"  http://other.test/x?y=1  \">one</a></h3>", "http://other.test/x?y=1")]
    [InlineData("<h3><a href=\"//cdn.test/p\">one</a></h3>", "http://cdn.test/p")]
    [InlineData("<h2><a href=\"/not\">no</a></h2><div><h3><span>x</span><a href=\"/yes\">yes</a></h3></div>", "http://planet.test/yes")]
    public void Extractor_should_take_the_first_article_link_resolved_against_the_page(string body, string expected) =>
        Assert.Equal(new Uri(expected), Link($"<html><body>{body}</body></html>"));

    [Fact]
    public void Extractor_should_resolve_against_the_base_element_when_there_is_one() =>
        Assert.Equal(new Uri("http://mirror.test/posts/a"),
            Link("<html><head><base href=\"http://mirror.test/posts/\"></head><body><h3><a href=\"a\">a</a></h3></body></html>"));

    [Theory]
    [InlineData("<p>no headings</p>", "no element matches")]
    [InlineData("<h3>text only</h3>", "no element matches")]
    [InlineData("<h3><span><a href=\"/deep\">nested deeper</a></span></h3>", "no element matches")]
    [InlineData("<h3><a href=\"\">empty</a></h3>", "has no href")]
    public void Extractor_should_find_no_link_where_the_seed_finds_none(string body, string problem)
    {
        Assert.False(_extractor.FindArticleLink(PageExtractor.ParseHtml($"<html><body>{body}</body></html>"), Page, out _, out var href, out var why));
        Assert.Null(href);
        Assert.Contains(problem, why, StringComparison.Ordinal);
    }

    [Fact]
    public void Extractor_should_report_a_link_that_is_not_a_url()
    {
        var extractor = new PageExtractor("h3 > a", "head > title");
        Assert.False(extractor.FindArticleLink(PageExtractor.ParseHtml("<h3><a href=\"http://[broken/\">x</a></h3>"), Page, out _, out var href, out var why));
        Assert.Equal("http://[broken/", href);
        Assert.Contains("not a valid URL", why, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("<title>Plain</title>", "Plain")]
    [InlineData("<title>\n   Lots \t of\n space   </title>", "Lots of space")]
    [InlineData("<title>Fish &amp; Chips &#8211; &lt;tasty&gt;</title>", "Fish & Chips \u2013 <tasty>")]
    [InlineData("<title>First</title><title>Second</title>", "First")]
    public void Extractor_should_find_the_title_with_entities_decoded_and_whitespace_collapsed(string head, string expected)
    {
        Assert.True(_extractor.FindTitle(PageExtractor.ParseHtml($"<html><head>{head}</head><body></body></html>"), out var title, out _));
        Assert.Equal(expected, title);
    }

    [Theory]
    [InlineData("<html><head></head><body><h1>No title</h1></body></html>", "no element matches")]
    [InlineData("<html><head><title>   </title></head></html>", "is empty")]
    [InlineData("<html><head></head><body><svg><title>svg title</title></svg></body></html>", "no element matches")]
    public void Extractor_should_find_no_title_where_there_is_none(string html, string problem)
    {
        Assert.False(_extractor.FindTitle(PageExtractor.ParseHtml(html), out _, out var why));
        Assert.Contains(problem, why, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("h3 > a[href]", true)]
    [InlineData("div.entry:first-child h3 a", true)]
    [InlineData("h3[", false)]
    [InlineData("a:nth-child(", false)]
    public void Extractor_should_tell_valid_selectors_from_invalid_ones(string selector, bool valid) =>
        Assert.Equal(valid, PageExtractor.IsValidSelector(selector, out _));
}
