using Akka.Configuration;
using Crawler.Http.Parsing;

namespace Crawler.Http.Tests.Configuration;

public sealed class HttpClientSettingsSpecs
{
    [Fact]
    public void Settings_should_read_every_key_of_the_reference_configuration()
    {
        var settings = TestSettings.Http();
        Assert.Equal(TimeSpan.FromSeconds(10), settings.ConnectTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.RequestTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.KeepAliveTimeout);
        Assert.StartsWith("Crawler/", settings.UserAgent, StringComparison.Ordinal);
        Assert.Contains("text/html", settings.Accept, StringComparison.Ordinal);
    }

    [Fact]
    public void Parser_limit_defaults_should_be_the_ones_in_reference_conf() =>
        Assert.Equal(HttpParserLimits.Default, TestSettings.Http().Limits);

    [Fact]
    public void Settings_should_take_overrides() =>
        Assert.Equal(TimeSpan.FromMilliseconds(250), TestSettings.Http("crawler.http.connect-timeout = 250ms").ConnectTimeout);

    [Theory]
    [InlineData("crawler.http.connect-timeout = 0s", "connect-timeout")]
    [InlineData("crawler.http.request-timeout = -1s", "request-timeout")]
    [InlineData("crawler.http.max-body-bytes = 0", "max-body-bytes")]
    [InlineData("crawler.http.connect-timeout = soon", "connect-timeout")]
    [InlineData("crawler.http.pipelining = maybe", "crawler.http.pipelining")]
    [InlineData("crawler.http.lf-line-terminators = sometimes", "crawler.http.lf-line-terminators")]
    [InlineData("crawler.http.max-connections = many", "crawler.http.max-connections")]
    [InlineData("crawler.http.user-agent = \"a\\r\\nInjected: yes\"", "crawler.http.user-agent")]
    [InlineData("crawler.http.accept = \"text/html\\u0000\"", "crawler.http.accept")]
    public void Settings_should_name_the_key_of_a_bad_value(string hocon, string key)
    {
        var error = Assert.Throws<ConfigurationException>(() => TestSettings.Http(hocon));
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }
}
