using Akka.Actor;
using Akka.Configuration;
using Crawler.Core.Configuration;
using Xunit.Abstractions;

namespace Crawler.Core.Tests.Configuration;

public sealed class CrawlerSettingsSpecs : Akka.TestKit.Xunit2.TestKit
{
    public CrawlerSettingsSpecs(ITestOutputHelper output)
        : base("akka.test.timefactor = 3\ncrawler.http.connect-timeout = 750ms\ncrawler.article-selector = \"div.entry a\"", output)
    {
    }

    [Fact]
    public void Settings_should_come_from_the_embedded_reference_with_the_systems_overrides()
    {
        var settings = CrawlerSettings.Create(Sys);
        Assert.Equal(TimeSpan.FromMilliseconds(750), settings.Http.ConnectTimeout);
        Assert.Equal("div.entry a", settings.ArticleSelector);
        Assert.Equal("head > title", settings.TitleSelector);
        Assert.Equal(TimeSpan.FromSeconds(60), settings.PlanetTimeout);
        Assert.False(settings.StopSystemOnCompletion);
        Assert.False(settings.Sequential);
        Assert.Empty(settings.Planets);
    }

    [Fact]
    public void Settings_should_reject_a_bad_selector_naming_the_key()
    {
        var config = ConfigurationFactory.ParseString("crawler.title-selector = \"title[\"").WithFallback(CrawlerSettings.DefaultConfig());
        var error = Assert.Throws<ConfigurationException>(() => CrawlerSettings.Create(config.GetConfig("crawler")));
        Assert.Contains("crawler.title-selector", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("crawler.sequential = maybe", "crawler.sequential")]
    [InlineData("crawler.planet-timeout = soon", "crawler.planet-timeout")]
    [InlineData("crawler.max-planets-in-flight = -3", "crawler.max-planets-in-flight")]
    [InlineData("crawler.robots.enabled = perhaps", "crawler.robots.enabled")]
    [InlineData("crawler.deadline = later", "crawler.deadline")]
    [InlineData("crawler.retry.budget-ratio = -1", "crawler.retry.budget-ratio")]
    [InlineData("crawler.retry.backoff = 0s", "crawler.retry.backoff")]
    public void Settings_should_reject_a_value_of_the_wrong_type_or_range_naming_the_key(string hocon, string key)
    {
        var config = ConfigurationFactory.ParseString(hocon).WithFallback(CrawlerSettings.DefaultConfig());
        var error = Assert.Throws<ConfigurationException>(() => CrawlerSettings.Create(config.GetConfig("crawler")));
        Assert.StartsWith(key + " must be", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_should_refuse_an_empty_section() =>
        Assert.Throws<ConfigurationException>(() => CrawlerSettings.Create(ConfigurationFactory.Empty));
}
