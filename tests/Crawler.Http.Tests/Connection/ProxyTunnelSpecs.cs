using System.Text;
using Crawler.Http.Connection;

namespace Crawler.Http.Tests.Connection;

/// <summary>The CONNECT exchange with a forward proxy, byte by byte.</summary>
public sealed class ProxyTunnelSpecs
{
    private static byte[] Bytes(string text) => Encoding.Latin1.GetBytes(text);

    [Fact]
    public void The_request_should_name_the_origin_and_carry_the_credentials()
    {
        var tunnel = new ProxyTunnel("a.test", 443, "p.test:3128");
        Assert.Equal("CONNECT a.test:443 HTTP/1.1\r\nHost: a.test:443\r\nProxy-Authorization: Basic eDp5\r\n\r\n",
            Encoding.Latin1.GetString(tunnel.Request("Basic eDp5")));
        Assert.StartsWith("CONNECT [::1]:8443 HTTP/1.1\r\n", Encoding.Latin1.GetString(new ProxyTunnel("::1", 8443, "p").Request("")), StringComparison.Ordinal);
    }

    [Fact]
    public void A_2xx_should_open_the_tunnel_however_the_answer_is_split()
    {
        var tunnel = new ProxyTunnel("a.test", 443, "p.test:3128");
        foreach (var piece in "HTTP/1.1 200 Connection established\r\nProxy-Agent: x\r\n".Select(c => c.ToString()))
        {
            Assert.Equal(ProxyTunnel.Outcome.NeedMore, tunnel.Read(Bytes(piece)));
        }

        Assert.Equal(ProxyTunnel.Outcome.Open, tunnel.Read(Bytes("\r\n")));
    }

    [Theory]
    [InlineData("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n\r\n")]
    [InlineData("HTTP/1.0 403 Forbidden\r\nX-Squid-Error: ERR_ACCESS_DENIED 0\r\n\r\n")]
    [InlineData("HTTP/1.1 502 Bad Gateway\r\n\r\n")]
    [InlineData("SSH-2.0-OpenSSH\r\n\r\n")]
    public void Anything_else_should_be_a_proxy_failure(string answer)
    {
        var tunnel = new ProxyTunnel("a.test", 443, "p.test:3128");
        Assert.Equal(ProxyTunnel.Outcome.Refused, tunnel.Read(Bytes(answer)));
        Assert.Equal(HttpFailureKind.Proxy, tunnel.Failure!.Kind);
    }

    [Fact]
    public void An_answer_that_never_ends_should_be_refused_at_its_bound()
    {
        var tunnel = new ProxyTunnel("a.test", 443, "p");
        Assert.Equal(ProxyTunnel.Outcome.Refused, tunnel.Read(new byte[ProxyTunnel.MaxHeadBytes + 1]));
        Assert.Equal(HttpFailureKind.Proxy, tunnel.Closed().Kind);
        Assert.Equal(HttpFailureKind.Proxy, tunnel.TimedOut(TimeSpan.FromSeconds(1)).Kind);
    }
}
