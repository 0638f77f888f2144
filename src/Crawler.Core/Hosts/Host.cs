using Akka.Actor;
using Akka.Event;
using Crawler.Core.Configuration;
using Crawler.Http.Configuration;
using Crawler.Http;

namespace Crawler.Core.Hosts;

#pragma warning disable IDE0065 // Inside namespace Crawler.*, the name Http means the namespace Crawler.Http;
using Http = Crawler.Http.Http; // an alias in the namespace lets call sites read Http.ResponseReceived, as Tcp.Connected.
#pragma warning restore IDE0065

/// <summary>How soon a waiting request goes out, among those of its host: robots.txt first, then requests of planets
/// already under way (an article, a redirect, a retry), then the first requests of new planets, so that a planet
/// whose page has arrived gets its article before new planet pages start.</summary>
internal enum FetchPriority
{
    /// <summary>A robots.txt, which other requests of its origin wait for.</summary>
    Robots,

    /// <summary>A request of a planet that has begun.</summary>
    FollowUp,

    /// <summary>The first request of a planet.</summary>
    New,
}

/// <summary>What a crawl asks of every host it visits, carried by each <see cref="Host.Fetch"/> so that a host owner
/// needs nothing else to serve it (nor would one on another node): the HTTP settings of its connections, its retry
/// budget and slow-down rules, and its politeness. Pure data, built once per crawl.</summary>
/// <param name="Http">The settings of the crawl's connections (timeouts, TLS, user agent, pipelining, own per-host cap).</param>
/// <param name="Retry">Retry budget and slow-down after 429/503.</param>
/// <param name="MinHostDelay">The least time between two requests to one host.</param>
/// <param name="RespectRobots">Fetch and obey robots.txt.</param>
/// <param name="ProductToken">The name robots.txt groups are matched against.</param>
/// <param name="MaxCrawlDelay">The largest Crawl-delay honoured.</param>
internal sealed record CrawlProfile(HttpClientSettings Http, RetrySettings Retry, TimeSpan MinHostDelay, bool RespectRobots, string ProductToken,
    TimeSpan MaxCrawlDelay)
{
    /// <summary>The profile of a crawl with <paramref name="settings"/>.</summary>
    public static CrawlProfile Of(CrawlerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new CrawlProfile(settings.Http, settings.Retry, settings.MinHostDelay, settings.RespectRobots, settings.ProductToken,
            settings.MaxCrawlDelay);
    }
}

/// <summary>
/// The protocol of the hosts: a <see cref="HostRegistry"/> per ActorSystem routes each <see cref="Fetch"/> to the one
/// <see cref="HostOwner"/> of the URL's host (<see cref="HostKey"/>), which decides when it goes out (robots.txt,
/// spacing, retry budget, the connection caps) and answers with <see cref="Fetched"/> or <see cref="Failed"/> (or
/// <see cref="Denied"/> for a retry beyond the host's budget), after <see cref="Queued"/> and <see cref="Dispatched"/>
/// when the request had to wait. Crawls announce themselves with <see cref="CrawlStarted"/>; when a crawl's
/// coordinator stops, its connections close and its waiting requests are dropped. The replies may reach a fetcher its
/// crawl has just stopped (cancelled, or at its deadline): they are <see cref="IDeadLetterSuppression"/>, so that such a
/// late reply is not logged as a dead letter in the host's log.
/// </summary>
internal static class Host
{
    /// <summary>Sent by a crawl's coordinator to the registry before its first fetch. The registry watches the sender:
    /// when it stops, every host the crawl used forgets it (<see cref="CrawlEnded"/>). No reply.</summary>
    /// <param name="CrawlId">The crawl's id, carried by its fetches.</param>
    public sealed record CrawlStarted(string CrawlId);

    /// <summary>Sent to the registry when the system shuts down (the crawler's CoordinatedShutdown task): every running
    /// crawl is cancelled (<see cref="Crawl.CancelCrawl"/>, so its unfinished planets end as <c>cancelled</c> results),
    /// and <see cref="CrawlsEnded"/> is the reply once all their coordinators have stopped.</summary>
    /// <param name="Reason">Why, for the cancelled results.</param>
    public sealed record EndCrawls(string Reason);

    /// <summary>The reply to <see cref="EndCrawls"/>: no crawl runs any more.</summary>
    public sealed record CrawlsEnded
    {
        private CrawlsEnded()
        {
        }

        /// <summary>The single instance.</summary>
        public static CrawlsEnded Instance { get; } = new();
    }

    /// <summary>
    /// Asks for one request: a GET of <paramref name="Url"/>. Sent to the registry (which forwards it to the URL's host
    /// owner). Exactly one reply goes to the sender: <see cref="Fetched"/> when a complete response arrived (whatever
    /// its status), <see cref="Failed"/> when none did (or robots.txt disallows the URL), or <see cref="Denied"/> for
    /// a retry the host's budget refuses. Before it, <see cref="Queued"/> when the request has to wait for robots.txt
    /// or a connection, then <see cref="Dispatched"/> when it is written: waiting is queueing, not part of any timeout.
    /// </summary>
    /// <param name="CrawlId">The crawl it belongs to (its connections are its own).</param>
    /// <param name="RequestId">The sender's correlation id, echoed by the replies.</param>
    /// <param name="Url">An absolute http or https URL.</param>
    /// <param name="Priority">Where it queues among the host's requests.</param>
    /// <param name="Attempt">1 for a first attempt; more for a retry, which the host's retry budget must allow.</param>
    /// <param name="Delay">Not before this long from now (a retry's backoff, or the Retry-After it was asked to honour).</param>
    /// <param name="Profile">The crawl's settings for the host.</param>
    /// <param name="Robots">Check robots.txt first (off for the robots.txt request itself).</param>
    public sealed record Fetch(string CrawlId, long RequestId, Uri Url, FetchPriority Priority, int Attempt, TimeSpan Delay, CrawlProfile Profile,
        bool Robots = true)
    {
        /// <summary>The answer to look for while the page arrives (<see cref="Fetching.PageWatch"/>, made by the owner
        /// that dispatches the fetch, told to its sender); null for none.</summary>
        public Fetching.EarlyAnswer? Early { get; init; }
    }

    /// <summary>The request waits (for robots.txt or for a connection); a <see cref="Dispatched"/> follows when it is
    /// written.</summary>
    /// <param name="RequestId">The id of the <see cref="Fetch"/>.</param>
    public sealed record Queued(long RequestId) : IDeadLetterSuppression;

    /// <summary>The request that was <see cref="Queued"/> has been written to a connection.</summary>
    /// <param name="RequestId">The id of the <see cref="Fetch"/>.</param>
    public sealed record Dispatched(long RequestId) : IDeadLetterSuppression;

    /// <summary>A complete response (any status; redirects are the asker's to follow). Its timings count the time it
    /// waited at the host as queued.</summary>
    /// <param name="RequestId">The id of the <see cref="Fetch"/>.</param>
    /// <param name="Response">The response.</param>
    public sealed record Fetched(long RequestId, Http.ResponseReceived Response) : INoSerializationVerificationNeeded, IDeadLetterSuppression
    {
        /// <summary>The robots.txt request this fetch waited for, when it was the first to wait (for the timeline).</summary>
        public Crawl.RequestTiming? Robots { get; init; }
    }

    /// <summary>No response: the transport failed, or robots.txt disallows the URL (<see cref="ErrorKind.Robots"/>).</summary>
    /// <param name="RequestId">The id of the <see cref="Fetch"/>.</param>
    /// <param name="Failure">What went wrong.</param>
    public sealed record Failed(long RequestId, Failure Failure) : IDeadLetterSuppression
    {
        /// <summary>Where the request's time went until it failed, when it reached a connection.</summary>
        public RequestTimings? Timings { get; init; }

        /// <summary>The robots.txt request this fetch waited for, when it was the first to wait (for the timeline).</summary>
        public Crawl.RequestTiming? Robots { get; init; }
    }

    /// <summary>A retry the host's retry budget refuses.</summary>
    /// <param name="RequestId">The id of the <see cref="Fetch"/>.</param>
    /// <param name="Reason">For a person.</param>
    public sealed record Denied(long RequestId, string Reason) : IDeadLetterSuppression;

    /// <summary>Sent by the registry to a host owner: the crawl's coordinator stopped; its connections close and its
    /// requests are dropped (their senders are gone). No reply.</summary>
    /// <param name="CrawlId">The crawl.</param>
    public sealed record CrawlEnded(string CrawlId);
}
