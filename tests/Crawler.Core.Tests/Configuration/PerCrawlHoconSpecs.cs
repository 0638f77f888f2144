using Akka.Configuration;
using Crawler.Core.Configuration;
using Crawler.Core.Embedding;

namespace Crawler.Core.Tests.Configuration;

/// <summary>Which keys one crawl may set over its system's: every key applies or is refused, naming it.</summary>
public sealed class PerCrawlHoconSpecs
{
    private static Config System(string hocon = "") =>
        ConfigurationFactory.ParseString(hocon).WithFallback(CrawlerSettings.DefaultConfig()).GetConfig("crawler");

    [Theory]
    [InlineData("http.read-idle-timeout = 5s")]
    [InlineData("retry { max-retries = 0, backoff = 10ms }")]
    [InlineData("robots.enabled = off\nmin-host-delay = 1s")]
    [InlineData("http.max-connections-per-host = 2")]
    [InlineData("http.max-connections-per-host = 8")]
    [InlineData("http.tls.trusted-certificates = [\"a.pem\"]")]
    public void A_key_the_crawl_can_apply_should_pass(string hocon)
    {
        var config = PerCrawlHocon.Check(hocon, System());
        Assert.False(config.IsEmpty);
    }

    [Theory]
    [InlineData("http.max-connections = 5", "crawler.http.max-connections")]
    [InlineData("host-idle-timeout = 1s", "crawler.host-idle-timeout")]
    [InlineData("stop-system-on-completion = on", "crawler.stop-system-on-completion")]
    [InlineData("planets = [\"http://127.0.0.1/\"]", "crawler.planets")]
    [InlineData("dispatcher = my-dispatcher", "crawler.dispatcher")]
    [InlineData("http.conect-timeout = 1s", "crawler.http.conect-timeout")]
    [InlineData("retry { max-retrys = 1 }", "crawler.retry.max-retrys")]
    [InlineData("http.max-connections-per-host = 0", "crawler.http.max-connections-per-host")]
    [InlineData("http.max-connections-per-host = 9", "crawler.http.max-connections-per-host")]
    public void A_key_the_crawl_cannot_apply_should_be_refused_naming_it(string hocon, string named)
    {
        var error = Assert.Throws<ConfigurationException>(() => PerCrawlHocon.Check(hocon, System()));
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Any_per_host_cap_should_pass_when_the_system_has_none()
    {
        Assert.Equal(0, PerCrawlHocon.Check("http.max-connections-per-host = 0", System("crawler.http.max-connections-per-host = 0"))
            .GetInt("http.max-connections-per-host"));
        Assert.Equal(50, PerCrawlHocon.Check("http.max-connections-per-host = 50", System("crawler.http.max-connections-per-host = 0"))
            .GetInt("http.max-connections-per-host"));
    }

    [Fact]
    public void Crawl_options_should_resolve_their_hocon_over_the_systems_and_their_properties_over_both()
    {
        var settings = new CrawlOptions { Hocon = "http.read-idle-timeout = 5s\nhttp.connect-timeout = 9s", ConnectTimeout = TimeSpan.FromSeconds(2) }
            .Resolve(System("crawler.http.user-agent = \"Embedder/1\""));
        Assert.Equal((TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2), "Embedder/1"),
            (settings.Http.ReadIdleTimeout, settings.Http.ConnectTimeout, settings.Http.UserAgent));
    }
}
