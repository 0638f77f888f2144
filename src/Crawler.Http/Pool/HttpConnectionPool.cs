using Akka.Actor;
using Akka.Event;
using Crawler.Http.Configuration;
using Crawler.Http.Connection;

namespace Crawler.Http.Pool;

/// <summary>
/// A pool of keep-alive connections per origin, shared by every actor that sends it <see cref="Http.Send"/>: it
/// answers each exactly as an <see cref="HttpClientConnection"/> would (one <see cref="Http.ResponseReceived"/> or
/// <see cref="Http.RequestFailed"/> with the sender's own request id). A request goes to a free connection of its
/// origin, or to a new one while the origin has fewer than <see cref="HttpClientSettings.MaxConnectionsPerHost"/> and
/// the pool fewer than <see cref="HttpClientSettings.MaxConnections"/> (0 = no limit); otherwise it waits for one to
/// be free. With pipelining on, a connection takes up to <see cref="HttpClientSettings.PipeliningDepth"/> requests.
/// The connections reconnect on their own when a server closes them, close idle sockets after the keep-alive
/// timeout, and are stopped (never restarted) if they throw: their requests then fail as <c>crash</c>.
/// The total never exceeds the process's open-file limit less a reserve (<see cref="OpenFileLimit"/>): a pool asked
/// for more says so in a warning and waits instead of failing sockets with "too many open files". An origin kept
/// waiting by the total limit gets the next connection that another origin leaves idle.
/// <para>One pool serves a whole ActorSystem (the crawler extension's): each crawl sends its requests through its own
/// <see cref="HttpPoolClient"/> as <see cref="ClientSend"/>, with its own settings (timeouts, TLS, user agent,
/// pipelining). Connections are never shared between clients, but the per-host cap of the pool's settings counts
/// every client's connections to a host, so politeness holds across crawls; a client may ask for a lower cap of its
/// own. When a client stops (its crawl ended or was cancelled) its connections are closed and its requests dropped.</para>
/// </summary>
public sealed class HttpConnectionPool : UntypedActor
{
    private readonly HttpClientSettings _settings;
    private readonly Func<IUntypedActorContext, Uri, HttpClientSettings, IActorRef> _connectionFactory;
    private readonly Dictionary<(string Origin, IActorRef Client), Origin> _origins = [];
    private readonly Dictionary<string, Host> _hosts = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<IActorRef> _clients = [];
    private readonly Dictionary<IActorRef, Slot> _slots = [];
    private readonly Dictionary<long, Pending> _pending = [];
    private readonly Dictionary<IActorRef, Exception> _crashes = [];
    private readonly Queue<Origin> _blocked = new();
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly int _maxConnections;
    private long _ids;
    private int _names;

    /// <summary>Creates the pool; prefer <see cref="Props"/>.</summary>
    public HttpConnectionPool(HttpClientSettings settings, Func<IUntypedActorContext, Uri, IActorRef>? connectionFactory)
    {
        _settings = settings;
        _maxConnections = OpenFileLimit.ConnectionCap(settings.MaxConnections, OpenFileLimit.Current(), out var lowered);
        if (lowered)
        {
            _log.Warning(
                "This process may open {0} files (ulimit -n): at most {1} connections at once, not crawler.http.max-connections = {2}; " +
                "raise the limit (ulimit -n {3}) for more", _maxConnections + OpenFileLimit.Reserve, _maxConnections,
                settings.MaxConnections, settings.MaxConnections + OpenFileLimit.Reserve);
        }

        _connectionFactory = connectionFactory is not null
            ? (context, url, _) => connectionFactory(context, url)
            : (context, url, profile) =>
                context.ActorOf(HttpClientConnection.PropsFor(url, profile), $"{HttpClientConnection.ActorName(url)}-{++_names}");
    }

    /// <inheritdoc />
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Http.Send send:
                OnSend(send, ActorRefs.Nobody, _settings);
                break;
            case ClientSend routed:
                OnClientSend(routed);
                break;
            case Http.ResponseReceived response:
                OnReply(response.RequestId, pending => response with { RequestId = pending.Send.RequestId });
                break;
            case Http.RequestFailed failed:
                OnReply(failed.RequestId, pending => failed with { Request = pending.Send });
                break;
            case Terminated terminated:
                OnTerminated(terminated);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    /// <summary>Props for a pool; <paramref name="connectionFactory"/> makes one connection actor for an origin
    /// (default: an <see cref="HttpClientConnection"/> child); tests pass probes.</summary>
    public static Props Props(HttpClientSettings settings, Func<IUntypedActorContext, Uri, IActorRef>? connectionFactory = null) =>
        Akka.Actor.Props.Create<HttpConnectionPool>(settings, connectionFactory);

    /// <summary>A request of one client of the pool (a crawl's <see cref="HttpPoolClient"/>), forwarded so that the
    /// reply goes to the original sender. The pool watches <paramref name="Client"/> and closes its connections when
    /// it stops.</summary>
    /// <param name="Send">The request.</param>
    /// <param name="Client">The client (one per crawl).</param>
    /// <param name="Settings">The client's settings for its connections.</param>
    public sealed record ClientSend(Http.Send Send, IActorRef Client, HttpClientSettings Settings) : INoSerializationVerificationNeeded;

    /// <summary>The origin key of a URL: <c>scheme://host:port</c>.</summary>
    public static string OriginOf(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return $"{url.Scheme}://{url.IdnHost}:{url.Port}";
    }

    /// <inheritdoc />
    protected override SupervisorStrategy SupervisorStrategy() => new CrashRecordingStrategy(_crashes);

    private static int Capacity(Origin origin) => origin.Settings.Pipelining ? origin.Settings.PipeliningDepth : 1;

    private void OnClientSend(ClientSend routed)
    {
        if (_clients.Add(routed.Client))
        {
            Context.Watch(routed.Client);
        }

        OnSend(routed.Send, routed.Client, routed.Settings);
    }

    private void OnSend(Http.Send send, IActorRef client, HttpClientSettings profile)
    {
        if (!send.Url.IsAbsoluteUri || (send.Url.Scheme != Uri.UriSchemeHttp && send.Url.Scheme != Uri.UriSchemeHttps))
        {
            Sender.Tell(send.Failed(HttpFailureKind.BadUrl, $"{send.Url} is not an http or https URL"));
            return;
        }

        var key = OriginOf(send.Url);
        if (!_origins.TryGetValue((key, client), out var origin))
        {
            if (!_hosts.TryGetValue(key, out var host))
            {
                host = new Host();
                _hosts[key] = host;
            }

            origin = new Origin(send.Url, client, profile, host);
            _origins[(key, client)] = origin;
            host.Origins.Add(origin);
        }

        origin.Waiting.Enqueue(new Pending(send, Sender, null));
        Dispatch(origin);
    }

    /// <summary>Gives the origin's waiting requests to free connections, opening new ones within the limits.</summary>
    private void Dispatch(Origin origin)
    {
        while (origin.Waiting.Count > 0)
        {
            var slot = TakeFree(origin) ?? Open(origin);
            if (slot is null)
            {
                return; // at a limit: the request waits for a reply to free a connection
            }

            var pending = origin.Waiting.Dequeue() with { Slot = slot };
            var id = ++_ids;
            _pending[id] = pending;
            slot.InFlight++;
            if (slot.InFlight < Capacity(origin))
            {
                origin.Free.Push(slot);
            }

            slot.Connection.Tell(pending.Send with { RequestId = id });
        }
    }

    /// <summary>A connection of the origin with room for one more request. The stack may hold connections that
    /// filled up or were removed since they were pushed; those are skipped here (a lazy deletion that keeps every
    /// step O(1) when a thousand connections serve one host).</summary>
    private Slot? TakeFree(Origin origin)
    {
        while (origin.Free.TryPop(out var slot))
        {
            if (slot.InFlight < Capacity(origin) && _slots.ContainsKey(slot.Connection))
            {
                return slot;
            }
        }

        return null;
    }

    private Slot? Open(Origin origin)
    {
        var own = origin.Settings.MaxConnectionsPerHost;
        if (own > 0 && origin.Slots.Count >= own)
        {
            return null; // its own replies free a connection
        }

        var shared = _settings.MaxConnectionsPerHost;
        if (shared > 0 && origin.Host.Connections >= shared && !CloseAnIdleConnectionOfTheHost(origin))
        {
            if (origin.Slots.Count < origin.Host.Connections)
            {
                Block(origin); // other clients hold the host's connections: wait for one to be idle
            }

            return null;
        }

        if (_maxConnections > 0 && _slots.Count >= _maxConnections && !CloseAnIdleConnectionElsewhere(origin))
        {
            Block(origin);
            return null;
        }

        var connection = _connectionFactory(Context, origin.Url, origin.Settings);
        Context.Watch(connection);
        var slot = new Slot(connection, origin);
        origin.Slots.Add(slot);
        origin.Host.Connections++;
        _slots[connection] = slot;
        return slot;
    }

    private void Block(Origin origin)
    {
        if (!origin.Blocked)
        {
            origin.Blocked = true;
            _blocked.Enqueue(origin);
        }
    }

    /// <summary>At the host's shared limit, an idle connection of another client to the same host makes room.</summary>
    private bool CloseAnIdleConnectionOfTheHost(Origin origin)
    {
        foreach (var other in origin.Host.Origins)
        {
            if (other != origin && other.Slots.FirstOrDefault(s => s.InFlight == 0) is { } idle)
            {
                Close(idle);
                return true;
            }
        }

        return false;
    }

    /// <summary>At the pool's limit, an idle connection of another origin makes room for this one.</summary>
    private bool CloseAnIdleConnectionElsewhere(Origin origin)
    {
        var idle = _slots.Values.FirstOrDefault(s => s.InFlight == 0 && s.Origin != origin);
        if (idle is null)
        {
            return false;
        }

        Close(idle);
        return true;
    }

    private void Close(Slot slot)
    {
        Remove(slot);
        Context.Unwatch(slot.Connection);
        Context.Stop(slot.Connection);
    }

    private void OnReply(long id, Func<Pending, object> translate)
    {
        if (!_pending.Remove(id, out var pending))
        {
            return; // a late reply for a request already failed when its connection stopped
        }

        var slot = pending.Slot!;
        if (slot.InFlight-- == Capacity(slot.Origin))
        {
            slot.Origin.Free.Push(slot);
        }

        pending.Requester.Tell(translate(pending));
        Dispatch(slot.Origin);
        if (slot.InFlight == 0)
        {
            WakeBlocked();
        }
    }

    /// <summary>Origins that the total limit kept waiting take connections freed (or left idle) elsewhere, in the
    /// order they were blocked, for as long as one makes progress.</summary>
    private void WakeBlocked()
    {
        while (_blocked.TryPeek(out var origin))
        {
            var waiting = origin.Waiting.Count;
            if (waiting > 0)
            {
                Dispatch(origin);
                if (origin.Waiting.Count == waiting)
                {
                    return; // no room anywhere yet: it stays first in line
                }

                if (origin.Waiting.Count > 0)
                {
                    continue; // served some: try for more while connections are free
                }
            }

            origin.Blocked = false;
            _blocked.Dequeue();
        }
    }

    private void OnTerminated(Terminated terminated)
    {
        if (_clients.Remove(terminated.ActorRef))
        {
            OnClientStopped(terminated.ActorRef);
            return;
        }

        if (!_slots.TryGetValue(terminated.ActorRef, out var slot))
        {
            return;
        }

        Remove(slot);
        var message = CrashRecordingStrategy.Describe(_crashes, terminated.ActorRef, $"connection to {slot.Origin.Url.GetLeftPart(UriPartial.Authority)}");
        _log.Warning("{Message}", message);
        foreach (var (id, pending) in _pending.Where(p => p.Value.Slot == slot).ToList())
        {
            _pending.Remove(id);
            pending.Requester.Tell(pending.Send.Failed(HttpFailureKind.Crash, message));
        }

        Dispatch(slot.Origin);
        WakeBlocked();
    }

    /// <summary>A client's crawl ended: its connections close and its requests are dropped (their senders, the
    /// crawl's fetchers, are gone with it).</summary>
    private void OnClientStopped(IActorRef client)
    {
        var origins = _origins.Where(o => o.Key.Client.Equals(client)).ToList();
        foreach (var (key, origin) in origins)
        {
            foreach (var slot in origin.Slots.ToList())
            {
                Close(slot);
            }

            origin.Waiting.Clear();
            origin.Host.Origins.Remove(origin);
            _origins.Remove(key);
        }

        foreach (var id in _pending.Where(p => p.Value.Slot!.Origin.Client.Equals(client)).Select(p => p.Key).ToList())
        {
            _pending.Remove(id);
        }

        WakeBlocked();
    }

    private void Remove(Slot slot)
    {
        slot.Origin.Slots.Remove(slot);
        slot.Origin.Host.Connections--;
        _slots.Remove(slot.Connection);
    }

    /// <summary>Every client's connections to one origin, counted against the shared per-host limit.</summary>
    private sealed class Host
    {
        public int Connections { get; set; }

        public List<Origin> Origins { get; } = [];
    }

    private sealed class Origin(Uri url, IActorRef client, HttpClientSettings settings, Host host)
    {
        public Uri Url { get; } = url;

        public IActorRef Client { get; } = client;

        public HttpClientSettings Settings { get; } = settings;

        public Host Host { get; } = host;

        public List<Slot> Slots { get; } = [];

        public Queue<Pending> Waiting { get; } = new();

        public Stack<Slot> Free { get; } = new();

        /// <summary>In the pool's queue of origins kept waiting by the total limit.</summary>
        public bool Blocked { get; set; }
    }

    private sealed class Slot(IActorRef connection, Origin origin)
    {
        public IActorRef Connection { get; } = connection;

        public Origin Origin { get; } = origin;

        public int InFlight { get; set; }
    }

    private sealed record Pending(Http.Send Send, IActorRef Requester, Slot? Slot);
}
