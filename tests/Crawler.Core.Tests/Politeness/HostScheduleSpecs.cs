using Crawler.Core.Configuration;
using Crawler.Core.Politeness;

namespace Crawler.Core.Tests.Politeness;

/// <summary>A host's schedule against a hand-driven clock: budgets, spacing, slow-downs and Retry-After are exact.</summary>
public sealed class HostScheduleSpecs
{
    private static readonly RetrySettings Retry = CrawlerSettings.Create(CrawlerSettings.DefaultConfig().GetConfig("crawler")).Retry
        with { BudgetMin = 2, BudgetRatio = 0.5, SlowDown = TimeSpan.FromSeconds(1), MaxHostDelay = TimeSpan.FromSeconds(5) };

    private TimeSpan _now = TimeSpan.FromHours(1);

    private HostSchedule Schedule() => new(() => _now);

    /// <summary>Sends one request as soon as the schedule allows and says how long it waited.</summary>
    private TimeSpan SendNext(HostSchedule schedule, TimeSpan minHostDelay = default)
    {
        var wait = schedule.Wait(minHostDelay);
        _now += wait;
        schedule.Sent();
        return wait;
    }

    [Fact]
    public void A_healthy_host_should_take_requests_back_to_back()
    {
        var schedule = Schedule();
        Assert.All(Enumerable.Range(0, 5), _ => Assert.Equal(TimeSpan.Zero, SendNext(schedule)));
    }

    [Fact]
    public void The_least_delay_between_requests_should_space_every_request_after_the_first()
    {
        var schedule = Schedule();
        var delay = TimeSpan.FromMilliseconds(200);
        Assert.Equal(TimeSpan.Zero, SendNext(schedule, delay));
        Assert.Equal(delay, SendNext(schedule, delay));
        _now += TimeSpan.FromMilliseconds(150); // time passes without a request: only the rest is waited
        Assert.Equal(TimeSpan.FromMilliseconds(50), SendNext(schedule, delay));
    }

    [Fact]
    public void Retries_beyond_the_hosts_budget_should_be_denied()
    {
        var schedule = Schedule();
        schedule.Count();
        schedule.Count();

        // budget = 2 + 0.5 x requests, and the retries themselves count as requests: with 2 first attempts,
        // retries 1..5 fit (5 <= 2 + 0.5 x 6), the sixth does not (6 > 2 + 0.5 x 7).
        var granted = Enumerable.Range(0, 10).Count(_ => schedule.DenyRetry("dead.test", Retry) is null);
        Assert.Equal(5, granted);
        Assert.Contains("retry budget of dead.test", schedule.DenyRetry("dead.test", Retry), StringComparison.Ordinal); // golden: names the host
        Assert.Null(Schedule().DenyRetry("alive.test", Retry)); // another host has a budget of its own
    }

    [Fact]
    public void A_host_that_asked_to_slow_down_should_be_spaced_and_never_speed_up()
    {
        var schedule = Schedule();
        schedule.SlowDown(null, Retry);
        Assert.Equal(TimeSpan.FromSeconds(1), SendNext(schedule));
        Assert.Equal(TimeSpan.FromSeconds(1), SendNext(schedule));

        _now += TimeSpan.FromSeconds(10);
        Assert.Equal(TimeSpan.Zero, SendNext(schedule));
        Assert.Equal(TimeSpan.FromSeconds(1), SendNext(schedule));

        schedule.SlowDown(null, Retry); // a second 503 a while later doubles the spacing
        schedule.SlowDown(null, Retry); // a burst counts once
        Assert.Equal(TimeSpan.FromSeconds(2), schedule.Spacing);
        _now += TimeSpan.FromSeconds(10);
        Assert.Equal(TimeSpan.Zero, SendNext(schedule));
        Assert.Equal(TimeSpan.FromSeconds(2), SendNext(schedule));
    }

    [Fact]
    public void A_retry_after_should_hold_the_host_back_up_to_the_largest_host_delay()
    {
        var schedule = Schedule();
        schedule.SlowDown(TimeSpan.FromSeconds(3), Retry);
        Assert.Equal(TimeSpan.FromSeconds(3), SendNext(schedule));
        Assert.Equal(TimeSpan.FromSeconds(3), SendNext(schedule)); // and spaces it by the Retry-After from then on

        var slow = Schedule();
        slow.SlowDown(TimeSpan.FromHours(1), Retry);
        Assert.Equal(Retry.MaxHostDelay, SendNext(slow));
        Assert.Equal(Retry.MaxHostDelay, SendNext(slow));
    }

    [Fact]
    public void A_crawl_delay_should_space_the_host_and_never_shrink_its_spacing()
    {
        var schedule = Schedule();
        schedule.CrawlDelay(TimeSpan.FromMilliseconds(300));
        schedule.CrawlDelay(TimeSpan.FromMilliseconds(100));
        Assert.Equal(TimeSpan.Zero, SendNext(schedule));
        Assert.Equal(TimeSpan.FromMilliseconds(300), SendNext(schedule));
        Assert.Equal(TimeSpan.FromMilliseconds(500), SendNext(schedule, TimeSpan.FromMilliseconds(500))); // the crawl's own delay may be larger
    }
}
