namespace Crawler.Http.Pool;

/// <summary>
/// The connections of a whole ActorSystem, as leases: every connection of every host holds one, and there are at most
/// <c>max</c> (<c>crawler.http.max-connections</c>, lowered below the open-file limit by <see cref="OpenFileLimit"/>).
/// A lease that cannot be granted waits, first come first served, for one to come back; while any waits the budget is
/// <see cref="UnderPressure"/>, and hosts are asked to give back the connections they leave idle. Pure.
/// </summary>
/// <param name="max">The most leases at once (0 = no limit).</param>
internal sealed class ConnectionBudget(int max)
{
    private readonly Dictionary<string, int> _leases = new(StringComparer.Ordinal);
    private readonly LinkedList<Lease> _waiting = new();
    private int _leased;

    /// <summary>The most leases at once (0 = no limit).</summary>
    public int Max => max;

    /// <summary>Leases granted and not returned.</summary>
    public int Leased => _leased;

    /// <summary>True while a lease waits: hosts should give back idle connections.</summary>
    public bool UnderPressure => _waiting.Count > 0;

    /// <summary>The hosts holding leases.</summary>
    public IEnumerable<string> Holders => _leases.Keys;

    /// <summary>Asks for a lease for <paramref name="connection"/> of <paramref name="host"/>: true when granted now,
    /// false when it waits (it is granted later by <see cref="Return"/>).</summary>
    public bool TryLease(string host, long connection)
    {
        if (max > 0 && _leased >= max)
        {
            _waiting.AddLast(new Lease(host, connection));
            return false;
        }

        Grant(host);
        return true;
    }

    /// <summary><paramref name="host"/> is done with <paramref name="connection"/>: a lease still waiting is withdrawn;
    /// a granted one comes back, and the first lease waiting, now granted, is returned.</summary>
    public Lease? Return(string host, long connection)
    {
        for (var node = _waiting.First; node is not null; node = node.Next)
        {
            if (node.Value == new Lease(host, connection))
            {
                _waiting.Remove(node);
                return null;
            }
        }

        if (!_leases.TryGetValue(host, out var held))
        {
            return null;
        }

        Release(host, held, 1);
        return GrantWaiting();
    }

    /// <summary><paramref name="host"/> is gone: its leases come back and its waiting ones are withdrawn; the leases
    /// now granted to others are returned.</summary>
    public List<Lease> Forget(string host)
    {
        for (var node = _waiting.First; node is not null;)
        {
            var next = node.Next;
            if (node.Value.Host == host)
            {
                _waiting.Remove(node);
            }

            node = next;
        }

        var granted = new List<Lease>();
        if (_leases.TryGetValue(host, out var held))
        {
            Release(host, held, held);
            while (GrantWaiting() is { } next)
            {
                granted.Add(next);
            }
        }

        return granted;
    }

    private Lease? GrantWaiting()
    {
        if (_waiting.First is not { } first || (max > 0 && _leased >= max))
        {
            return null;
        }

        _waiting.RemoveFirst();
        Grant(first.Value.Host);
        return first.Value;
    }

    private void Grant(string host)
    {
        _leases[host] = _leases.GetValueOrDefault(host) + 1;
        _leased++;
    }

    private void Release(string host, int held, int count)
    {
        _leased -= count;
        if (held == count)
        {
            _leases.Remove(host);
        }
        else
        {
            _leases[host] = held - count;
        }
    }
}

/// <summary>A connection's lease: which host holds it, for which of its connections.</summary>
/// <param name="Host">The host.</param>
/// <param name="Connection">The host owner's id of the connection.</param>
internal sealed record Lease(string Host, long Connection);
