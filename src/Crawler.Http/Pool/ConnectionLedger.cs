namespace Crawler.Http.Pool;

/// <summary>
/// The connections of one host and the requests waiting for them, as a pure ledger that returns decisions (akka-http's
/// slot logic, "decoupled from the machinery bits"): the actor that owns it only tells, watches and stops. A request
/// waits in a lane (lower lanes first; within a lane, first come first served across origins and clients) until a
/// connection of its key has room: a free one is reused (keep-alive), a new one is opened while the client's own cap
/// and the host's shared cap allow (0 = no cap), and at the shared cap an idle connection of another key is shed to
/// make room. Each client's connections take <c>depth</c> requests at once (1, or the pipelining depth). Everything is
/// indexed so that a reply, a lost connection or a departed client costs what it touches, never a scan of the rest.
/// </summary>
/// <typeparam name="TRequest">What a waiting request is to the owner.</typeparam>
internal sealed class ConnectionLedger<TRequest>
{
    private readonly int _maxPerHost;
    private readonly List<KeyQueue>[] _lanes;
    private readonly Dictionary<ConnectionKey, KeyQueue>[] _queues;
    private readonly Dictionary<string, Client> _clients = new(StringComparer.Ordinal);
    private readonly Dictionary<ConnectionKey, KeyConnections> _byKey = [];
    private readonly Dictionary<long, PooledConnection> _connections = [];
    private readonly Dictionary<long, InFlightEntry> _inFlight = [];
    private readonly HashSet<PooledConnection> _idle = [];
    private readonly HashSet<string> _oneAtATime = new(StringComparer.Ordinal);
    private long _ids;
    private long _tickets;
    private long _arrivals;
    private int _waiting;

    /// <summary>A ledger with <paramref name="lanes"/> priority lanes, for a host that may have at most
    /// <paramref name="maxPerHost"/> connections across all its clients (0 = no cap).</summary>
    public ConnectionLedger(int maxPerHost, int lanes = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxPerHost);
        ArgumentOutOfRangeException.ThrowIfLessThan(lanes, 1);
        _maxPerHost = maxPerHost;
        _lanes = [.. Enumerable.Range(0, lanes).Select(_ => new List<KeyQueue>())];
        _queues = [.. Enumerable.Range(0, lanes).Select(_ => new Dictionary<ConnectionKey, KeyQueue>())];
    }

    /// <summary>Requests waiting for a connection.</summary>
    public int Waiting => _waiting;

    /// <summary>Requests written to a connection and not yet answered.</summary>
    public int InFlight => _inFlight.Count;

    /// <summary>Connections, leasing or open.</summary>
    public int Connections => _connections.Count;

    /// <summary>Nothing waiting, nothing in flight, no connection.</summary>
    public bool IsEmpty => _waiting == 0 && _inFlight.Count == 0 && _connections.Count == 0;

    /// <summary>Every request the ledger holds, waiting or in flight.</summary>
    public IEnumerable<TRequest> All() =>
        _queues.SelectMany(lane => lane.Values).SelectMany(q => q.Items.Select(i => i.Request)).Concat(_inFlight.Values.Select(e => e.Request));

    /// <summary>The connection with <paramref name="connectionId"/>, if the ledger knows it.</summary>
    public PooledConnection? Connection(long connectionId) => _connections.GetValueOrDefault(connectionId);

    /// <summary>True when a connection of <paramref name="key"/> is on its way (leasing) for the requests that wait for
    /// one: they wait for it, not for a cap.</summary>
    public bool IsConnectionComing(ConnectionKey key) => _byKey.TryGetValue(key, out var connections) && connections.Leasing > 0;

    /// <summary>True when <paramref name="client"/> is known.</summary>
    public bool HasClient(string client) => _clients.ContainsKey(client);

    /// <summary>Makes <paramref name="client"/> known: its connections take <paramref name="depth"/> requests at once,
    /// and it holds at most <paramref name="ownCap"/> connections to the host (0 = only the shared cap).</summary>
    public void AddClient(string client, int depth, int ownCap)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        _clients.TryAdd(client, new Client(depth, ownCap));
    }

    /// <summary>From now on every connection to <paramref name="origin"/>, of every client, takes one request at a time
    /// (its server does not answer pipelined requests); connections with more in flight take no more until they are
    /// down to none. False when the origin was already known to.</summary>
    public bool OneAtATime(string origin)
    {
        if (!_oneAtATime.Add(origin))
        {
            return false;
        }

        foreach (var connection in _connections.Values.Where(c => c.Key.Origin == origin))
        {
            connection.Depth = 1;
        }

        return true;
    }

    /// <summary>True when connections to <paramref name="origin"/> take one request at a time whatever their client's depth.</summary>
    public bool IsOneAtATime(string origin) => _oneAtATime.Contains(origin);

    /// <summary>Queues <paramref name="request"/> for a connection of <paramref name="key"/> (whose client must be
    /// known), in <paramref name="lane"/>.</summary>
    public void Enqueue(ConnectionKey key, int lane, TRequest request)
    {
        if (!_clients.ContainsKey(key.Client))
        {
            throw new InvalidOperationException($"unknown client {key.Client}");
        }

        if (!_queues[lane].TryGetValue(key, out var queue))
        {
            queue = new KeyQueue(key);
            _queues[lane][key] = queue;
            _lanes[lane].Add(queue);
        }

        queue.Items.Enqueue(new Arrival(++_arrivals, request));
        _waiting++;
    }

    /// <summary>The next thing to do for the waiting requests: send one, open a connection, or shed one; null when
    /// there is nothing to do (every waiting request is blocked by a cap, or none is waiting).</summary>
    public LedgerDecision<TRequest>? TryTake()
    {
        for (var lane = 0; lane < _lanes.Length; lane++)
        {
            var queues = _lanes[lane];
            var tried = 0;
            while (tried < queues.Count)
            {
                // First come, first served: the key whose head arrived first, among those not yet found blocked.
                var queue = Earliest(queues, tried);
                var decision = TryPlace(lane, queue);
                if (decision is not null)
                {
                    return decision;
                }

                // Blocked: move it behind the others tried, so that the next round looks at the rest.
                queues.Remove(queue);
                queues.Insert(tried++, queue);
            }
        }

        return null;
    }

    /// <summary>The lease of <paramref name="connectionId"/> was granted and its actor started: it takes requests.</summary>
    public void Opened(long connectionId)
    {
        if (_connections.TryGetValue(connectionId, out var connection) && connection.State == ConnectionState.Leasing)
        {
            connection.State = ConnectionState.Open;
            _byKey[connection.Key].Leasing--;
            _byKey[connection.Key].Free.Push(connection);
            _idle.Add(connection);
        }
    }

    /// <summary>The reply to <paramref name="ticket"/> arrived: its connection has room again. False for a ticket
    /// the ledger no longer knows (its connection was lost or its client left).</summary>
    public bool Complete(long ticket, out TRequest request, out PooledConnection? connection)
    {
        if (!_inFlight.Remove(ticket, out var entry))
        {
            (request, connection) = (default!, null);
            return false;
        }

        (request, connection) = (entry.Request, entry.Connection);
        var wasFull = !entry.Connection.HasRoom;
        entry.Connection.Tickets.Remove(ticket);
        if (wasFull && entry.Connection.HasRoom)
        {
            _byKey[entry.Connection.Key].Free.Push(entry.Connection);
        }

        if (entry.Connection.InFlight == 0 && entry.Connection.State == ConnectionState.Open)
        {
            _idle.Add(entry.Connection);
        }

        return true;
    }

    /// <summary>A connection is gone (it crashed, or was stopped): its in-flight requests, which will get no reply
    /// from it, are returned to the caller.</summary>
    public List<TRequest> Lost(long connectionId)
    {
        if (!_connections.TryGetValue(connectionId, out var connection))
        {
            return [];
        }

        var orphans = connection.Tickets.Select(t => _inFlight[t].Request).ToList();
        Forget(connection);
        return orphans;
    }

    /// <summary>An idle open connection of any key, forgotten so that its lease can serve another host (the total
    /// budget is spent); null when none is idle.</summary>
    public PooledConnection? ShedIdle()
    {
        var idle = _idle.FirstOrDefault();
        if (idle is not null)
        {
            Forget(idle);
        }

        return idle;
    }

    /// <summary>A client left (its crawl ended): its connections (to stop) and its requests, waiting or in flight (to
    /// drop), are taken out.</summary>
    public (List<PooledConnection> Connections, List<TRequest> Requests) RemoveClient(string client)
    {
        if (!_clients.Remove(client, out var state))
        {
            return ([], []);
        }

        var requests = new List<TRequest>();
        var connections = state.Connections.ToList();
        foreach (var connection in connections)
        {
            requests.AddRange(connection.Tickets.Select(t => _inFlight[t].Request));
            Forget(connection);
        }

        for (var lane = 0; lane < _lanes.Length; lane++)
        {
            foreach (var queue in _lanes[lane].Where(q => q.Key.Client == client).ToList())
            {
                requests.AddRange(queue.Items.Select(i => i.Request));
                _waiting -= queue.Items.Count;
                _lanes[lane].Remove(queue);
                _queues[lane].Remove(queue.Key);
            }
        }

        return (connections, requests);
    }

    private LedgerDecision<TRequest>? TryPlace(int lane, KeyQueue queue)
    {
        var key = queue.Key;
        var client = _clients[key.Client];
        var connections = KeyConnectionsOf(key);
        if (TakeFree(connections) is { } free)
        {
            var request = Dequeue(lane, queue).Request;
            var ticket = ++_tickets;
            free.Tickets.Add(ticket);
            _idle.Remove(free);
            if (free.HasRoom)
            {
                connections.Free.Push(free);
            }

            _inFlight[ticket] = new InFlightEntry(request, free);
            return new LedgerDecision<TRequest>.Send(ticket, request, free);
        }

        // Connections already on their way cover as many requests as they will take.
        var depth = _oneAtATime.Contains(key.Origin) ? 1 : client.Depth;
        if (connections.Leasing * depth >= WaitingFor(key))
        {
            return null;
        }

        if (client.OwnCap > 0 && client.Connections.Count >= client.OwnCap)
        {
            return null; // its own replies free a connection
        }

        if (_maxPerHost > 0 && _connections.Count >= _maxPerHost)
        {
            var idle = _idle.FirstOrDefault(c => c.Key != key);
            if (idle is null)
            {
                return null; // the host's connections are busy: wait for a reply
            }

            Forget(idle);
            return new LedgerDecision<TRequest>.Shed(idle);
        }

        var opened = new PooledConnection(++_ids, key, depth) { State = ConnectionState.Leasing };
        _connections[opened.Id] = opened;
        client.Connections.Add(opened);
        connections.Leasing++;
        return new LedgerDecision<TRequest>.Open(opened);
    }

    private int WaitingFor(ConnectionKey key)
    {
        var count = 0;
        for (var lane = 0; lane < _lanes.Length; lane++)
        {
            if (_queues[lane].TryGetValue(key, out var queue))
            {
                count += queue.Items.Count;
            }
        }

        return count;
    }

    /// <summary>A connection of the key with room. The stack may hold connections that filled up or were forgotten
    /// since they were pushed; those are skipped here (a lazy deletion that keeps every step O(1) when a thousand
    /// connections serve one host).</summary>
    private PooledConnection? TakeFree(KeyConnections connections)
    {
        while (connections.Free.TryPop(out var connection))
        {
            if (connection.HasRoom && _connections.ContainsKey(connection.Id))
            {
                return connection;
            }
        }

        return null;
    }

    private Arrival Dequeue(int lane, KeyQueue queue)
    {
        var item = queue.Items.Dequeue();
        _waiting--;
        if (queue.Items.Count == 0)
        {
            _lanes[lane].Remove(queue);
            _queues[lane].Remove(queue.Key);
        }

        return item;
    }

    private void Forget(PooledConnection connection)
    {
        _connections.Remove(connection.Id);
        _idle.Remove(connection);
        foreach (var ticket in connection.Tickets)
        {
            _inFlight.Remove(ticket);
        }

        connection.Tickets.Clear();
        if (_clients.TryGetValue(connection.Key.Client, out var client))
        {
            client.Connections.Remove(connection);
        }

        if (connection.State == ConnectionState.Leasing)
        {
            _byKey[connection.Key].Leasing--;
        }
    }

    private KeyConnections KeyConnectionsOf(ConnectionKey key)
    {
        if (!_byKey.TryGetValue(key, out var connections))
        {
            connections = new KeyConnections();
            _byKey[key] = connections;
        }

        return connections;
    }

    private static KeyQueue Earliest(List<KeyQueue> queues, int from)
    {
        var best = queues[from];
        for (var i = from + 1; i < queues.Count; i++)
        {
            if (queues[i].Items.Peek().Order < best.Items.Peek().Order)
            {
                best = queues[i];
            }
        }

        return best;
    }

    private sealed class KeyQueue(ConnectionKey key)
    {
        public ConnectionKey Key { get; } = key;

        public Queue<Arrival> Items { get; } = new();
    }

    // Classes, not tuples: generic code over reference types is shared and precompiled, so none of it is JIT-compiled
    // at start-up.
    private sealed record Arrival(long Order, TRequest Request);

    private sealed record InFlightEntry(TRequest Request, PooledConnection Connection);

    private sealed class KeyConnections
    {
        public Stack<PooledConnection> Free { get; } = new();

        public int Leasing { get; set; }
    }

    private sealed class Client(int depth, int ownCap)
    {
        public int Depth { get; } = depth;

        public int OwnCap { get; } = ownCap;

        public HashSet<PooledConnection> Connections { get; } = [];
    }
}
