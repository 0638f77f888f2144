using Crawler.Core.Politeness;

namespace Crawler.Core.Tests.Politeness;

/// <summary>The robots.txt of a host's origins: one fetch for everyone waiting, rules kept per origin and token, and a
/// fetch of a crawl that ended handed to a crawl still waiting.</summary>
public sealed class RobotsGateSpecs
{
    private const string Origin = "http://a.test:80";

    [Fact]
    public void The_first_request_should_start_the_fetch_and_the_others_wait_for_it()
    {
        var gate = new RobotsGate<string>();
        Assert.True(gate.Wait(Origin, "Crawler", "a"));
        gate.Fetching(Origin, "Crawler", 1, "crawl-1");
        Assert.False(gate.Wait(Origin, "Crawler", "b"));
        Assert.True(gate.Wait("https://a.test:443", "Crawler", "c")); // another origin has a robots.txt of its own
        Assert.True(gate.Wait(Origin, "Other", "d")); // and another product token rules of its own
        Assert.Equal((Origin, "Crawler"), gate.FetchOf(1));

        Assert.Equal(["a", "b"], gate.Complete(Origin, "Crawler", RobotsRules.AllowAll));
        Assert.True(gate.TryGet(Origin, "Crawler", out var rules));
        Assert.Same(RobotsRules.AllowAll, rules);
        Assert.Null(gate.FetchOf(1));
        Assert.Equal(2, gate.Waiting);
    }

    [Fact]
    public void A_crawl_that_ends_should_drop_its_waiters_and_hand_its_fetch_to_one_still_waiting()
    {
        var gate = new RobotsGate<(string Crawl, string Name)>();
        gate.Wait(Origin, "Crawler", ("crawl-1", "a"));
        gate.Fetching(Origin, "Crawler", 1, "crawl-1");
        gate.Wait(Origin, "Crawler", ("crawl-2", "b"));
        gate.Wait(Origin, "Crawler", ("crawl-1", "c"));

        var (dropped, refetch) = gate.Abandon("crawl-1", w => w.Crawl == "crawl-1");
        Assert.Equal([("crawl-1", "a"), ("crawl-1", "c")], dropped);
        Assert.Equal([(Origin, "Crawler", ("crawl-2", "b"))], refetch);
        Assert.Null(gate.FetchOf(1));
        Assert.True(gate.Wait(Origin, "Crawler", ("crawl-2", "d"))); // nobody fetches it now: the caller starts the new fetch
    }

    [Fact]
    public void A_crawl_that_ends_alone_should_leave_nothing_behind()
    {
        var gate = new RobotsGate<string>();
        gate.Wait(Origin, "Crawler", "a");
        gate.Fetching(Origin, "Crawler", 1, "crawl-1");
        var (dropped, refetch) = gate.Abandon("crawl-1", _ => true);
        Assert.Equal(["a"], dropped);
        Assert.Empty(refetch);
        Assert.Equal((0, 0), (gate.Waiting, gate.Fetches));
        Assert.True(gate.Wait(Origin, "Crawler", "b")); // the next request starts a fetch again
    }
}
