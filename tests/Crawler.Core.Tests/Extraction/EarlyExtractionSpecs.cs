using System.Collections.Concurrent;
using Crawler.Core.Extraction;

namespace Crawler.Core.Tests.Extraction;

/// <summary>
/// Early answers against the whole page: for every page of the corpus (real-world shapes: Planet Venus, WordPress,
/// tag soup, misnested formatting, layout tables with fostered content, titles outside the head, scripts, comments,
/// templates, svg, a select, a base element, byte order marks, windows-1252 declared in a meta or late), cut at every
/// byte, an early link or title must be exactly the one the full DOM gives; and the realistic pages must be decided
/// before their end, so that the rule is not a rule that never fires.
/// </summary>
public sealed class EarlyExtractionSpecs
{
    private static readonly Uri PageUrl = new("http://planet.test/blog/index.html");
    private static readonly string CorpusFolder = Path.Combine(AppContext.BaseDirectory, "Extraction", "Corpus");
    private readonly PageExtractor _extractor = new("h3 > a[href]", "head > title");
    private readonly PageExtractor _anyTitle = new("h3 > a[href]", "title");

    public static TheoryData<string> Pages() => [.. Directory.GetFiles(CorpusFolder, "*.html").Select(path => Path.GetFileName(path)).Order()];

    [Theory]
    [MemberData(nameof(Pages))]
    public void An_early_answer_should_be_the_answer_of_the_whole_page_wherever_the_page_is_cut(string name)
    {
        var bytes = File.ReadAllBytes(Path.Combine(CorpusFolder, name));
        foreach (var contentType in new string?[] { null, "text/html", "text/html; charset=utf-8" })
        {
            foreach (var extractor in new[] { _extractor, _anyTitle })
            {
                var page = extractor.Parse(bytes, contentType);
                var hasLink = extractor.FindArticleLink(page, PageUrl, out var link, out _, out _);
                var hasTitle = extractor.FindTitle(page, out var title, out _);
                var wrong = new ConcurrentBag<string>();
                Parallel.For(0, bytes.Length + 1, cut =>
                {
                    var prefix = bytes.AsSpan(0, cut);
                    if (extractor.TryEarlyArticleLink(prefix, contentType, PageUrl, out var early) && (!hasLink || early != link))
                    {
                        wrong.Add($"link {early} at byte {cut} (whole page: {(hasLink ? link : "none")})");
                    }

                    if (extractor.TryEarlyTitle(prefix, contentType, out var earlyTitle) && (!hasTitle || earlyTitle != title))
                    {
                        wrong.Add($"title '{earlyTitle}' at byte {cut} (whole page: {(hasTitle ? title : "none")})");
                    }
                });
                Assert.True(wrong.IsEmpty, $"{name} as {contentType ?? "no content type"}: {string.Join("; ", wrong.Take(3))}");
            }
        }
    }

    [Theory]
    [InlineData("planet-venus.html", "http://alice.example/", "Planet Example \u2014 aggregated blogs")]
    [InlineData("wordpress.html", "https://wp.example/2026/11/30/hello-again/", "News \u2013 A WordPress Site")]
    [InlineData("base-href.html", "https://cdn.example/blog/posts/1.html", "With a base")]
    [InlineData("bom-utf8.html", "http://planet.test/bom", "BOM page \u2014 dash")]
    [InlineData("tag-soup.html", "http://planet.test/blog/news/2026-12-01.html", "Tag soup page")]
    [InlineData("windows-1252.html", "http://planet.test/caf%C3%A9", "Fran\u00e7ais \u2013 d\u00e9j\u00e0 vu")]
    public void A_realistic_page_should_be_decided_before_its_end(string name, string expectedLink, string expectedTitle)
    {
        var bytes = File.ReadAllBytes(Path.Combine(CorpusFolder, name));
        var contentType = name == "windows-1252.html" ? "text/html; charset=windows-1252" : "text/html; charset=utf-8";
        var linkAt = Enumerable.Range(0, bytes.Length).FirstOrDefault(cut => _extractor.TryEarlyArticleLink(bytes.AsSpan(0, cut), contentType, PageUrl, out _), -1);
        var titleAt = Enumerable.Range(0, bytes.Length).FirstOrDefault(cut => _extractor.TryEarlyTitle(bytes.AsSpan(0, cut), contentType, out _), -1);
        Assert.InRange(linkAt, 1, bytes.Length - 10);
        Assert.InRange(titleAt, 1, bytes.Length - 10);
        _extractor.TryEarlyArticleLink(bytes.AsSpan(0, linkAt), contentType, PageUrl, out var link);
        _extractor.TryEarlyTitle(bytes.AsSpan(0, titleAt), contentType, out var title);
        Assert.Equal((new Uri(expectedLink), expectedTitle), (link, title));
    }

    [Fact]
    public void The_sample_site_planet_should_be_decided_once_its_first_link_is_complete()
    {
        const string page = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Planet 1</title></head>\n<body><div class=\"entry\"><h3>"
                            + "<a href=\"/article/1/1\">First article</a></h3><p>\u2026</p></div><div class=\"entry\"><h3><a href=\"/article/1/2\">Second</a></h3></div></body></html>\n";
        var bytes = System.Text.Encoding.UTF8.GetBytes(page);
        var endOfTag = page.IndexOf("\">First", StringComparison.Ordinal) + 2;
        Assert.False(_extractor.TryEarlyArticleLink(bytes.AsSpan(0, endOfTag - 1), "text/html", PageUrl, out _));
        Assert.True(_extractor.TryEarlyArticleLink(bytes.AsSpan(0, endOfTag), "text/html", PageUrl, out var link));
        Assert.Equal(new Uri("http://planet.test/article/1/1"), link);
    }

    [Fact]
    public void Bytes_beyond_ascii_should_wait_for_the_whole_page_when_no_encoding_is_certain_yet()
    {
        var bytes = File.ReadAllBytes(Path.Combine(CorpusFolder, "late-charset.html"));
        Assert.False(_extractor.TryEarlyTitle(bytes, null, out _)); // the title has a non-ASCII byte: its encoding is not known yet
        Assert.True(_extractor.TryEarlyTitle(bytes, "text/html; charset=windows-1252", out var title));
        Assert.Equal("Late charset \u00e9t\u00e9", title);
    }

    [Theory]
    [InlineData("h3 > a[href]", true)]
    [InlineData("head > title", true)]
    [InlineData("title", true)]
    [InlineData("div.entry h3 > a", true)]
    [InlineData("div#content article h3.entry-title > a[rel=bookmark]", true)]
    [InlineData("#content h3 > a", false)] // an id on a step that could be body
    [InlineData(".entry > a", false)] // a class on a step that could be body, which a later <body class> changes
    [InlineData("body.home h3 a", false)]
    [InlineData("html[lang] h3 a", false)]
    [InlineData("h3 > a:first-child", false)]
    [InlineData("h3 > a:last-child", false)]
    [InlineData("h2 + h3 a", false)]
    [InlineData("h2 ~ h3 a", false)]
    [InlineData("h3 a, h2 a", false)]
    [InlineData("h3:has(a)", false)]
    [InlineData("//h3/a/@href", false)]
    public void Only_selectors_that_later_bytes_cannot_change_should_be_decided_early(string selector, bool early) =>
        Assert.Equal(early, new PageExtractor(selector, selector).CanDecideArticleEarly);
}
