using System.Collections.Immutable;
using Crawler.Http;
using Crawler.Http.Pool;

namespace Crawler.Core.Politeness;

/// <summary>
/// The robots.txt rules of one crawl, by origin (<c>http://host:port</c>). Only the crawl's <see cref="RobotsKeeper"/>
/// adds to it; fetchers read it before each request, so that only the first requests to an origin wait for its
/// robots.txt. Like <see cref="SlowedHosts"/>, a deliberate, read-mostly exception to "no shared state": an immutable
/// map behind one reference that only grows.
/// </summary>
public sealed class RobotsCache
{
    private ImmutableDictionary<string, RobotsRules> _rules = ImmutableDictionary.Create<string, RobotsRules>(StringComparer.OrdinalIgnoreCase);

    /// <summary>The origin key of a URL (<see cref="HttpConnectionPool.OriginOf"/>).</summary>
    public static string OriginOf(Uri url) => HttpConnectionPool.OriginOf(url);

    /// <summary>The rules of <paramref name="url"/>'s origin, if its robots.txt has been read.</summary>
    public bool TryGet(Uri url, out RobotsRules? rules) => Volatile.Read(ref _rules).TryGetValue(OriginOf(url), out rules);

    /// <summary>Stores the rules of an origin (the keeper only).</summary>
    internal void Set(string origin, RobotsRules rules) =>
        ImmutableInterlocked.Update(ref _rules, (map, entry) => map.SetItem(entry.Origin, entry.Rules), (Origin: origin, Rules: rules));
}
