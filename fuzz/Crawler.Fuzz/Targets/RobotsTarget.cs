using System.Text;
using Crawler.Core.Politeness;

namespace Crawler.Fuzz.Targets;

/// <summary>
/// The robots.txt parser and matcher: any body with any status gives rules (never an exception), a Crawl-delay that
/// is not negative, and an answer and an explanation for every path, including the paths the file itself names.
/// Byte 0 chooses the status (200, 404, 500, 403, 301, 429).
/// </summary>
internal static class RobotsTarget
{
    private static readonly int[] Statuses = [200, 200, 200, 404, 500, 403, 301, 429];

    public static void Run(ReadOnlySpan<byte> input)
    {
        if (input.Length < 1)
        {
            return;
        }

        var status = Statuses[input[0] % Statuses.Length];
        var body = input[1..];
        var rules = RobotsRules.FromResponse(status, body, "crawler", new Uri("http://127.0.0.1/robots.txt"));
        if (rules.CrawlDelay is { } delay && delay < TimeSpan.Zero)
        {
            throw new FuzzFinding($"a negative Crawl-delay ({delay})");
        }

        var text = Encoding.UTF8.GetString(body);
        var paths = text.Split('\n').Select(line => line[(line.IndexOf(':') + 1)..].Trim()).Where(p => p.Length > 0)
            .Take(32).Concat(["/", "/index.html", "/a/b?c=d", "/%7Euser/", "/*", "/$"]);
        foreach (var path in paths)
        {
            var allowed = rules.IsAllowed(path);
            var why = rules.Explain(path);
            if (string.IsNullOrEmpty(why))
            {
                throw new FuzzFinding($"'{path}' is {(allowed ? "allowed" : "disallowed")} with no explanation");
            }
        }
    }
}
