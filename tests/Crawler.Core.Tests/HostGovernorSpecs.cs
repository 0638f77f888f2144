using Akka.Actor;
using Crawler.Core.Configuration;
using Crawler.Core.Politeness;
using Xunit.Abstractions;

namespace Crawler.Core.Tests;

/// <summary>The governor against a hand-driven clock: budgets, Retry-After and slow-downs are exact.</summary>
public sealed class HostGovernorSpecs : Akka.TestKit.Xunit2.TestKit
{
    private static readonly RetrySettings Retry = CrawlerSettings.Create(CrawlerSettings.DefaultConfig().GetConfig("crawler")).Retry
        with { BudgetMin = 2, BudgetRatio = 0.5, SlowDown = TimeSpan.FromSeconds(1), MaxHostDelay = TimeSpan.FromSeconds(5) };

    private TimeSpan _now = TimeSpan.FromHours(1);

    public HostGovernorSpecs(ITestOutputHelper output) : base("akka.test.timefactor = 3\nakka.loglevel = INFO", output)
    {
    }

    private readonly SlowedHosts _slowed = new();

    private IActorRef Governor() => Sys.ActorOf(HostGovernor.Props(Retry, _slowed, () => _now));

    private async Task<TimeSpan> Grant(IActorRef governor, object request)
    {
        governor.Tell(request);
        return (await ExpectMsgAsync<HostGovernor.Granted>()).Delay;
    }

    [Fact]
    public async Task Governor_should_grant_first_attempts_at_once_and_retries_after_their_backoff()
    {
        var governor = Governor();
        Assert.Equal(TimeSpan.Zero, await Grant(governor, new HostGovernor.Acquire("a.test", 1)));
        Assert.Equal(TimeSpan.FromMilliseconds(300), await Grant(governor, new HostGovernor.AcquireRetry("a.test", 2, TimeSpan.FromMilliseconds(300), null)));
        Assert.Equal(TimeSpan.FromSeconds(2), await Grant(governor, new HostGovernor.AcquireRetry("a.test", 3, TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(2))));
    }

    [Fact]
    public async Task Governor_should_deny_retries_beyond_the_hosts_budget_and_keep_other_hosts_apart()
    {
        var governor = Governor();
        governor.Tell(new HostGovernor.Requested("dead.test"));
        governor.Tell(new HostGovernor.Requested("dead.test"));

        // budget = 2 + 0.5 x requests, and the retries themselves count as requests: with 2 first attempts,
        // retries 1..5 fit (5 <= 2 + 0.5 x 6), the sixth does not (6 > 2 + 0.5 x 7).
        var granted = 0;
        for (var i = 0; i < 10; i++)
        {
            governor.Tell(new HostGovernor.AcquireRetry("dead.test", 100 + i, TimeSpan.Zero, null));
            var reply = await ExpectMsgAsync<object>();
            if (reply is HostGovernor.Granted)
            {
                granted++;
            }
            else
            {
                Assert.Contains("retry budget of dead.test", Assert.IsType<HostGovernor.Denied>(reply).Reason, StringComparison.Ordinal);
            }
        }

        Assert.Equal(5, granted);
        Assert.Equal(TimeSpan.Zero, await Grant(governor, new HostGovernor.AcquireRetry("alive.test", 1, TimeSpan.Zero, null)));
    }

    [Fact]
    public async Task Governor_should_space_a_host_that_asked_to_slow_down_and_never_speed_it_up()
    {
        var governor = Governor();
        Assert.False(_slowed.Contains("busy.test"));
        governor.Tell(new HostGovernor.SlowDown("busy.test", null));
        Assert.Equal(TimeSpan.FromSeconds(1), await Grant(governor, new HostGovernor.Acquire("busy.test", 1)));
        Assert.True(_slowed.Contains("BUSY.test"));
        Assert.False(_slowed.Contains("calm.test"));
        Assert.Equal(TimeSpan.FromSeconds(2), await Grant(governor, new HostGovernor.Acquire("busy.test", 2)));
        Assert.Equal(TimeSpan.Zero, await Grant(governor, new HostGovernor.Acquire("calm.test", 3)));

        _now += TimeSpan.FromSeconds(10);
        Assert.Equal(TimeSpan.Zero, await Grant(governor, new HostGovernor.Acquire("busy.test", 4)));
        Assert.Equal(TimeSpan.FromSeconds(1), await Grant(governor, new HostGovernor.Acquire("busy.test", 5)));

        governor.Tell(new HostGovernor.SlowDown("busy.test", null)); // a second 503 a while later doubles the spacing
        governor.Tell(new HostGovernor.SlowDown("busy.test", null)); // a burst counts once
        await Grant(governor, new HostGovernor.Acquire("calm.test", 8)); // the governor has seen both before the clock moves
        _now += TimeSpan.FromSeconds(10);
        Assert.Equal(TimeSpan.Zero, await Grant(governor, new HostGovernor.Acquire("busy.test", 6)));
        Assert.Equal(TimeSpan.FromSeconds(2), await Grant(governor, new HostGovernor.Acquire("busy.test", 7)));
    }

    [Fact]
    public async Task Governor_should_hold_the_host_back_for_a_retry_after_up_to_the_largest_host_delay()
    {
        var governor = Governor();
        governor.Tell(new HostGovernor.SlowDown("busy.test", TimeSpan.FromSeconds(3)));
        Assert.Equal(TimeSpan.FromSeconds(3), await Grant(governor, new HostGovernor.Acquire("busy.test", 1)));
        Assert.Equal(TimeSpan.FromSeconds(6), await Grant(governor, new HostGovernor.Acquire("busy.test", 2)));

        governor.Tell(new HostGovernor.SlowDown("slow.test", TimeSpan.FromHours(1)));
        Assert.Equal(Retry.MaxHostDelay, await Grant(governor, new HostGovernor.Acquire("slow.test", 3)));
        Assert.Equal(2 * Retry.MaxHostDelay, await Grant(governor, new HostGovernor.Acquire("slow.test", 4)));
    }
}
