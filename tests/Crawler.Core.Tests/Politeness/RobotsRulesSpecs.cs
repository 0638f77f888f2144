using Crawler.Core.Politeness;
namespace Crawler.Core.Tests.Politeness;

public sealed class RobotsRulesSpecs
{
    private const string Robots = """
        # robots.txt of a planet
        User-agent: *
        Disallow: /private/
        Allow: /private/public-page.html
        Disallow: /*.pdf$
        Crawl-delay: 2

        User-agent: Crawler
        User-agent: OtherBot
        Disallow: /drafts
        Allow: /drafts/published
        Crawl-delay: 0.5

        User-agent: BadBot
        Disallow: /
        """;

    [Theory]
    [InlineData("/", true)]
    [InlineData("/drafts", false)]
    [InlineData("/drafts/2026/post", false)]
    [InlineData("/drafts/published/post", true)]
    [InlineData("/private/secret", true)] // our own group replaces the * group
    [InlineData("/robots.txt", true)]
    public void Rules_should_come_from_our_own_group_when_there_is_one(string path, bool allowed)
    {
        var rules = RobotsRules.Parse(Robots, "crawler", "test");
        Assert.Equal(allowed, rules.IsAllowed(path));
        Assert.Equal(TimeSpan.FromMilliseconds(500), rules.CrawlDelay);
    }

    [Theory]
    [InlineData("/private/secret", false)]
    [InlineData("/private/public-page.html", true)]
    [InlineData("/papers/a.pdf", false)]
    [InlineData("/papers/a.pdf?download=1", true)]
    [InlineData("/papers/a.html", true)]
    public void Rules_should_come_from_the_star_group_otherwise_with_wildcards_anchors_and_longest_match(string path, bool allowed)
    {
        var rules = RobotsRules.Parse(Robots, "SomeoneElse", "test");
        Assert.Equal(allowed, rules.IsAllowed(path));
        Assert.Equal(TimeSpan.FromSeconds(2), rules.CrawlDelay);
    }

    [Fact]
    public void An_allow_should_win_a_tie_and_an_empty_disallow_should_allow_everything()
    {
        Assert.True(RobotsRules.Parse("User-agent: *\nDisallow: /page\nAllow: /page\n", "x", "t").IsAllowed("/page"));
        Assert.True(RobotsRules.Parse("User-agent: *\nDisallow:\n", "x", "t").IsAllowed("/anything"));
    }

    [Fact]
    public void Everything_should_be_disallowed_after_a_server_error_and_allowed_without_rules()
    {
        Assert.False(RobotsRules.DisallowAll("503").IsAllowed("/planet"));
        Assert.True(RobotsRules.DisallowAll("503").IsAllowed("/robots.txt"));
        Assert.True(RobotsRules.AllowAll.IsAllowed("/anything"));
        Assert.True(RobotsRules.Parse("garbage without colons\n\n", "x", "t").IsAllowed("/planet"));
    }

    [Fact]
    public void Rules_should_explain_the_deciding_rule() =>
        Assert.Equal("Disallow: /drafts", RobotsRules.Parse(Robots, "Crawler", "t").Explain("/drafts/x"));
}
