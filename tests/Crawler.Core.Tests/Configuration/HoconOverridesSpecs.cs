using Crawler.Core.Configuration;

namespace Crawler.Core.Tests.Configuration;

/// <summary>Typed values into HOCON that reads back as the same values.</summary>
public sealed class HoconOverridesSpecs
{
    [Fact]
    public void Each_value_should_read_back_as_it_was_set_and_null_should_set_nothing()
    {
        var config = new HoconOverrides()
            .Text("a.quoted", "say \"hi\" \\ ${not.a.substitution} # not a comment")
            .Switch("a.on", true)
            .Switch("a.off", false)
            .Number("a.number", 42)
            .Duration("a.duration", TimeSpan.FromMilliseconds(1500.2))
            .Duration("a.forever", Timeout.InfiniteTimeSpan)
            .List("a.list", ["x", "y z"])
            .Text("a.unset", null)
            .Switch("a.unset", null)
            .ToConfig();

        Assert.Equal("say \"hi\" \\ ${not.a.substitution} # not a comment", config.GetString("a.quoted"));
        Assert.Equal((true, false, 42), (config.GetBoolean("a.on"), config.GetBoolean("a.off"), config.GetInt("a.number")));
        Assert.Equal(TimeSpan.FromMilliseconds(1501), config.GetTimeSpan("a.duration"));
        Assert.Equal("infinite", config.GetString("a.forever"));
        Assert.Equal(["x", "y z"], config.GetStringList("a.list"));
        Assert.False(config.HasPath("a.unset"));
    }

    [Fact]
    public void A_path_of_quoted_segments_should_keep_each_segment_whole()
    {
        var config = new HoconOverrides().Text(HoconOverrides.Path(["crawler", "http", "user-agent"]), "A").ToConfig();
        Assert.Equal("A", config.GetString("crawler.http.user-agent"));
    }
}
