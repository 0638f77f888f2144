using System.Net.Http;
using System.Text;
using Crawler.Http.Writing;

namespace Crawler.Http.Tests.Writing;

public sealed class HttpRequestWriterSpecs
{
    private static string Write(string url, bool keepAlive = true, string userAgent = "Crawler/test", HttpMethod? method = null) =>
        Encoding.Latin1.GetString(HttpRequestWriter.ToArray(
            new HttpRequestSpec(method ?? HttpMethod.Get, new Uri(url), userAgent, "text/html", keepAlive)));

    [Fact]
    public void Writer_should_write_a_GET_with_host_user_agent_accept_and_keep_alive() =>
        Assert.Equal(
            "GET /planet/1?page=2 HTTP/1.1\r\nHost: example.org\r\nUser-Agent: Crawler/test\r\nAccept: text/html\r\nConnection: keep-alive\r\n\r\n",
            Write("http://example.org/planet/1?page=2#top"));

    [Fact]
    public void Writer_should_leave_an_ipv6_zone_out_of_the_host_header() =>
        Assert.StartsWith("GET / HTTP/1.1\r\nHost: [fe80::1]:8080\r\n", Write("http://[fe80::1%25eth0]:8080/"), StringComparison.Ordinal);

    [Fact]
    public void Writer_should_write_the_absolute_form_and_proxy_authorization_for_a_forward_proxy() =>
        Assert.Equal(
            "GET http://example.org:8080/planet?x=1 HTTP/1.1\r\nHost: example.org:8080\r\nProxy-Authorization: Basic eDp5\r\nUser-Agent: UA\r\nConnection: keep-alive\r\n\r\n",
            Encoding.Latin1.GetString(HttpRequestWriter.ToArray(new HttpRequestSpec(HttpMethod.Get, new Uri("http://example.org:8080/planet?x=1#f"),
                "UA", "", KeepAlive: true, AbsoluteForm: true, ProxyAuthorization: "Basic eDp5"))));

    [Fact]
    public void Writer_should_put_a_non_default_port_into_the_host_header_and_ask_to_close_when_told() =>
        Assert.Equal(
            "HEAD / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: Crawler/test\r\nAccept: text/html\r\nConnection: close\r\n\r\n",
            Write("http://127.0.0.1:8080", keepAlive: false, method: HttpMethod.Head));

    [Fact]
    public void Writer_should_escape_the_path_and_send_an_international_host_as_punycode()
    {
        var head = Write("http://bücher.example/a b/é?q=ü");
        Assert.StartsWith("GET /a%20b/%C3%A9?q=%C3%BC HTTP/1.1\r\nHost: xn--bcher-kva.example\r\n", head, StringComparison.Ordinal);
    }

    [Fact]
    public void Writer_should_bracket_an_IPv6_host() =>
        Assert.Contains("\r\nHost: [::1]:8080\r\n", Write("http://[::1]:8080/"), StringComparison.Ordinal);

    [Fact]
    public void Writer_should_ask_for_compressed_content_when_told() =>
        Assert.Equal(
            "GET / HTTP/1.1\r\nHost: example.org\r\nUser-Agent: ua\r\nAccept: */*\r\nAccept-Encoding: gzip, deflate, br\r\nConnection: keep-alive\r\n\r\n",
            Encoding.Latin1.GetString(HttpRequestWriter.ToArray(
                new HttpRequestSpec(HttpMethod.Get, new Uri("http://example.org/"), "ua", "*/*", true, "gzip, deflate, br"))));

    [Fact]
    public void Writer_should_leave_out_an_empty_user_agent() =>
        Assert.DoesNotContain("User-Agent", Write("http://example.org/", userAgent: ""), StringComparison.Ordinal);

    [Fact]
    public void Writer_should_refuse_a_header_value_that_would_split_the_head() =>
        Assert.Throws<ArgumentException>(() => Write("http://example.org/", userAgent: "evil\r\nX-Injected: 1"));
}
