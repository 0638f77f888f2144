using Crawler.Http.Pool;

namespace Crawler.Http.Tests.Pool;

/// <summary>The ledger of one host's connections, decision by decision: reuse, caps, lanes, sharing, losses, leaving.</summary>
public sealed class ConnectionLedgerSpecs
{
    private static readonly ConnectionKey A = new("http://a.test:80", "crawl-1");
    private static readonly ConnectionKey ASecure = new("https://a.test:443", "crawl-1");
    private static readonly ConnectionKey AOther = new("http://a.test:80", "crawl-2");

    private static ConnectionLedger<string> Ledger(int maxPerHost = 0, int depth = 1, int ownCap = 0)
    {
        var ledger = new ConnectionLedger<string>(maxPerHost, lanes: 3);
        ledger.AddClient("crawl-1", depth, ownCap);
        ledger.AddClient("crawl-2", 1, 0);
        return ledger;
    }

    /// <summary>Carries out every decision the way an owner would (leases granted at once) and returns the sends.</summary>
    private static List<LedgerDecision<string>.Send> Drain(ConnectionLedger<string> ledger, List<LedgerDecision<string>>? all = null)
    {
        var sends = new List<LedgerDecision<string>.Send>();
        while (ledger.TryTake() is { } decision)
        {
            all?.Add(decision);
            switch (decision)
            {
                case LedgerDecision<string>.Send send:
                    sends.Add(send);
                    break;
                case LedgerDecision<string>.Open open:
                    ledger.Opened(open.Connection.Id);
                    break;
            }
        }

        return sends;
    }

    [Fact]
    public void A_request_should_open_a_connection_then_reuse_it_once_it_is_free()
    {
        var ledger = Ledger();
        ledger.Enqueue(A, 2, "first");
        var open = Assert.IsType<LedgerDecision<string>.Open>(ledger.TryTake());
        Assert.Equal((A, ConnectionState.Leasing), (open.Connection.Key, open.Connection.State));
        Assert.Null(ledger.TryTake()); // the one request waits for the connection on its way: no second one is opened
        ledger.Opened(open.Connection.Id);
        var send = Assert.IsType<LedgerDecision<string>.Send>(ledger.TryTake());
        Assert.Equal(("first", open.Connection), (send.Request, send.Connection));

        Assert.True(ledger.Complete(send.Ticket, out var done, out _));
        Assert.Equal("first", done);
        ledger.Enqueue(A, 2, "second");
        Assert.Equal(open.Connection, Assert.Single(Drain(ledger)).Connection);
        Assert.Equal(1, ledger.Connections);
    }

    [Fact]
    public void An_origin_that_does_not_pipeline_should_get_one_request_at_a_time_on_every_connection_old_and_new()
    {
        var ledger = Ledger(maxPerHost: 2, depth: 4);
        foreach (var i in Enumerable.Range(0, 4))
        {
            ledger.Enqueue(A, 2, $"r{i}");
        }

        var first = Drain(ledger);
        Assert.Equal(4, first.Count); // one connection, four in flight
        Assert.True(ledger.OneAtATime(A.Origin));
        Assert.False(ledger.OneAtATime(A.Origin)); // already known: the owner warns only once
        Assert.True(ledger.IsOneAtATime(A.Origin));
        Assert.False(ledger.IsOneAtATime(ASecure.Origin));

        // The old connection takes nothing until its four are answered; a new one takes one request.
        ledger.Enqueue(A, 2, "r4");
        ledger.Enqueue(A, 2, "r5");
        var second = Drain(ledger);
        var sent = Assert.Single(second);
        Assert.NotEqual(first[0].Connection, sent.Connection);
        Assert.Equal(1, sent.Connection.Depth);
        foreach (var send in first.Take(3))
        {
            ledger.Complete(send.Ticket, out _, out _);
        }

        Assert.Empty(Drain(ledger)); // one still in flight on the old connection: it is full at depth 1
        ledger.Complete(first[3].Ticket, out _, out _);
        Assert.Equal("r5", Assert.Single(Drain(ledger)).Request);
    }

    [Fact]
    public void Waiting_requests_should_open_connections_up_to_the_hosts_cap_and_then_wait()
    {
        var ledger = Ledger(maxPerHost: 2);
        foreach (var n in Enumerable.Range(0, 5))
        {
            ledger.Enqueue(A, 2, $"r{n}");
        }

        var sends = Drain(ledger);
        Assert.Equal(["r0", "r1"], sends.Select(s => s.Request));
        Assert.Equal((2, 3), (ledger.Connections, ledger.Waiting));
        ledger.Complete(sends[1].Ticket, out _, out _);
        Assert.Equal("r2", Assert.Single(Drain(ledger)).Request);
    }

    [Fact]
    public void A_clients_own_cap_should_hold_below_the_hosts()
    {
        var ledger = Ledger(maxPerHost: 8, ownCap: 1);
        ledger.Enqueue(A, 2, "a");
        ledger.Enqueue(ASecure, 2, "b"); // another origin of the same host counts against the same cap
        Assert.Equal(["a"], Drain(ledger).Select(s => s.Request));
        Assert.Equal(1, ledger.Waiting);
    }

    [Fact]
    public void Lower_lanes_should_go_first_and_first_come_first_served_within_a_lane()
    {
        var ledger = Ledger(maxPerHost: 1);
        ledger.Enqueue(A, 2, "busy");
        var busy = Assert.Single(Drain(ledger));
        ledger.Enqueue(A, 2, "new-1");
        ledger.Enqueue(A, 2, "new-2");
        ledger.Enqueue(A, 1, "follow-up");
        ledger.Enqueue(A, 0, "robots");
        var order = new List<string>();
        var ticket = busy.Ticket;
        for (var i = 0; i < 4; i++)
        {
            ledger.Complete(ticket, out _, out _);
            var next = Assert.Single(Drain(ledger));
            order.Add(next.Request);
            ticket = next.Ticket;
        }

        Assert.Equal(["robots", "follow-up", "new-1", "new-2"], order);
    }

    [Fact]
    public void Within_a_lane_the_first_to_arrive_should_go_first_across_origins_and_crawls()
    {
        var ledger = Ledger(maxPerHost: 1);
        ledger.Enqueue(A, 2, "busy");
        var ticket = Assert.Single(Drain(ledger)).Ticket;
        ledger.Enqueue(AOther, 2, "other-1");
        ledger.Enqueue(A, 2, "a-1");
        ledger.Enqueue(AOther, 2, "other-2");
        var order = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ledger.Complete(ticket, out _, out _);
            var next = Assert.Single(Drain(ledger));
            order.Add(next.Request);
            ticket = next.Ticket;
        }

        Assert.Equal(["other-1", "a-1", "other-2"], order);
    }

    [Fact]
    public void At_the_hosts_cap_an_idle_connection_of_another_key_should_be_shed_for_a_waiting_one()
    {
        var ledger = Ledger(maxPerHost: 1);
        ledger.Enqueue(A, 2, "a");
        var a = Assert.Single(Drain(ledger));
        ledger.Complete(a.Ticket, out _, out _); // now idle
        ledger.Enqueue(AOther, 2, "other crawl");
        var decisions = new List<LedgerDecision<string>>();
        Assert.Equal("other crawl", Assert.Single(Drain(ledger, decisions)).Request);
        Assert.Equal(a.Connection, Assert.IsType<LedgerDecision<string>.Shed>(decisions[0]).Connection);
        Assert.Equal(1, ledger.Connections);
    }

    [Fact]
    public void A_busy_host_should_keep_a_request_of_another_key_waiting_without_shedding()
    {
        var ledger = Ledger(maxPerHost: 1);
        ledger.Enqueue(A, 2, "a");
        Drain(ledger);
        ledger.Enqueue(AOther, 2, "waits");
        var decisions = new List<LedgerDecision<string>>();
        Assert.Empty(Drain(ledger, decisions));
        Assert.Empty(decisions);
    }

    [Fact]
    public void A_pipelined_connection_should_take_up_to_its_depth()
    {
        var ledger = Ledger(maxPerHost: 1, depth: 3);
        foreach (var n in Enumerable.Range(0, 5))
        {
            ledger.Enqueue(A, 2, $"r{n}");
        }

        var sends = Drain(ledger);
        Assert.Equal(3, sends.Count);
        Assert.Single(sends.Select(s => s.Connection).Distinct());
        ledger.Complete(sends[0].Ticket, out _, out _);
        Assert.Equal("r3", Assert.Single(Drain(ledger)).Request);
    }

    [Fact]
    public void A_lost_connection_should_give_back_its_requests_in_flight_and_nothing_else()
    {
        var ledger = Ledger(maxPerHost: 2);
        foreach (var n in Enumerable.Range(0, 3))
        {
            ledger.Enqueue(A, 2, $"r{n}");
        }

        var sends = Drain(ledger);
        Assert.Equal(["r0"], ledger.Lost(sends[0].Connection.Id));
        Assert.False(ledger.Complete(sends[0].Ticket, out _, out _)); // a late reply is not its request's any more
        Assert.Equal(["r2"], Drain(ledger).Select(s => s.Request)); // a new connection takes the waiting one
    }

    [Fact]
    public void A_client_that_leaves_should_take_its_connections_and_requests_with_it()
    {
        var ledger = Ledger(maxPerHost: 1);
        ledger.Enqueue(A, 2, "in flight");
        ledger.Enqueue(A, 2, "waiting");
        var sends = Drain(ledger);
        ledger.Enqueue(AOther, 2, "the other crawl's");

        var (connections, requests) = ledger.RemoveClient("crawl-1");
        Assert.Equal([sends[0].Connection], connections);
        Assert.Equal(["in flight", "waiting"], requests.Order());
        Assert.Equal("the other crawl's", Assert.Single(Drain(ledger)).Request);
        Assert.False(ledger.HasClient("crawl-1"));
    }

    [Fact]
    public void Shedding_for_the_budget_should_take_only_idle_connections()
    {
        var ledger = Ledger();
        ledger.Enqueue(A, 2, "busy");
        ledger.Enqueue(ASecure, 2, "done");
        var sends = Drain(ledger);
        ledger.Complete(sends.Single(s => s.Request == "done").Ticket, out _, out _);
        Assert.Equal(ASecure, ledger.ShedIdle()!.Key);
        Assert.Null(ledger.ShedIdle());
        Assert.Equal(1, ledger.Connections);
    }

    [Fact]
    public void A_thousand_connections_to_one_host_should_each_be_reused()
    {
        var ledger = Ledger();
        foreach (var n in Enumerable.Range(0, 1000))
        {
            ledger.Enqueue(A, 2, $"r{n}");
        }

        var sends = Drain(ledger);
        Assert.Equal(1000, ledger.Connections);
        foreach (var send in sends)
        {
            ledger.Complete(send.Ticket, out _, out _);
            ledger.Enqueue(A, 1, "again");
        }

        Assert.Equal(1000, Drain(ledger).Select(s => s.Connection).Distinct().Count());
        Assert.Equal(1000, ledger.Connections);
    }
}
