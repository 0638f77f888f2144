using System.Globalization;

namespace Crawler.Core.Politeness;

/// <summary>
/// The rules of one robots.txt (RFC 9309) for one crawler: the group of the crawler's product token, or else the
/// <c>*</c> group; allow and disallow patterns with <c>*</c> and <c>$</c>; the longest matching pattern wins, an allow
/// wins a tie; <c>/robots.txt</c> itself is always allowed. Also the group's <c>Crawl-delay</c> (not in the RFC, but
/// widely honoured). Pure.
/// </summary>
internal sealed class RobotsRules
{
    /// <summary>Rules that allow everything (no robots.txt, or a 4xx for it: RFC 9309 §2.3.1.3).</summary>
    public static readonly RobotsRules AllowAll = new([], null, "no robots.txt rules apply");

    /// <summary>Rules that allow nothing (robots.txt answered 5xx: RFC 9309 §2.3.1.4).</summary>
    public static RobotsRules DisallowAll(string why) => new([(false, "/")], null, why);

    /// <summary>The RFC asks crawlers to parse at least the first 500 KiB.</summary>
    public const int MaxBytes = 500 * 1024;

    private readonly IReadOnlyList<(bool Allow, string Pattern)> _rules;

    private RobotsRules(IReadOnlyList<(bool Allow, string Pattern)> rules, TimeSpan? crawlDelay, string source)
    {
        _rules = rules;
        CrawlDelay = crawlDelay;
        Source = source;
    }

    /// <summary>The group's Crawl-delay, if it has one.</summary>
    public TimeSpan? CrawlDelay { get; }

    /// <summary>Where the rules come from, for messages.</summary>
    public string Source { get; }

    /// <summary>The rules a response for robots.txt gives (RFC 9309 §2.3.1): a 2xx is parsed (its first
    /// <see cref="MaxBytes"/>, as UTF-8), a 5xx disallows everything, any other status allows everything.</summary>
    public static RobotsRules FromResponse(int status, ReadOnlySpan<byte> body, string productToken, Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return status switch
        {
            >= 200 and < 300 => Parse(System.Text.Encoding.UTF8.GetString(body[..Math.Min(body.Length, MaxBytes)]), productToken, url.ToString()),
            >= 500 => DisallowAll($"{url} (it answered {status}, so everything is disallowed: RFC 9309 §2.3.1.4)"),
            _ => AllowAll,
        };
    }

    /// <summary>Parses robots.txt <paramref name="text"/> for the crawler whose product token is
    /// <paramref name="productToken"/> (e.g. <c>Crawler</c>).</summary>
    public static RobotsRules Parse(string text, string productToken, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        var own = new List<(bool, string)>();
        var any = new List<(bool, string)>();
        TimeSpan? ownDelay = null, anyDelay = null;
        bool hasOwn = false, hasAny = false;
        var agents = new List<string>();
        var inRules = false;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw;
            var hash = line.IndexOf('#', StringComparison.Ordinal);
            if (hash >= 0)
            {
                line = line[..hash];
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                continue;
            }

            var key = line[..colon].Trim().ToLowerInvariant();
            var value = line[(colon + 1)..].Trim();
            if (key == "user-agent")
            {
                // A user-agent line after rules starts a new group (RFC 9309 §2.1).
                if (inRules)
                {
                    agents.Clear();
                    inRules = false;
                }

                agents.Add(value.ToLowerInvariant());
                continue;
            }

            if (key is not ("allow" or "disallow" or "crawl-delay") || agents.Count == 0)
            {
                continue;
            }

            inRules = true;
            var isOwn = agents.Contains(productToken.ToLowerInvariant());
            var isAny = agents.Contains("*");
            hasOwn |= isOwn;
            hasAny |= isAny;
            if (key == "crawl-delay")
            {
                if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
                {
                    var delay = TimeSpan.FromSeconds(Math.Min(seconds, 86_400));
                    if (isOwn)
                    {
                        ownDelay = delay;
                    }

                    if (isAny)
                    {
                        anyDelay = delay;
                    }
                }

                continue;
            }

            if (value.Length == 0)
            {
                continue; // "Disallow:" with no path allows everything
            }

            var rule = (key == "allow", value);
            if (isOwn)
            {
                own.Add(rule);
            }

            if (isAny)
            {
                any.Add(rule);
            }
        }

        return hasOwn ? new RobotsRules(own, ownDelay, source) : hasAny ? new RobotsRules(any, anyDelay, source) : new RobotsRules([], null, source);
    }

    /// <summary>True when the crawler may fetch <paramref name="pathAndQuery"/>.</summary>
    public bool IsAllowed(string pathAndQuery)
    {
        ArgumentNullException.ThrowIfNull(pathAndQuery);
        if (pathAndQuery.Equals("/robots.txt", StringComparison.Ordinal))
        {
            return true;
        }

        var bestLength = -1;
        var allowed = true;
        foreach (var (allow, pattern) in _rules)
        {
            if (!Matches(pattern, pathAndQuery))
            {
                continue;
            }

            if (pattern.Length > bestLength || (pattern.Length == bestLength && allow))
            {
                bestLength = pattern.Length;
                allowed = allow;
            }
        }

        return allowed;
    }

    /// <summary>The rule that decides <paramref name="pathAndQuery"/>, for messages.</summary>
    public string Explain(string pathAndQuery)
    {
        var best = _rules.Where(r => Matches(r.Pattern, pathAndQuery)).OrderByDescending(r => r.Pattern.Length).ThenByDescending(r => r.Allow)
            .Select(r => $"{(r.Allow ? "Allow" : "Disallow")}: {r.Pattern}").FirstOrDefault();
        return best ?? "no rule";
    }

    /// <summary>RFC 9309 §2.2.3: <c>*</c> matches any sequence, a final <c>$</c> anchors the end; otherwise a prefix match.</summary>
    private static bool Matches(string pattern, string path)
    {
        var anchored = pattern.EndsWith('$');
        var body = anchored ? pattern[..^1] : pattern;
        return Match(body, 0, path, 0, anchored);
    }

    private static bool Match(string pattern, int p, string path, int s, bool anchored)
    {
        while (p < pattern.Length)
        {
            if (pattern[p] == '*')
            {
                // Collapse runs of '*', then try every split.
                while (p < pattern.Length && pattern[p] == '*')
                {
                    p++;
                }

                if (p == pattern.Length)
                {
                    return true;
                }

                for (var k = s; k <= path.Length; k++)
                {
                    if (Match(pattern, p, path, k, anchored))
                    {
                        return true;
                    }
                }

                return false;
            }

            if (s >= path.Length || pattern[p] != path[s])
            {
                return false;
            }

            p++;
            s++;
        }

        return !anchored || s == path.Length;
    }
}
