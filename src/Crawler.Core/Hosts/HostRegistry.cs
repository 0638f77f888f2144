using Akka.Actor;
using Akka.Event;
using Crawler.Http;
using Crawler.Http.Pool;

namespace Crawler.Core.Hosts;

/// <summary>
/// The hosts of one ActorSystem (<c>/system/crawler-hosts</c>, owned by the crawler extension): it routes each
/// <see cref="Host.Fetch"/> to the one <see cref="HostOwner"/> of its host, starting it on first use and holding its
/// messages while it passivates (the shape of a Cluster.Sharding region, whose entities a later step can make them). It
/// keeps the system's connection budget (<see cref="ConnectionBudget"/>: every connection of every host holds a lease),
/// and tells each host a crawl used when the crawl's coordinator stops (<see cref="Host.CrawlEnded"/>). It knows every
/// running crawl, so at shutdown it cancels them all (<see cref="Host.EndCrawls"/>). It does nothing
/// per request but look up the owner and forward.
/// </summary>
internal sealed class HostRegistry : UntypedActor
{
    private const int EndedCrawlsKept = 4096;

    private readonly HostOwnerSettings _settings;
    private readonly Func<TimeSpan>? _clock;
    private readonly ConnectionFactory? _connectionFactory;
    private readonly ConnectionBudget _budget;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, IActorRef> _owners = new(StringComparer.Ordinal);
    private readonly Dictionary<IActorRef, string> _hostOf = [];
    private readonly Dictionary<string, List<Held>> _passivating = new(StringComparer.Ordinal);
    private readonly Dictionary<IActorRef, CrawlHosts> _crawls = [];
    private readonly Dictionary<string, CrawlHosts> _crawlsById = new(StringComparer.Ordinal);
    private readonly HashSet<string> _ended = new(StringComparer.Ordinal);
    private readonly Queue<string> _endedOrder = new();
    private readonly List<IActorRef> _awaitingEnd = [];
    private bool _pressure;
    private long _incarnations;

    /// <summary>Creates the registry; prefer <see cref="Props"/>.</summary>
    public HostRegistry(HostOwnerSettings settings, int maxConnections, Func<TimeSpan>? clock, ConnectionFactory? connectionFactory)
    {
        _settings = settings;
        _clock = clock;
        _connectionFactory = connectionFactory;
        _budget = new ConnectionBudget(maxConnections);
    }

    /// <summary>Props for a registry whose owners share <paramref name="settings"/> and at most
    /// <paramref name="maxConnections"/> connections in all (0 = no limit; the caller lowers it below the open-file
    /// limit). <paramref name="clock"/> and <paramref name="connectionFactory"/> go to every owner (tests).</summary>
    public static Props Props(HostOwnerSettings settings, int maxConnections, Func<TimeSpan>? clock = null, ConnectionFactory? connectionFactory = null) =>
        Akka.Actor.Props.Create<HostRegistry>(settings, maxConnections, clock, connectionFactory).On(settings?.Dispatcher);

    /// <summary>An owner that throws is stopped (its requests fail as <c>crash</c>); the next fetch starts a new one.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(Akka.Actor.SupervisorStrategy.StoppingStrategy.Decider);

    /// <inheritdoc />
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Host.Fetch fetch:
                OnFetch(fetch);
                break;
            case Host.CrawlStarted started:
                OnCrawlStarted(started.CrawlId, Sender);
                break;
            case Host.EndCrawls end:
                _awaitingEnd.Add(Sender);
                foreach (var coordinator in _crawls.Keys)
                {
                    coordinator.Tell(new Crawl.CancelCrawl(end.Reason));
                }

                ReplyIfNoCrawls();
                break;
            case HostControl.LeaseRequested lease when _hostOf.TryGetValue(Sender, out var host):
                if (_budget.TryLease(host, lease.Connection))
                {
                    Sender.Tell(new HostControl.LeaseGranted(lease.Connection));
                }
                else
                {
                    _log.Debug("{Host} waits for a connection: all {Max} of the system's are leased", host, _budget.Max);
                    Sender.Tell(new HostControl.LeaseWaiting(lease.Connection));
                }

                UpdatePressure();
                break;
            case HostControl.LeaseReturned lease when _hostOf.TryGetValue(Sender, out var host):
                _log.Debug("{Host} gave back connection {Connection}", host, lease.Connection);
                if (_budget.Return(host, lease.Connection) is { } next)
                {
                    Grant(next);
                }

                UpdatePressure();
                break;
            case HostControl.Passivate when _hostOf.TryGetValue(Sender, out var host) && !_passivating.ContainsKey(host):
                _passivating[host] = [];
                Sender.Tell(HostControl.PassivateNow.Instance);
                break;
            case HostControl.StillBusy when _hostOf.TryGetValue(Sender, out var host) && _passivating.Remove(host, out var held):
                foreach (var waiting in held)
                {
                    Sender.Tell(waiting.Message, waiting.Sender);
                }

                break;
            case Terminated terminated:
                OnTerminated(terminated.ActorRef);
                break;
            case HostControl.LeaseRequested or HostControl.LeaseReturned or HostControl.Passivate or HostControl.StillBusy:
                break; // from an owner already gone
            default:
                Unhandled(message);
                break;
        }
    }

    private void OnFetch(Host.Fetch fetch)
    {
        if (_ended.Contains(fetch.CrawlId))
        {
            return; // a late fetch of a crawl that has ended: its sender is gone
        }

        var host = HostKey.Of(fetch.Url);
        if (_crawlsById.TryGetValue(fetch.CrawlId, out var crawl))
        {
            crawl.Hosts.Add(host);
        }

        Deliver(host, fetch, Sender);
    }

    private void OnCrawlStarted(string crawlId, IActorRef coordinator)
    {
        if (_crawlsById.ContainsKey(crawlId))
        {
            _log.Warning("A second crawl with the id {CrawlId} started; its hosts are shared with the first", crawlId);
            return;
        }

        var crawl = new CrawlHosts(crawlId);
        _crawls[coordinator] = crawl;
        _crawlsById[crawlId] = crawl;
        Context.Watch(coordinator);
    }

    private void ReplyIfNoCrawls()
    {
        if (_crawls.Count > 0)
        {
            return;
        }

        foreach (var waiter in _awaitingEnd)
        {
            waiter.Tell(Host.CrawlsEnded.Instance);
        }

        _awaitingEnd.Clear();
    }

    private void Deliver(string host, object message, IActorRef sender)
    {
        if (_passivating.TryGetValue(host, out var held))
        {
            held.Add(new Held(message, sender));
            return;
        }

        if (!_owners.TryGetValue(host, out var owner))
        {
            owner = Context.ActorOf(HostOwner.Props(host, _settings, _clock, _connectionFactory), ActorNames.Safe($"host-{++_incarnations}-{host}"));
            Context.Watch(owner);
            _owners[host] = owner;
            _hostOf[owner] = host;
        }

        owner.Tell(message, sender);
    }

    private void OnTerminated(IActorRef actor)
    {
        if (_crawls.Remove(actor, out var crawl))
        {
            _crawlsById.Remove(crawl.Id);
            Remember(crawl.Id);
            ReplyIfNoCrawls();
            foreach (var host in crawl.Hosts)
            {
                if (_owners.ContainsKey(host) || _passivating.ContainsKey(host))
                {
                    Deliver(host, new Host.CrawlEnded(crawl.Id), Self);
                }
            }

            return;
        }

        if (!_hostOf.Remove(actor, out var gone))
        {
            return;
        }

        _owners.Remove(gone);
        foreach (var next in _budget.Forget(gone))
        {
            Grant(next);
        }

        UpdatePressure();
        if (_passivating.Remove(gone, out var held))
        {
            // Messages that came while it passivated go to a new incarnation.
            foreach (var message in held.Where(h => h.Message is not Host.CrawlEnded))
            {
                Deliver(gone, message.Message, message.Sender);
            }
        }
    }

    private void Grant(Lease lease)
    {
        if (_owners.TryGetValue(lease.Host, out var owner))
        {
            owner.Tell(new HostControl.LeaseGranted(lease.Connection));
        }
        else
        {
            _budget.Forget(lease.Host);
        }
    }

    /// <summary>While leases wait, every owner holding some gives back what it leaves idle.</summary>
    private void UpdatePressure()
    {
        if (_budget.UnderPressure == _pressure)
        {
            return;
        }

        _pressure = _budget.UnderPressure;
        foreach (var host in _budget.Holders.ToList())
        {
            if (_owners.TryGetValue(host, out var owner))
            {
                owner.Tell(new HostControl.Pressure(_pressure));
            }
        }
    }

    private void Remember(string crawlId)
    {
        if (_ended.Add(crawlId))
        {
            _endedOrder.Enqueue(crawlId);
            if (_endedOrder.Count > EndedCrawlsKept)
            {
                _ended.Remove(_endedOrder.Dequeue());
            }
        }
    }

    /// <summary>A message held for a host whose owner passivates.</summary>
    private sealed record Held(object Message, IActorRef Sender);

    private sealed class CrawlHosts(string id)
    {
        public string Id { get; } = id;

        public HashSet<string> Hosts { get; } = new(StringComparer.Ordinal);
    }
}
