using System.Collections.Immutable;

namespace Crawler.Core.Politeness;

/// <summary>
/// The hosts of one crawl that asked to be slowed down (429 or 503). Only the crawl's <see cref="HostGovernor"/>
/// adds to it; fetchers read it before each first attempt, so that a request to a healthy host goes out at once
/// instead of waiting for a round trip through the governor (at a thousand planets that round trip was a fifth of
/// the crawl), while a request to a slowed host still asks the governor for its slot. A deliberate exception to
/// "no shared state": it is an immutable set behind one reference, and it only grows, since a host never speeds up
/// again; a fetcher that reads it just before a host is added sends one request unspaced, as if it had been in
/// flight already.
/// </summary>
public sealed class SlowedHosts
{
    private ImmutableHashSet<string> _hosts = ImmutableHashSet.Create<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>True when <paramref name="host"/> has been slowed down.</summary>
    public bool Contains(string host) => Volatile.Read(ref _hosts).Contains(host);

    /// <summary>Marks <paramref name="host"/> as slowed down (the governor only).</summary>
    internal void Add(string host) => ImmutableInterlocked.Update(ref _hosts, (set, h) => set.Add(h), host);
}
