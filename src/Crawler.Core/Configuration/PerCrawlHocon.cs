using System.Globalization;
using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace Crawler.Core.Configuration;

/// <summary>
/// Checks the HOCON one crawl sets over its system's <c>crawler</c> section (<see cref="Embedding.CrawlOptions.Hocon"/>):
/// every key must be one the crawl can apply. Refused, each with a message naming the key and saying why: a key the
/// reference configuration does not have (a typo would otherwise be ignored), the keys of what every crawl of the
/// system shares (set in the system's HOCON), and a per-host connection cap above the system's (its hosts never open
/// more, so the crawl would silently get less than it asked for).
/// </summary>
internal static class PerCrawlHocon
{
    /// <summary>Keys read once per system, for every crawl in it, and why a crawl cannot set them.</summary>
    private static readonly Dictionary<string, string> SystemWide = new(StringComparer.Ordinal)
    {
        ["http.max-connections"] = "the connections of all the system's crawls together",
        ["host-idle-timeout"] = "how long the system's host owners, shared by every crawl, keep what they know",
        ["stop-system-on-completion"] = "an embedded crawl never stops its system",
        ["planets"] = "a crawl's planets are the ones it is started with",
        ["dispatcher"] = "every crawler actor of the system runs on one dispatcher, the hosts' included",
    };

    private const string PerHostKey = "http.max-connections-per-host";

    /// <summary>Parses <paramref name="hocon"/> (relative to the <c>crawler</c> section) and checks every key in it
    /// against <paramref name="system"/> (the system's <c>crawler</c> section).</summary>
    /// <returns>The parsed configuration.</returns>
    /// <exception cref="ConfigurationException">It does not parse, or a key cannot apply to one crawl.</exception>
    public static Config Check(string hocon, Config system)
    {
        ArgumentNullException.ThrowIfNull(hocon);
        ArgumentNullException.ThrowIfNull(system);
        Config config;
        try
        {
            config = ConfigurationFactory.ParseString(hocon);
        }
        catch (Exception e) when (e is not ConfigurationException)
        {
            throw new ConfigurationException($"the crawl's HOCON does not parse: {e.Message}", e);
        }

        var reference = CrawlerSettings.DefaultConfig().GetConfig("crawler");
        foreach (var key in Leaves(config.Root, string.Empty))
        {
            if (!reference.HasPath(key))
            {
                throw new ConfigurationException($"crawler.{key} is not a crawler setting (see reference.conf)");
            }

            if (SystemWide.TryGetValue(key, out var why))
            {
                throw new ConfigurationException(
                    $"crawler.{key} cannot be set for one crawl ({why}); set it in the ActorSystem's HOCON");
            }

            if (key == PerHostKey)
            {
                CheckPerHostCap(config.GetInt(key), system.GetInt(PerHostKey));
            }
        }

        return config;
    }

    private static void CheckPerHostCap(int asked, int system)
    {
        if (system == 0 || (asked > 0 && asked <= system))
        {
            return;
        }

        var wanted = asked == 0 ? "no cap (0)" : asked.ToString(CultureInfo.InvariantCulture);
        throw new ConfigurationException(
            $"crawler.{PerHostKey} = {wanted} cannot be set for one crawl: the system's hosts open at most {system} connections " +
            $"per host for all its crawls together; a crawl may only lower it (set crawler.{PerHostKey} in the ActorSystem's HOCON)");
    }

    /// <summary>The dotted paths of the values (not objects) under <paramref name="value"/>.</summary>
    internal static IEnumerable<string> Leaves(HoconValue value, string prefix)
    {
        if (!value.IsObject())
        {
            yield return prefix;
            yield break;
        }

        foreach (var (name, child) in value.GetObject().Items)
        {
            foreach (var leaf in Leaves(child, prefix.Length == 0 ? name : $"{prefix}.{name}"))
            {
                yield return leaf;
            }
        }
    }
}
