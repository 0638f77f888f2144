namespace Crawler.Core.Politeness;

/// <summary>
/// The robots.txt of each origin of one host, per product token (a server may answer different crawlers
/// differently), as a pure ledger owned by the <see cref="Hosts.HostOwner"/>: the rules once known, or the requests
/// waiting while robots.txt is fetched (for one crawl, whose request fetches it). When that crawl ends before the answer
/// came, the fetch is abandoned: the requests of other crawls that wait get a new fetch, under one of theirs.
/// </summary>
/// <typeparam name="TWaiter">A request that waits.</typeparam>
internal sealed class RobotsGate<TWaiter>
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Dictionary<long, Entry> _fetches = [];

    /// <summary>Requests waiting for a robots.txt.</summary>
    public int Waiting => _entries.Values.Sum(e => e.Waiting.Count);

    /// <summary>robots.txt fetches under way.</summary>
    public int Fetches => _fetches.Count;

    /// <summary>Every request waiting for a robots.txt.</summary>
    public IEnumerable<TWaiter> All() => _entries.Values.SelectMany(e => e.Waiting);

    /// <summary>The rules of <paramref name="origin"/> for <paramref name="token"/>, once known.</summary>
    public bool TryGet(string origin, string token, out RobotsRules? rules)
    {
        rules = _entries.TryGetValue(Key(origin, token), out var entry) ? entry.Rules : null;
        return rules is not null;
    }

    /// <summary>Parks <paramref name="waiter"/> until the rules are known; true when nobody is fetching them yet (the
    /// caller starts the fetch and calls <see cref="Fetching"/>).</summary>
    public bool Wait(string origin, string token, TWaiter waiter)
    {
        if (!_entries.TryGetValue(Key(origin, token), out var entry))
        {
            entry = new Entry(origin, token);
            _entries[Key(origin, token)] = entry;
        }

        entry.Waiting.Add(waiter);
        return entry.FetchId is null;
    }

    /// <summary>The fetch of <paramref name="origin"/>'s robots.txt for <paramref name="token"/> is request
    /// <paramref name="requestId"/>, made for <paramref name="crawlId"/>.</summary>
    public void Fetching(string origin, string token, long requestId, string crawlId)
    {
        var entry = _entries[Key(origin, token)];
        if (entry.FetchId is { } old)
        {
            _fetches.Remove(old);
        }

        entry.FetchId = requestId;
        entry.CrawlId = crawlId;
        _fetches[requestId] = entry;
    }

    /// <summary>The origin and token a fetch is for, if <paramref name="requestId"/> is one.</summary>
    public (string Origin, string Token)? FetchOf(long requestId) => _fetches.TryGetValue(requestId, out var entry) ? (entry.Origin, entry.Token) : null;

    /// <summary>The rules arrived: they are kept, and the requests that waited for them are returned.</summary>
    public List<TWaiter> Complete(string origin, string token, RobotsRules rules)
    {
        var entry = _entries[Key(origin, token)];
        if (entry.FetchId is { } id)
        {
            _fetches.Remove(id);
        }

        var waiting = entry.Waiting;
        _entries[Key(origin, token)] = new Entry(origin, token) { Rules = rules };
        return waiting;
    }

    /// <summary>A crawl ended: its waiting requests are dropped (returned), and each fetch made for it is abandoned;
    /// for each abandoned fetch that others still wait for, the first of them is returned to fetch it again.</summary>
    public (List<TWaiter> Dropped, List<(string Origin, string Token, TWaiter Next)> Refetch) Abandon(string crawlId, Func<TWaiter, bool> ofCrawl)
    {
        ArgumentNullException.ThrowIfNull(ofCrawl);
        var dropped = new List<TWaiter>();
        var refetch = new List<(string, string, TWaiter)>();
        foreach (var (key, entry) in _entries.Where(e => e.Value.Rules is null).ToList())
        {
            dropped.AddRange(entry.Waiting.Where(ofCrawl));
            entry.Waiting.RemoveAll(w => ofCrawl(w));
            if (entry.CrawlId != crawlId)
            {
                continue;
            }

            _fetches.Remove(entry.FetchId!.Value);
            entry.FetchId = null;
            entry.CrawlId = null;
            if (entry.Waiting.Count > 0)
            {
                refetch.Add((entry.Origin, entry.Token, entry.Waiting[0]));
            }
            else
            {
                _entries.Remove(key);
            }
        }

        return (dropped, refetch);
    }

    private static string Key(string origin, string token) => origin + " " + token;

    private sealed class Entry(string origin, string token)
    {
        public string Origin { get; } = origin;

        public string Token { get; } = token;

        public RobotsRules? Rules { get; init; }

        public List<TWaiter> Waiting { get; } = [];

        public long? FetchId { get; set; }

        public string? CrawlId { get; set; }
    }
}
