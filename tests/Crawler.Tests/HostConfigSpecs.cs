using Crawler.Http.Configuration;

namespace Crawler.Tests;

/// <summary>The host's HOCON from the proxy variables and the command line.</summary>
public sealed class HostConfigSpecs
{
    private static ProxySettings FromEnvironment(Dictionary<string, string> variables) =>
        ProxySettings.Create(HostConfig.ProxyEnvironment(name => variables.GetValueOrDefault(name)).GetConfig("crawler.http.proxy"));

    [Fact]
    public void The_proxy_variables_should_be_read_in_either_case_the_lower_case_one_winning()
    {
        var settings = FromEnvironment(new()
        {
            ["HTTP_PROXY"] = "upper.test:1",
            ["http_proxy"] = "lower.test:2",
            ["HTTPS_PROXY"] = "secure.test:3",
            ["ALL_PROXY"] = "all.test:4",
            ["no_proxy"] = "direct.test",
        });
        Assert.Equal("lower.test", settings.Http!.Host);
        Assert.Equal("secure.test", settings.Https!.Host);
        Assert.Equal("all.test", settings.All!.Host);
        Assert.True(settings.Bypasses("www.direct.test"));
        Assert.Null(FromEnvironment([]).For(new Uri("http://a.test/")));
    }

    [Fact]
    public void Proxy_on_the_command_line_should_win_over_the_variables()
    {
        Environment.SetEnvironmentVariable("HTTPS_PROXY", "from-variable.test:1");
        try
        {
            var config = HostConfig.Build(CommandLine.Parse(["--proxy", "from-option.test:2", "--noproxy", "a.test", "http://x.test/"]));
            var settings = ProxySettings.Create(config.GetConfig("crawler.http.proxy"));
            Assert.Equal("from-option.test", settings.For(new Uri("https://x.test/"))!.Host);
            Assert.Null(settings.For(new Uri("https://a.test/")));

            config = HostConfig.Build(CommandLine.Parse(["--proxy", "", "http://x.test/"]));
            Assert.Null(ProxySettings.Create(config.GetConfig("crawler.http.proxy")).For(new Uri("https://x.test/")));
        }
        finally
        {
            Environment.SetEnvironmentVariable("HTTPS_PROXY", null);
        }
    }

    [Fact]
    public void Retries_and_host_delay_on_the_command_line_should_set_their_keys_and_the_planet_timeout_should_count_those_retries()
    {
        var settings = Crawler.Core.Configuration.CrawlerSettings.Create(HostConfig.Build(CommandLine.Parse(
            ["--retries", "0", "--host-delay", "1.5", "--timeout", "2", "http://x.test/"])).GetConfig("crawler"));
        Assert.Equal(0, settings.Retry.MaxRetries);
        Assert.Equal(TimeSpan.FromSeconds(1.5), settings.MinHostDelay);
        Assert.Equal(TimeSpan.FromSeconds(4), settings.PlanetTimeout); // two requests, one attempt each, 2 s each

        var defaults = Crawler.Core.Configuration.CrawlerSettings.Create(HostConfig.Build(CommandLine.Parse(["http://x.test/"])).GetConfig("crawler"));
        Assert.Equal((2, TimeSpan.Zero), (defaults.Retry.MaxRetries, defaults.MinHostDelay));
    }

    [Theory]
    [InlineData("--retries", "-1")]
    [InlineData("--retries", "101")]
    [InlineData("--host-delay", "-1")]
    [InlineData("--host-delay", "soon")]
    public void Bad_retries_or_host_delay_should_be_bad_usage(string option, string value) =>
        Assert.Throws<UsageException>(() => CommandLine.Parse([option, value, "http://x.test/"]));
}
