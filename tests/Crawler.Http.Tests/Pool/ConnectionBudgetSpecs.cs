using Crawler.Http.Pool;

namespace Crawler.Http.Tests.Pool;

/// <summary>The system's connections as leases: granted, waited for first come first served, returned, forgotten.</summary>
public sealed class ConnectionBudgetSpecs
{
    [Fact]
    public void Leases_beyond_the_budget_should_wait_and_be_granted_as_leases_come_back()
    {
        var budget = new ConnectionBudget(2);
        Assert.True(budget.TryLease("a", 1));
        Assert.True(budget.TryLease("a", 2));
        Assert.False(budget.TryLease("b", 3));
        Assert.False(budget.TryLease("c", 4));
        Assert.True(budget.UnderPressure);
        Assert.Equal(new Lease("b", 3), budget.Return("a", 1));
        Assert.Equal(new Lease("c", 4), budget.Return("a", 2));
        Assert.False(budget.UnderPressure);
        Assert.Equal(2, budget.Leased);
        Assert.Equal(["b", "c"], budget.Holders.Order());
    }

    [Fact]
    public void A_lease_no_longer_wanted_should_be_withdrawn_while_it_waits()
    {
        var budget = new ConnectionBudget(1);
        budget.TryLease("a", 1);
        budget.TryLease("b", 2);
        Assert.Null(budget.Return("b", 2)); // withdrawn: nothing was granted
        Assert.Null(budget.Return("a", 1)); // nobody waits any more
        Assert.Equal(0, budget.Leased);
    }

    [Fact]
    public void A_host_that_is_gone_should_give_back_all_its_leases()
    {
        var budget = new ConnectionBudget(2);
        budget.TryLease("a", 1);
        budget.TryLease("a", 2);
        budget.TryLease("b", 3);
        budget.TryLease("a", 4);
        Assert.Equal([new Lease("b", 3)], budget.Forget("a"));
        Assert.Equal(1, budget.Leased);
    }

    [Fact]
    public void No_budget_should_mean_no_limit()
    {
        var budget = new ConnectionBudget(0);
        Assert.All(Enumerable.Range(0, 1000), i => Assert.True(budget.TryLease("a", i)));
    }
}
