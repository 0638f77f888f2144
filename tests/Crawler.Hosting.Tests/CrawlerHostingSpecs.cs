using Akka.Actor;
using Akka.Hosting;
using Crawler.Core;
using Crawler.Core.Embedding;
using Crawler.SampleSite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Crawler.Hosting.Tests;

/// <summary>The crawler in an Akka.Hosting application: settings from IConfiguration and HOCON, ICrawler from DI.</summary>
public sealed class CrawlerHostingSpecs
{
    [Theory]
    [InlineData("ArticleSelector", "article-selector")]
    [InlineData("MaxConnectionsPerHost", "max-connections-per-host")]
    [InlineData("Http", "http")]
    [InlineData("connect-timeout", "connect-timeout")]
    [InlineData("MaxCrawlDelay", "max-crawl-delay")]
    [InlineData("TLS", "tls")]
    public void Configuration_keys_should_become_hocon_keys(string name, string expected) =>
        Assert.Equal(expected, ConfigurationHocon.Kebab(name));

    [Fact]
    public async Task A_hosted_crawler_should_take_settings_from_configuration_over_hocon_and_crawl_through_icrawler()
    {
        await using var farm = await PlanetFarm.StartAsync(new PlanetFarmOptions(3, TimeSpan.Zero));
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Crawler:Http:ConnectTimeout"] = "1500ms",
            ["Crawler:Http:MaxConnectionsPerHost"] = "0",
            ["Crawler:Planets:0"] = farm.PlanetUrls[0].ToString(),
            ["Crawler:Planets:1"] = farm.PlanetUrls[1].ToString(),
            ["Crawler:Robots:Enabled"] = "false",
        });
        builder.Services.AddAkka("hosting-spec", akka => akka
            .AddHocon("akka.loglevel = WARNING\ncrawler.http.connect-timeout = 9s\ncrawler.http.first-byte-timeout = 3s", HoconAddMode.Prepend)
            .WithCrawler(crawler =>
            {
                crawler.Configuration = builder.Configuration.GetSection("Crawler");
                crawler.Hocon = "title-selector = \"/html/head/title\"\nhttp.connect-timeout = 4s";
            }));
        builder.Services.AddCrawler();
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var crawler = host.Services.GetRequiredService<ICrawler>();
            Assert.Equal(TimeSpan.FromMilliseconds(1500), crawler.Settings.Http.ConnectTimeout); // IConfiguration wins
            Assert.Equal(TimeSpan.FromSeconds(3), crawler.Settings.Http.FirstByteTimeout);       // the host's HOCON
            Assert.Equal("/html/head/title", crawler.Settings.TitleSelector);                   // WithCrawler's HOCON
            Assert.Equal("h3 > a[href]", crawler.Settings.ArticleSelector);                     // reference.conf
            Assert.False(crawler.Settings.RespectRobots);
            Assert.Equal(0, crawler.Settings.Http.MaxConnectionsPerHost);
            Assert.Equal([farm.PlanetUrls[0].ToString(), farm.PlanetUrls[1].ToString()], crawler.Settings.Planets);

            var report = await crawler.CrawlAsync(crawler.Settings.Planets).WaitAsync(TimeSpan.FromSeconds(30));

            Assert.Equal((2, 2), (report.Summary.Total, report.Summary.Ok));
            Assert.All(report.Fetched, f => Assert.StartsWith("Article", f.Title, StringComparison.Ordinal));
            Assert.Same(crawler, host.Services.GetRequiredService<ActorSystem>().Crawler());
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task A_bad_setting_in_configuration_should_fail_the_start_with_a_message_that_names_the_key()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Crawler:PlanetTimeout"] = "soon" });
        builder.Services.AddAkka("hosting-bad", akka => akka.WithCrawler(c => c.Configuration = builder.Configuration.GetSection("Crawler")));
        builder.Services.AddCrawler();
        using var host = builder.Build();
        var error = await Record.ExceptionAsync(async () =>
        {
            await host.StartAsync();
            host.Services.GetRequiredService<ICrawler>();
        });
        await host.StopAsync();
        Assert.NotNull(error);
        Assert.Contains("planet-timeout", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Add_crawler_without_with_crawler_should_fail_the_start_saying_that_with_crawler_is_missing()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddAkka("hosting-half", akka => akka.AddHocon("akka.loglevel = WARNING", HoconAddMode.Prepend));
        builder.Services.AddCrawler();
        using var host = builder.Build();

        var error = await Record.ExceptionAsync(() => host.StartAsync());
        await host.StopAsync();

        var missing = Assert.IsType<InvalidOperationException>(error);
        Assert.Contains("WithCrawler", missing.Message, StringComparison.Ordinal);
    }
}
