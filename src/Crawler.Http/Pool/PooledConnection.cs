namespace Crawler.Http.Pool;

/// <summary>Which connections a request may use: those of its origin (<c>scheme://host:port</c>) opened for its client
/// (one crawl; connections are never shared between clients, which may have different settings).</summary>
/// <param name="Origin">The origin, as <see cref="Origins.Of"/> writes it.</param>
/// <param name="Client">The client's id.</param>
internal sealed record ConnectionKey(string Origin, string Client);

/// <summary>Where a connection of a <see cref="ConnectionLedger{TRequest}"/> is in its life.</summary>
internal enum ConnectionState : byte
{
    /// <summary>Counted against the caps, waiting for a lease of the system's connection budget; not yet an actor.</summary>
    Leasing,

    /// <summary>An actor that takes requests (it opens and reopens its socket on its own).</summary>
    Open,
}

/// <summary>One connection of a ledger: its id, its key, how many requests it takes at once (1, or the pipelining
/// depth), and the tickets of the requests it has in flight.</summary>
internal sealed class PooledConnection
{
    internal PooledConnection(long id, ConnectionKey key, int depth)
    {
        Id = id;
        Key = key;
        Depth = depth;
    }

    /// <summary>The ledger's id of the connection.</summary>
    public long Id { get; }

    /// <summary>Its origin and client.</summary>
    public ConnectionKey Key { get; }

    /// <summary>How many requests it takes at once (lowered to 1 when its server turns out not to pipeline).</summary>
    public int Depth { get; internal set; }

    /// <summary>Leasing or open.</summary>
    public ConnectionState State { get; internal set; }

    /// <summary>The tickets of the requests written to it and not yet answered.</summary>
    internal List<long> Tickets { get; } = new(1); // at most the pipelining depth: a list beats a set

    /// <summary>How many requests it has in flight.</summary>
    public int InFlight => Tickets.Count;

    internal bool HasRoom => State == ConnectionState.Open && Tickets.Count < Depth;

    /// <inheritdoc />
    public override string ToString() => $"connection {Id} ({Key.Origin}, {Key.Client}, {State}, {InFlight}/{Depth})";
}

/// <summary>Origin keys.</summary>
internal static class Origins
{
    /// <summary>The origin of a URL: <c>scheme://host:port</c>, the host lower-cased and in its ASCII (IDN) form.</summary>
    public static string Of(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return $"{url.Scheme}://{url.IdnHost.ToLowerInvariant()}:{url.Port}";
    }
}
