using Crawler.Core.Fetching;

namespace Crawler.Core.Tests.Fetching;

public sealed class UrlPolicySpecs
{
    [Theory]
    [InlineData("http://p.test/a\r\nInjected: yes")]
    [InlineData("http://p.test/a\nb")]
    [InlineData("http://p.test/\0")]
    [InlineData("http://p.test/\u001b[31m")]
    [InlineData("http://p.\u007ftest/")]
    public void A_url_with_a_control_character_should_be_a_bad_url_whose_message_escapes_it(string text)
    {
        Assert.False(UrlPolicy.Check(text, out var url, out var failure));
        Assert.Null(url);
        Assert.Equal(ErrorKind.BadUrl, failure!.Kind);
        Assert.DoesNotContain(failure.Message, char.IsControl);
    }

    [Fact]
    public void An_ipv6_zone_naming_an_interface_of_this_machine_should_pass()
    {
        Assert.True(UrlPolicy.Check("http://[fe80::1%25lo]:8080/", out var url, out _));
        Assert.Equal(UriHostNameType.IPv6, url!.HostNameType);
        Assert.True(UrlPolicy.Check("http://[fe80::1%251]:8080/", out _, out _));
    }

    [Fact]
    public void A_host_that_idna_refuses_should_be_a_bad_url_not_an_exception()
    {
        // Found by fuzzing (fuzz/findings/url): Uri.TryCreate accepts it, and reading its IdnHost throws.
        Assert.False(UrlPolicy.Check("https://\u06c0\ufffdt", out var url, out var failure));
        Assert.Null(url);
        Assert.Equal(ErrorKind.BadUrl, failure!.Kind);
    }

    [Theory]
    [InlineData("  http://p.test/a  ")]
    [InlineData("https://p.test/a?q=1#f")]
    public void An_absolute_http_url_should_pass(string text)
    {
        Assert.True(UrlPolicy.Check(text, out var url, out var failure));
        Assert.Null(failure);
        Assert.Equal("p.test", url!.Host);
    }

    [Theory]
    [InlineData(null, ErrorKind.BadUrl)]
    [InlineData(" ", ErrorKind.BadUrl)]
    [InlineData("/relative", ErrorKind.BadUrl)]
    [InlineData("ftp://p.test/", ErrorKind.UnsupportedScheme)]
    [InlineData("http://p.test:0/", ErrorKind.BadUrl)]
    [InlineData("http://user:secret@p.test/", ErrorKind.BadUrl)]
    [InlineData("http://[fe80::1%25no-such-interface]:8080/", ErrorKind.BadUrl)]
    public void Other_input_should_fail_with_its_kind(string? text, ErrorKind kind)
    {
        Assert.False(UrlPolicy.Check(text, out _, out var failure));
        Assert.Equal(kind, failure!.Kind);
    }

    [Fact]
    public void A_url_longer_than_the_limit_should_be_a_bad_url()
    {
        var url = "http://p.test/" + new string('a', 100);

        Assert.True(UrlPolicy.Check(url, out _, out _, maxLength: url.Length));
        Assert.False(UrlPolicy.Check(url, out _, out var failure, maxLength: url.Length - 1));
        Assert.Equal(ErrorKind.BadUrl, failure!.Kind);
        Assert.False(UrlPolicy.Check("http://p.test/" + new string('a', UrlPolicy.DefaultMaxLength), out _, out _));
    }

    [Fact]
    public void Credentials_in_a_url_should_not_be_repeated_in_the_message()
    {
        Assert.False(UrlPolicy.Check("http://user:secret@p.test/a", out _, out var failure));
        Assert.DoesNotContain("secret", failure!.Message, StringComparison.Ordinal);
    }
}
