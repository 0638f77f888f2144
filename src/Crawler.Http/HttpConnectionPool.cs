using Akka.Actor;
using Akka.Event;

namespace Crawler.Http;

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
/// </summary>
public sealed class HttpConnectionPool : UntypedActor
{
    private readonly HttpClientSettings _settings;
    private readonly Func<IUntypedActorContext, Uri, IActorRef> _connectionFactory;
    private readonly Dictionary<string, Origin> _origins = new(StringComparer.OrdinalIgnoreCase);
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

        _connectionFactory = connectionFactory ?? ((context, url) =>
            context.ActorOf(HttpClientConnection.PropsFor(url, settings), $"{HttpClientConnection.ActorName(url)}-{++_names}"));
    }

    /// <inheritdoc />
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Http.Send send:
                OnSend(send);
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

    /// <summary>The origin key of a URL: <c>scheme://host:port</c>.</summary>
    public static string OriginOf(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return $"{url.Scheme}://{url.IdnHost}:{url.Port}";
    }

    /// <inheritdoc />
    protected override SupervisorStrategy SupervisorStrategy() => new CrashRecordingStrategy(_crashes);

    private int Capacity => _settings.Pipelining ? _settings.PipeliningDepth : 1;

    private void OnSend(Http.Send send)
    {
        if (!send.Url.IsAbsoluteUri || (send.Url.Scheme != Uri.UriSchemeHttp && send.Url.Scheme != Uri.UriSchemeHttps))
        {
            Sender.Tell(send.Failed(ErrorKind.BadUrl, $"{send.Url} is not an http or https URL"));
            return;
        }

        var key = OriginOf(send.Url);
        if (!_origins.TryGetValue(key, out var origin))
        {
            origin = new Origin(send.Url);
            _origins[key] = origin;
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
            if (slot.InFlight < Capacity)
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
            if (slot.InFlight < Capacity && _slots.ContainsKey(slot.Connection))
            {
                return slot;
            }
        }

        return null;
    }

    private Slot? Open(Origin origin)
    {
        if (_settings.MaxConnectionsPerHost > 0 && origin.Slots.Count >= _settings.MaxConnectionsPerHost)
        {
            return null;
        }

        if (_maxConnections > 0 && _slots.Count >= _maxConnections && !CloseAnIdleConnectionElsewhere(origin))
        {
            if (!origin.Blocked)
            {
                origin.Blocked = true;
                _blocked.Enqueue(origin);
            }

            return null;
        }

        var connection = _connectionFactory(Context, origin.Url);
        Context.Watch(connection);
        var slot = new Slot(connection, origin);
        origin.Slots.Add(slot);
        _slots[connection] = slot;
        return slot;
    }

    /// <summary>At the pool's limit, an idle connection of another origin makes room for this one.</summary>
    private bool CloseAnIdleConnectionElsewhere(Origin origin)
    {
        var idle = _slots.Values.FirstOrDefault(s => s.InFlight == 0 && s.Origin != origin);
        if (idle is null)
        {
            return false;
        }

        Remove(idle);
        Context.Unwatch(idle.Connection);
        Context.Stop(idle.Connection);
        return true;
    }

    private void OnReply(long id, Func<Pending, object> translate)
    {
        if (!_pending.Remove(id, out var pending))
        {
            return; // a late reply for a request already failed when its connection stopped
        }

        var slot = pending.Slot!;
        if (slot.InFlight-- == Capacity)
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
            pending.Requester.Tell(pending.Send.Failed(ErrorKind.Crash, message));
        }

        Dispatch(slot.Origin);
        WakeBlocked();
    }

    private void Remove(Slot slot)
    {
        slot.Origin.Slots.Remove(slot);
        _slots.Remove(slot.Connection);
    }

    private sealed class Origin(Uri url)
    {
        public Uri Url { get; } = url;

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
