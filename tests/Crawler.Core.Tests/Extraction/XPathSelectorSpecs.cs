using Crawler.Core.Extraction;
namespace Crawler.Core.Tests.Extraction;

/// <summary>XPath 1.0 selectors on the BCL engine over the AngleSharp DOM, with the seed's own expressions.</summary>
public sealed class XPathSelectorSpecs
{
    private static readonly Uri Page = new("http://planet.test/blog/");

    private const string Planet = """
        <!DOCTYPE html>
        <html><head><title> The  planet </title></head>
        <body>
          <h2><a href="/about">About</a></h2>
          <div class="entry"><h3><a href="posts/first.html" title="first">First</a></h3><p>text</p></div>
          <div class="entry"><h3><a href="posts/second.html">Second</a></h3></div>
          <svg><title>not the page title</title></svg>
        </body></html>
        """;

    private static (bool Found, Uri? Link, string Problem) Link(string selector)
    {
        var extractor = new PageExtractor(selector, "head > title");
        var found = extractor.FindArticleLink(PageExtractor.ParseHtml(Planet), Page, out var link, out _, out var problem);
        return (found, link, problem);
    }

    private static string? Title(string selector, string html = Planet)
    {
        var extractor = new PageExtractor("h3 > a", selector);
        return extractor.FindTitle(PageExtractor.ParseHtml(html), out var title, out _) ? title : null;
    }

    [Theory]
    [InlineData("//h3/a/@href")]
    [InlineData("//h3/a")]
    [InlineData("xpath://div[@class='entry']/h3/a/@href")]
    [InlineData("(//h3/a)[1]/@href")]
    [InlineData("string(//h3/a/@href)")]
    [InlineData("/html/body/div[1]//a/@href")]
    public void The_seeds_article_xpath_and_its_variants_should_find_the_first_article(string selector)
    {
        var (found, link, problem) = Link(selector.StartsWith("string(", StringComparison.Ordinal) ? "xpath:" + selector : selector);
        Assert.True(found, problem);
        Assert.Equal(new Uri("http://planet.test/blog/posts/first.html"), link);
    }

    [Fact]
    public void An_xpath_that_matches_nothing_should_find_no_article()
    {
        var (found, _, problem) = Link("//h4/a/@href");
        Assert.False(found);
        Assert.Contains("no element matches '//h4/a/@href'", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/html/head/title", "The planet")]
    [InlineData("/html/head/title/text()", "The planet")]
    [InlineData("//title", "The planet")]
    [InlineData("//h3/a/@title", "first")]
    [InlineData("xpath:normalize-space(//h2)", "About")]
    [InlineData("xpath:count(//h3)", "2")]
    public void The_seeds_title_xpath_and_its_variants_should_find_the_title(string selector, string title) =>
        Assert.Equal(title, Title(selector));

    [Fact]
    public void An_xpath_title_that_matches_nothing_should_find_no_title() =>
        Assert.Null(Title("/html/head/title", "<html><body><p>untitled</p></body></html>"));

    [Theory]
    [InlineData("//h3/a[")]
    [InlineData("/html/head/title)")]
    [InlineData("xpath:count(")]
    public void A_bad_xpath_should_be_refused(string selector)
    {
        Assert.False(PageSelector.TryParse(selector, out _, out var problem));
        Assert.False(string.IsNullOrEmpty(problem));
    }

    [Fact]
    public void A_selector_should_be_css_unless_it_looks_like_xpath()
    {
        Assert.False(PageSelector.Parse("h3 > a").IsXPath);
        Assert.True(PageSelector.Parse("//h3/a/@href").IsXPath);
        Assert.True(PageSelector.Parse("xpath:.//a").IsXPath);
    }
}
