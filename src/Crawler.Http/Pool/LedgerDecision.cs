namespace Crawler.Http.Pool;

/// <summary>What <see cref="ConnectionLedger{TRequest}.TryTake"/> decided; the caller (an actor) carries it out and
/// asks again until it gets null (nothing to do).</summary>
/// <typeparam name="TRequest">What the ledger queues.</typeparam>
internal abstract record LedgerDecision<TRequest>
{
    private LedgerDecision()
    {
    }

    /// <summary>Write <paramref name="Request"/> to <paramref name="Connection"/>, as <paramref name="Ticket"/>: the
    /// connection's reply carries the ticket, and <see cref="ConnectionLedger{TRequest}.Complete"/> takes it back.</summary>
    /// <param name="Ticket">The request's id towards the connection.</param>
    /// <param name="Request">The request.</param>
    /// <param name="Connection">An open connection with room for it.</param>
    public sealed record Send(long Ticket, TRequest Request, PooledConnection Connection) : LedgerDecision<TRequest>;

    /// <summary>A new connection is wanted (and already counted against the caps): lease it from the connection
    /// budget, start it, then call <see cref="ConnectionLedger{TRequest}.Opened"/>. The request that wants it stays
    /// queued.</summary>
    /// <param name="Connection">The new connection, <see cref="ConnectionState.Leasing"/>.</param>
    public sealed record Open(PooledConnection Connection) : LedgerDecision<TRequest>;

    /// <summary>Stop <paramref name="Connection"/>, an idle one of another origin or client, to make room under the
    /// per-host cap (the ledger has already forgotten it; its lease goes back to the budget).</summary>
    /// <param name="Connection">The connection to stop.</param>
    public sealed record Shed(PooledConnection Connection) : LedgerDecision<TRequest>;
}
