using System.Text;
using Akka.Configuration;
using Crawler.Http.Configuration;

namespace Crawler.Http.Tests.Configuration;

/// <summary>Which proxy a URL goes through, by curl's rules.</summary>
public sealed class ProxySettingsSpecs
{
    private static ProxySettings Settings(string hocon) =>
        ProxySettings.Create(ConfigurationFactory.ParseString(hocon));

    [Theory]
    [InlineData("http://127.0.0.1:3128", "http://127.0.0.1:3128/")]
    [InlineData("127.0.0.1:8888", "http://127.0.0.1:8888/")]
    [InlineData("proxy.test", "http://proxy.test:1080/")]
    [InlineData("http://proxy.test", "http://proxy.test:1080/")]
    [InlineData("http://u:p%40ss@proxy.test:80", "http://u:p%40ss@proxy.test/")]
    [InlineData("http://[::1]:3128", "http://[::1]:3128/")]
    public void A_proxy_url_should_be_read_as_curl_reads_it(string text, string expected) =>
        Assert.Equal(expected, ProxySettings.Parse(text, "k")!.ToString());

    [Theory]
    [InlineData("https://proxy.test:443")]
    [InlineData("socks5://proxy.test:1080")]
    [InlineData("http://")]
    [InlineData("http://proxy test:1")]
    public void Anything_but_an_http_proxy_url_should_be_a_configuration_error(string text) =>
        Assert.Throws<ConfigurationException>(() => ProxySettings.Parse(text, "crawler.http.proxy.url"));

    [Fact]
    public void The_schemes_own_proxy_should_win_over_the_one_for_every_scheme()
    {
        var settings = Settings("url = \"all.test:1\", https = \"secure.test:2\"");
        Assert.Equal("all.test", settings.For(new Uri("http://a.test/"))!.Host);
        Assert.Equal("secure.test", settings.For(new Uri("https://a.test/"))!.Host);
        Assert.Null(ProxySettings.None.For(new Uri("http://a.test/")));
        Assert.Null(Settings("url = \"\"").For(new Uri("http://a.test/")));
    }

    [Theory]
    [InlineData("example.com", "example.com", true)]
    [InlineData("example.com", "www.example.com", true)]
    [InlineData(".example.com", "www.example.com", true)]
    [InlineData(".example.com", "example.com", true)]
    [InlineData("example.com", "badexample.com", false)]
    [InlineData("EXAMPLE.com", "Www.Example.COM", true)]
    [InlineData("*", "anything.test", true)]
    [InlineData("127.0.0.1", "127.0.0.1", true)]
    [InlineData("127.0.0.1", "127.0.0.2", false)]
    [InlineData("127.0.0.0/8", "127.9.9.9", true)]
    [InlineData("10.0.0.0/8", "127.0.0.1", false)]
    [InlineData("::1", "[::1]", true)]
    [InlineData("localhost", "127.0.0.1", false)]
    [InlineData("other.test, example.com", "example.com", true)]
    [InlineData("", "127.0.0.1", false)]
    public void No_proxy_should_name_hosts_by_suffix_ip_or_range(string noProxy, string host, bool bypassed) =>
        Assert.Equal(bypassed, Settings($"url = \"p.test:1\", no-proxy = \"{noProxy}\"").Bypasses(host));

    [Fact]
    public void Loopback_should_be_proxied_like_any_other_host_unless_no_proxy_names_it()
    {
        Assert.NotNull(Settings("url = \"p.test:1\"").For(new Uri("http://127.0.0.1:8080/")));
        Assert.Null(Settings("url = \"p.test:1\", no-proxy = \"127.0.0.1\"").For(new Uri("http://127.0.0.1:8080/")));
    }

    [Fact]
    public void Credentials_in_the_proxy_url_should_become_basic_proxy_authorization()
    {
        var proxy = ProxySettings.Parse("http://al%20ice:s%3Acret@p.test:3128", "k")!;
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("al ice:s:cret")), ProxySettings.Authorization(proxy));
        Assert.Null(ProxySettings.Authorization(ProxySettings.Parse("p.test:3128", "k")!));
        Assert.Equal("p.test:3128", ProxySettings.Display(proxy)); // never the credentials
    }
}
