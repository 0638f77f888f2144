using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Crawler.Core.Fetching;
using Crawler.Core.Politeness;
using Crawler.Http;
using Crawler.Http.Configuration;
using Crawler.Http.Connection;
using Crawler.Http.Pool;

namespace Crawler.Core.Hosts;

#pragma warning disable IDE0065 // Inside namespace Crawler.*, the name Http means the namespace Crawler.Http;
using Http = Crawler.Http.Http; // an alias in the namespace lets call sites read Http.Send, as Tcp.Connect.
#pragma warning restore IDE0065

/// <summary>Makes the connection actor of one origin for a host owner (default: an <see cref="HttpClientConnection"/>
/// child); tests pass probes.</summary>
internal delegate IActorRef ConnectionFactory(IUntypedActorContext context, Uri origin, HttpClientSettings settings, string name);

/// <summary>What every host owner of a system shares.</summary>
/// <param name="MaxConnectionsPerHost">Connections to one host, all crawls together (0 = no cap).</param>
/// <param name="IdleTimeout">How long an owner with nothing to do keeps what it knows before it passivates.</param>
/// <param name="Dispatcher">The dispatcher of the registry, the owners and their connections (empty: Akka's default).</param>
internal sealed record HostOwnerSettings(int MaxConnectionsPerHost, TimeSpan IdleTimeout, string Dispatcher = "");

/// <summary>
/// The one owner of everything the crawler knows and decides about one host (<see cref="HostKey"/>), written by nobody
/// else: its robots.txt rules per origin (<see cref="RobotsGate{TWaiter}"/>, fetched through the same queue as every
/// other request), its spacing, Crawl-delay, slow-down and retry budget (<see cref="HostSchedule"/>), and its connections
/// and waiting requests (<see cref="ConnectionLedger{TRequest}"/>: connections per origin and crawl, the per-host cap,
/// priority lanes). It answers each <see cref="Host.Fetch"/> with one <see cref="Host.Fetched"/>,
/// <see cref="Host.Failed"/> or <see cref="Host.Denied"/>, after <see cref="Host.Queued"/>/<see cref="Host.Dispatched"/>
/// when the request waited. Its messages are data (the crawl's settings travel with each fetch), and its state is
/// rebuilt by a new incarnation: after <see cref="HostOwnerSettings.IdleTimeout"/> with nothing to do it passivates.
/// If it stops for any reason, every request it holds fails as <c>crash</c>, so nobody waits for ever.
/// </summary>
internal sealed partial class HostOwner : UntypedActor, IWithTimers
{
    private const int Lanes = 3;
    private const string IdleTimerKey = "idle";

    private readonly string _host;
    private readonly HostOwnerSettings _settings;
    private readonly Func<TimeSpan> _clock;
    private readonly ConnectionFactory _connectionFactory;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly HostSchedule _schedule;
    private readonly ConnectionLedger<Pending> _ledger;
    private readonly RobotsGate<Pending> _robots = new();
    private readonly Dictionary<long, RobotsFetch> _robotsRequests = [];
    private readonly Dictionary<string, CrawlProfile> _crawls = new(StringComparer.Ordinal);
    private readonly Dictionary<long, IActorRef> _connections = [];
    private readonly Dictionary<IActorRef, PooledConnection> _connectionIds = [];
    private readonly Dictionary<long, Pending> _delayed = [];
    private readonly Dictionary<IActorRef, Exception> _crashes = [];
    private TimeSpan _minHostDelay;
    private bool _pressure;
    private bool _leasesWaiting;
    private bool _idleTimerRunning;
    private long _ids;

    /// <summary>Creates the owner; prefer <see cref="Props"/>.</summary>
    public HostOwner(string host, HostOwnerSettings settings, Func<TimeSpan>? clock, ConnectionFactory? connectionFactory)
    {
        _host = host;
        _settings = settings;
        _clock = clock ?? (() => Context.System.Scheduler.MonotonicClock);
        _connectionFactory = connectionFactory ?? ((context, origin, http, name) =>
            context.ActorOf(HttpClientConnection.PropsFor(origin, http, observer: context.Self).On(settings.Dispatcher), name));
        _schedule = new HostSchedule(_clock);
        _ledger = new ConnectionLedger<Pending>(settings.MaxConnectionsPerHost, Lanes);
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props for the owner of <paramref name="host"/>. <paramref name="clock"/> is monotonic time (default:
    /// the scheduler's, so a test scheduler drives it); <paramref name="connectionFactory"/> makes its connections.</summary>
    public static Props Props(string host, HostOwnerSettings settings, Func<TimeSpan>? clock = null, ConnectionFactory? connectionFactory = null) =>
        DirectProps.Of(() => new HostOwner(host, settings, clock, connectionFactory)).On(settings?.Dispatcher);

    /// <summary>Connections that throw are stopped, never restarted; their requests fail as <c>crash</c>.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new CrashRecordingStrategy(_crashes);


    /// <inheritdoc />
    protected override void PreStart()
    {
        _idleTimerRunning = true; // an owner starts with nothing to do
        Timers.StartSingleTimer(IdleTimerKey, IdleTimedOut.Instance, _settings.IdleTimeout);
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        var message = $"the owner of {_host} stopped before the request finished";
        var everyone = _ledger.All().Concat(_delayed.Values).Concat(_robots.All());
        foreach (var pending in everyone)
        {
            pending.ReplyTo.Tell(new Host.Failed(pending.Fetch.RequestId, new Failure(ErrorKind.Crash, message, pending.Fetch.Url.ToString())));
        }
    }

    /// <inheritdoc />
    protected override void OnReceive(object message)
    {
        Handle(message);

        // The idle timer runs only while there is nothing to do (a receive timeout would be rescheduled on every
        // message, and an owner on a busy host gets many).
        if (IsIdle != _idleTimerRunning)
        {
            _idleTimerRunning = IsIdle;
            if (_idleTimerRunning)
            {
                Timers.StartSingleTimer(IdleTimerKey, IdleTimedOut.Instance, _settings.IdleTimeout);
            }
            else
            {
                Timers.Cancel(IdleTimerKey);
            }
        }
    }

    private void Handle(object message)
    {
        switch (message)
        {
            case Host.Fetch fetch:
                OnFetch(new Pending(fetch, Sender, Stopwatch.GetTimestamp()));
                break;
            case Http.ResponseReceived response:
                OnReply(response.RequestId, response, null);
                break;
            case Http.RequestFailed failed:
                OnReply(failed.RequestId, null, failed.Failure, failed.Timings);
                break;
            case Host.Fetched or Host.Failed or Host.Denied or Host.Queued or Host.Dispatched:
                OnRobotsReply(message);
                break;
            case Pipelining.Refused:
                OnPipeliningRefused(Sender);
                break;
            case HostControl.LeaseGranted granted:
                OnLeaseGranted(granted.Connection);
                break;
            case HostControl.LeaseWaiting:
                // The system's budget is spent: everything waiting for a connection waits for real now.
                _leasesWaiting = true;
                foreach (var waiting in _ledger.All().Where(p => !p.Dispatched))
                {
                    Queued(waiting);
                }

                break;
            case HostControl.Pressure pressure:
                _pressure = pressure.On;
                ShedIdleUnderPressure();
                break;
            case Host.CrawlEnded ended:
                OnCrawlEnded(ended.CrawlId);
                break;
            case DelayOver over when _delayed.Remove(over.Id, out var pending):
                EnqueueAndPump(pending);
                break;
            case PumpAgain:
                Pump();
                break;
            case Terminated terminated:
                OnConnectionStopped(terminated.ActorRef);
                break;
            case IdleTimedOut when IsIdle:
                Context.Parent.Tell(HostControl.Passivate.Instance);
                break;
            case HostControl.PassivateNow:
                if (IsIdle)
                {
                    Context.Stop(Self);
                }
                else
                {
                    Context.Parent.Tell(HostControl.StillBusy.Instance);
                }

                break;
            case IdleTimedOut or DelayOver:
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private bool IsIdle => _ledger.IsEmpty && _delayed.Count == 0 && _robots.Waiting == 0 && _robotsRequests.Count == 0;

    // ---- A fetch: budget, robots.txt, delay, queue ----------------------------------------------------------------

    private void OnFetch(Pending pending)
    {
        var fetch = pending.Fetch;
        if (fetch.Url.Scheme is not ("http" or "https") || !fetch.Url.IsAbsoluteUri)
        {
            Reply(pending, new Host.Failed(fetch.RequestId, new Failure(ErrorKind.BadUrl, $"{fetch.Url} is not an http or https URL", fetch.Url.ToString())));
            return;
        }

        if (fetch.Attempt > 1)
        {
            if (_schedule.DenyRetry(_host, fetch.Profile.Retry) is { } reason)
            {
                Reply(pending, new Host.Denied(fetch.RequestId, reason));
                return;
            }
        }
        else
        {
            _schedule.Count();
        }

        if (fetch.Robots && fetch.Profile.RespectRobots && !Obeyed(pending))
        {
            return;
        }

        Admit(pending);
    }

    /// <summary>True when robots.txt allows the request now; false when it was refused, or waits for the rules.</summary>
    private bool Obeyed(Pending pending)
    {
        var origin = Origins.Of(pending.Fetch.Url);
        var token = pending.Fetch.Profile.ProductToken;
        if (_robots.TryGet(origin, token, out var rules))
        {
            return Allowed(pending, rules!);
        }

        if (_robots.Wait(origin, token, pending))
        {
            FetchRobots(origin, token, pending);
        }

        Queued(pending);
        return false;
    }

    private static bool Allowed(Pending pending, RobotsRules rules)
    {
        var url = pending.Fetch.Url;
        if (rules.IsAllowed(url.PathAndQuery))
        {
            return true;
        }

        Reply(pending, new Host.Failed(pending.Fetch.RequestId, new Failure(ErrorKind.Robots,
            $"{url} is disallowed for {pending.Fetch.Profile.ProductToken} by {rules.Source} ({rules.Explain(url.PathAndQuery)})", url.ToString())));
        return false;
    }

    /// <summary>Into the queue, now or after its delay (a retry's backoff).</summary>
    private void Admit(Pending pending)
    {
        if (pending.Fetch.Delay > TimeSpan.Zero)
        {
            var id = ++_ids;
            _delayed[id] = pending;
            Timers.StartSingleTimer($"delay-{id}", new DelayOver(id), pending.Fetch.Delay);
            return;
        }

        EnqueueAndPump(pending);
    }

    /// <summary>Queues the request and writes what may go. A request that has to wait is told so, unless all it waits
    /// for is a connection already on its way (a lease is a round trip to the registry, part of connecting; if the
    /// system's budget keeps it waiting, the registry says so and the request is told then).</summary>
    private void EnqueueAndPump(Pending pending)
    {
        var key = Enqueue(pending);
        Pump();
        if (!pending.Dispatched && (_leasesWaiting || !_ledger.IsConnectionComing(key)))
        {
            Queued(pending);
        }
    }

    private ConnectionKey Enqueue(Pending pending)
    {
        var fetch = pending.Fetch;
        if (!_crawls.ContainsKey(fetch.CrawlId))
        {
            var http = fetch.Profile.Http;
            _crawls[fetch.CrawlId] = fetch.Profile;
            _ledger.AddClient(fetch.CrawlId, http.Pipelining ? http.PipeliningDepth : 1, http.MaxConnectionsPerHost);
            _minHostDelay = _crawls.Values.Max(p => p.MinHostDelay);
        }

        var key = new ConnectionKey(Origins.Of(fetch.Url), fetch.CrawlId);
        _ledger.Enqueue(key, (int)fetch.Priority, pending);
        return key;
    }

    /// <summary>Writes what may go now: as many waiting requests as connections take, each when the host's spacing
    /// allows; opens and sheds connections as the ledger decides.</summary>
    private void Pump()
    {
        while (true)
        {
            var wait = _schedule.Wait(_minHostDelay);
            if (wait > TimeSpan.Zero)
            {
                if (_ledger.Waiting > 0)
                {
                    Timers.StartSingleTimer("pump", PumpAgain.Instance, wait);
                }

                break;
            }

            switch (_ledger.TryTake())
            {
                case LedgerDecision<Pending>.Send send:
                    Dispatch(send);
                    continue;
                case LedgerDecision<Pending>.Open open:
                    Context.Parent.Tell(new HostControl.LeaseRequested(open.Connection.Id));
                    continue;
                case LedgerDecision<Pending>.Shed shed:
                    StopConnection(shed.Connection.Id);
                    continue;
            }

            break;
        }

    }

    private void Dispatch(LedgerDecision<Pending>.Send send)
    {
        var pending = send.Request;
        _connections[send.Connection.Id].Tell(new Http.Send(send.Ticket, pending.Fetch.Url, System.Net.Http.HttpMethod.Get) 
        {
            Watch = pending.Fetch.Early is { } early ? new Fetching.PageWatch(early, pending.ReplyTo, pending.Fetch.RequestId) : null,
        });
        _schedule.Sent();
        pending.Dispatched = true;
        pending.DispatchedAt = Stopwatch.GetTimestamp();
        if (pending.QueuedSent)
        {
            pending.ReplyTo.Tell(new Host.Dispatched(pending.Fetch.RequestId));
        }
    }

    private static void Queued(Pending pending)
    {
        if (!pending.QueuedSent)
        {
            pending.QueuedSent = true;
            pending.ReplyTo.Tell(new Host.Queued(pending.Fetch.RequestId));
        }
    }

    private static void Reply(Pending pending, object reply) => pending.ReplyTo.Tell(reply);

    private sealed record DelayOver(long Id);

    private sealed record PumpAgain
    {
        public static readonly PumpAgain Instance = new();
    }

    private sealed record IdleTimedOut
    {
        public static readonly IdleTimedOut Instance = new();
    }

    /// <summary>A robots.txt request of the owner's own: for which origin and token, driven by which request.</summary>
    private sealed record RobotsFetch(string Origin, string Token, PageRequest Request)
    {
        /// <summary>The last attempt's phases (a redirect or a retry replaces them).</summary>
        public Crawl.RequestTiming? Timing { get; set; }
    }

    /// <summary>A fetch the owner holds: the command, whom to answer, and where it is.</summary>
    private sealed class Pending(Host.Fetch fetch, IActorRef replyTo, long arrived)
    {
        public Host.Fetch Fetch { get; } = fetch;

        public IActorRef ReplyTo { get; } = replyTo;

        public long Arrived { get; } = arrived;

        public bool QueuedSent { get; set; }

        public bool Dispatched { get; set; }

        public long DispatchedAt { get; set; }

        /// <summary>The robots.txt request it was the first to wait for; given back with its reply.</summary>
        public Crawl.RequestTiming? Robots { get; set; }
    }
}
