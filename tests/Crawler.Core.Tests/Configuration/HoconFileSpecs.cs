using Akka.Configuration;
using Crawler.Core.Configuration;

namespace Crawler.Core.Tests.Configuration;

public sealed class HoconFileSpecs
{
    [Theory]
    [InlineData("a {\n  b = 1\n", "f.conf:1:")]
    [InlineData("a = 1\n}\n", "f.conf:2:")]
    [InlineData("a = [1, 2\n", "f.conf:1:")]
    [InlineData("a = 1\nb = \"never closed\n", "f.conf:2:")]
    [InlineData("a = 1\n\u0000\n", "f.conf:2:")]
    public void Text_that_is_not_hocon_should_be_refused_naming_its_line(string text, string where)
    {
        var error = Assert.Throws<ConfigurationException>(() => HoconFile.CheckText("f.conf", text));
        Assert.StartsWith(where, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a = \"{ [ in a string\"\n")]
    [InlineData("a = 1 # a { in a comment\nb = 2 // and ] here\n")]
    [InlineData("a = \"\"\"\n{ triple\n\"\"\"\nb { c = [1, 2] }\n")]
    [InlineData("a = \"an \\\" escaped quote {\"\n")]
    public void Braces_in_strings_and_comments_should_not_count(string text) => HoconFile.CheckText("f.conf", text);

    [Theory]
    [InlineData("crawler = \"x\"\n", "f.conf:1: crawler ")]
    [InlineData("a = 1\ncrawler.http = 5s\n", "f.conf:2: crawler.http ")]
    [InlineData("crawler { http { tls = on } }\n", "f.conf:1: crawler.http.tls ")]
    public void A_section_set_to_a_value_should_be_named_with_its_line(string hocon, string start)
    {
        // Found by fuzzing (fuzz/findings/hocon): Akka's merge with the defaults threw a NullReferenceException.
        var error = Assert.Throws<ConfigurationException>(() =>
            HoconFile.CheckCrawlerKeys(ConfigurationFactory.ParseString(hocon), "f.conf", hocon.Split('\n')));
        Assert.StartsWith(start, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_switch_that_is_not_on_or_off_should_be_a_configuration_error_naming_it()
    {
        // Found by fuzzing: crawler.http.tls.insecure = ofS threw NotSupportedException past the host's exit 2.
        var config = ConfigurationFactory.ParseString("crawler.http.tls.insecure = ofS").WithFallback(CrawlerSettings.DefaultConfig());
        var error = Assert.Throws<ConfigurationException>(() => CrawlerSettings.Create(config.GetConfig("crawler")));
        Assert.Contains("crawler.http.tls.insecure", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_include_should_be_read_relative_to_the_including_file_and_a_missing_one_named()
    {
        var directory = Directory.CreateTempSubdirectory("crawler-hocon-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(directory, "base.conf"), "crawler.http.pipelining = on\n");
            var main = Path.Combine(directory, "main.conf");
            File.WriteAllText(main, "include \"base.conf\"\ncrawler.robots.enabled = off\n");
            var config = HoconFile.Load(main);
            Assert.True(config.GetBoolean("crawler.http.pipelining"));

            File.WriteAllText(main, "crawler.robots.enabled = off\ninclude \"missing.conf\"\n");
            var error = Assert.Throws<ConfigurationException>(() => HoconFile.Load(main));
            Assert.StartsWith($"{main}:2:", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("crawler.titel-selector = h1", "crawler.title-selector")]
    [InlineData("crawler { http { conect-timeout = 1s } }", "crawler.http.connect-timeout")]
    [InlineData("crawler.no-such-thing-at-all = 1", null)]
    public void A_crawler_key_that_is_not_a_setting_should_be_refused_with_the_nearest_one(string hocon, string? nearest)
    {
        var error = Assert.Throws<ConfigurationException>(() =>
            HoconFile.CheckCrawlerKeys(ConfigurationFactory.ParseString(hocon), "f.conf", hocon.Split('\n')));
        Assert.StartsWith("f.conf:1:", error.Message, StringComparison.Ordinal);
        if (nearest is null)
        {
            Assert.DoesNotContain("did you mean", error.Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains(nearest + "?", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Keys_outside_crawler_and_real_settings_should_pass() =>
        HoconFile.CheckCrawlerKeys(ConfigurationFactory.ParseString("akka.loglevel = INFO\ncrawler.http.pipelining = on"), "f.conf", []);
}
