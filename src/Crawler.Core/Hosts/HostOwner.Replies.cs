using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Crawler.Core.Fetching;
using Crawler.Core.Politeness;
using Crawler.Http;
using Crawler.Http.Connection;
using Crawler.Http.Pool;

namespace Crawler.Core.Hosts;

#pragma warning disable IDE0065 // Inside namespace Crawler.*, the name Http means the namespace Crawler.Http;
using Http = Crawler.Http.Http; // an alias in the namespace lets call sites read Http.Send, as Tcp.Connect.
#pragma warning restore IDE0065

/// <summary>What comes back to a <see cref="HostOwner"/>: replies of its connections, its own robots.txt requests,
/// leases, the end of a crawl, and connections that stopped.</summary>
internal sealed partial class HostOwner
{
    private void OnReply(long ticket, Http.ResponseReceived? response, HttpFailure? failure, RequestTimings? failedTimings = null)
    {
        if (!_ledger.Complete(ticket, out var pending, out _))
        {
            return; // a late reply for a request whose connection was lost or whose crawl ended
        }

        var fetch = pending.Fetch;
        if (response is not null)
        {
            if (RetryPolicy.AsksToSlowDown(response.StatusCode))
            {
                _schedule.SlowDown(RetryPolicy.ParseRetryAfter(response.Header("Retry-After"), DateTimeOffset.UtcNow), fetch.Profile.Retry);
            }

            // The time it waited here is queueing, as is the time it waited at the connection.
            var waited = Stopwatch.GetElapsedTime(pending.Arrived, pending.DispatchedAt);
            var timings = response.Timings is { } t ? t with { Started = pending.Arrived, Queued = t.Queued + waited } : null;
            Reply(pending, new Host.Fetched(fetch.RequestId, response with { RequestId = fetch.RequestId, Timings = timings }) { Robots = pending.Robots });
        }
        else
        {
            var waited = Stopwatch.GetElapsedTime(pending.Arrived, pending.DispatchedAt);
            Reply(pending, new Host.Failed(fetch.RequestId, Failure.From(failure!, fetch.Url))
            {
                Timings = failedTimings is { } t ? t with { Started = pending.Arrived, Queued = t.Queued + waited } : null,
                Robots = pending.Robots,
            });
        }

        Pump();
        ShedIdleUnderPressure();
    }

    // ---- robots.txt, through the same queue ---------------------------------------------------------------------

    private void FetchRobots(string origin, string token, Pending first)
    {
        var fetch = first.Fetch;
        var request = new PageRequest(fetch.CrawlId, fetch.Profile, new Uri(fetch.Url, "/robots.txt"), FetchPriority.Robots, () => ++_ids,
            () => TimeSpan.Zero, timings: null, anyStatus: true);
        SendRobots(origin, token, request, request.Start());
    }

    private void SendRobots(string origin, string token, PageRequest request, Host.Fetch fetch)
    {
        _robotsRequests[fetch.RequestId] = new RobotsFetch(origin, token, request);
        _robots.Fetching(origin, token, fetch.RequestId, fetch.CrawlId);

        // Through the registry, like any fetch: it may be another host's after a redirect, and it is spaced and
        // queued (first) like any other request of its host.
        Context.Parent.Tell(fetch);
    }

    private void OnRobotsReply(object reply)
    {
        var id = reply switch
        {
            Host.Fetched fetched => fetched.RequestId,
            Host.Failed failed => failed.RequestId,
            Host.Denied denied => denied.RequestId,
            _ => 0L, // Queued and Dispatched: robots.txt waits like any request
        };
        if (!_robotsRequests.Remove(id, out var robots))
        {
            return;
        }

        var timing = reply switch
        {
            Host.Fetched { Response.Timings: { } t } fetched => new Crawl.RequestTiming(robots.Request.Url.ToString(), t)
            {
                Robots = true, Status = fetched.Response.StatusCode,
            },
            Host.Failed { Timings: { } t, Failure: var f } => new Crawl.RequestTiming(robots.Request.Url.ToString(), t) { Robots = true, Error = f.Kind },
            _ => null,
        };
        robots.Timing = timing ?? robots.Timing;
        var step = reply switch
        {
            Host.Fetched fetched => robots.Request.OnFetched(fetched.Response),
            Host.Failed failed => new RequestStep.Failed(failed.Failure),
            _ => new RequestStep.Failed(new Failure(ErrorKind.Crash, ((Host.Denied)reply).Reason)),
        };
        switch (step)
        {
            case RequestStep.Send send:
                SendRobots(robots.Origin, robots.Token, robots.Request, send.Fetch);
                break;
            case RequestStep.Done done:
                CompleteRobots(robots.Origin, robots.Token, RobotsRules.FromResponse(done.Response.StatusCode, done.Response.Body.Span, robots.Token,
                    robots.Request.Url), robots.Request.Url, robots.Timing);
                break;
            case RequestStep.Failed failed:
                // RFC 9309 §2.3.1.4 lets a crawler that cannot reach robots.txt assume the worst; the page is requested
                // anyway, and reports the network failure itself.
                _log.Debug("Could not fetch {Url} ({Kind}); requesting the pages anyway", robots.Request.Url, failed.Failure.Kind.Name());
                CompleteRobots(robots.Origin, robots.Token, RobotsRules.AllowAll, robots.Request.Url, robots.Timing);
                break;
        }
    }

    /// <summary>The rules are known. A Crawl-delay spaces the host before any request waiting for the rules is let go,
    /// so none of them can go out unspaced.</summary>
    private void CompleteRobots(string origin, string token, RobotsRules rules, Uri url, Crawl.RequestTiming? timing)
    {
        var waiting = _robots.Complete(origin, token, rules);
        if (waiting.Count > 0)
        {
            waiting[0].Robots = timing; // its planet's timeline shows the robots.txt request it waited for
        }

        if (rules.CrawlDelay is { } delay && delay > TimeSpan.Zero)
        {
            var cap = waiting.Count > 0 ? waiting[0].Fetch.Profile.MaxCrawlDelay : delay;
            if (delay > cap)
            {
                _log.Warning("{Url} asks for a Crawl-delay of {Delay} s; capped at {Cap} s (crawler.robots.max-crawl-delay)", url,
                    delay.TotalSeconds, cap.TotalSeconds);
            }

            _schedule.CrawlDelay(delay > cap ? cap : delay);
        }

        foreach (var pending in waiting)
        {
            if (Allowed(pending, rules))
            {
                Admit(pending);
            }
        }
    }

    // ---- Connections, leases, crawls -----------------------------------------------------------------------------

    private void OnLeaseGranted(long id)
    {
        _leasesWaiting = false;
        if (_ledger.Connection(id) is not { State: ConnectionState.Leasing } connection)
        {
            Context.Parent.Tell(new HostControl.LeaseReturned(id)); // no longer wanted
            return;
        }

        var profile = _crawls[connection.Key.Client];
        var origin = new Uri(connection.Key.Origin);
        var http = _ledger.IsOneAtATime(connection.Key.Origin) ? profile.Http with { Pipelining = false } : profile.Http;
        var actor = _connectionFactory(Context, origin, http, ActorNames.Safe($"{origin.Scheme}-{origin.IdnHost}-{origin.Port}-{id}"));
        Context.Watch(actor);
        _connections[id] = actor;
        _connectionIds[actor] = connection;
        _ledger.Opened(id);
        Pump();
        ShedIdleUnderPressure();
    }

    /// <summary>A connection found that its server answers only the first of a pipelined batch: every connection to that
    /// origin goes on one request at a time, for as long as this owner lives, and a warning says so once.</summary>
    private void OnPipeliningRefused(IActorRef reporter)
    {
        if (!_connectionIds.TryGetValue(reporter, out var reported))
        {
            return;
        }

        var origin = reported.Key.Origin;
        if (_ledger.OneAtATime(origin))
        {
            _log.Warning("{Origin} does not answer pipelined requests (it answered the first of a batch, then nothing): one request at a time to it from now on", origin);
        }

        foreach (var (actor, connection) in _connectionIds)
        {
            if (connection.Key.Origin == origin && !actor.Equals(reporter))
            {
                actor.Tell(Pipelining.OneAtATime.Instance);
            }
        }
    }

    /// <summary>Under pressure on the system's connection budget, connections left idle go back to it.</summary>
    private void ShedIdleUnderPressure()
    {
        while (_pressure && _ledger.ShedIdle() is { } idle)
        {
            StopConnection(idle.Id);
        }
    }

    /// <summary>Stops a connection the ledger has forgotten, and gives its lease back.</summary>
    private void StopConnection(long id)
    {
        if (_connections.Remove(id, out var actor))
        {
            _connectionIds.Remove(actor);
            Context.Unwatch(actor);
            actor.Tell(Http.Shutdown.Instance); // not Context.Stop: Akka.IO's answers would be dead letters
        }

        Context.Parent.Tell(new HostControl.LeaseReturned(id));
    }

    private void OnConnectionStopped(IActorRef actor)
    {
        if (!_connectionIds.Remove(actor, out var connection))
        {
            return;
        }

        _connections.Remove(connection.Id);
        Context.Parent.Tell(new HostControl.LeaseReturned(connection.Id));
        var message = CrashRecordingStrategy.Describe(_crashes, actor, $"connection to {connection.Key.Origin}");
        _log.Warning("{Message}", message);
        foreach (var pending in _ledger.Lost(connection.Id))
        {
            Reply(pending, new Host.Failed(pending.Fetch.RequestId, new Failure(ErrorKind.Crash, message, pending.Fetch.Url.ToString())));
        }

        Pump();
    }

    /// <summary>A crawl ended: its connections stop, its requests are dropped (their senders are gone), and a robots.txt
    /// fetched for it is fetched again for the other crawls that wait for it.</summary>
    private void OnCrawlEnded(string crawlId)
    {
        _crawls.Remove(crawlId);
        var (connections, _) = _ledger.RemoveClient(crawlId);
        foreach (var connection in connections)
        {
            StopConnection(connection.Id);
        }

        foreach (var (id, _) in _delayed.Where(d => d.Value.Fetch.CrawlId == crawlId).ToList())
        {
            _delayed.Remove(id);
            Timers.Cancel($"delay-{id}");
        }

        foreach (var (id, _) in _robotsRequests.Where(r => r.Value.Request.CrawlId == crawlId).ToList())
        {
            _robotsRequests.Remove(id);
        }

        var (_, refetch) = _robots.Abandon(crawlId, p => p.Fetch.CrawlId == crawlId);
        foreach (var (origin, token, next) in refetch)
        {
            FetchRobots(origin, token, next);
        }

        _minHostDelay = _crawls.Count > 0 ? _crawls.Values.Max(p => p.MinHostDelay) : TimeSpan.Zero;
        Pump();
    }
}
