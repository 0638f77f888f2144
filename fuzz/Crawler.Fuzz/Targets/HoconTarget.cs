using System.Text;
using Akka.Configuration;
using Crawler.Core.Configuration;

namespace Crawler.Fuzz.Targets;

/// <summary>
/// HOCON from users. With byte 0 even the rest is a <c>--config</c> file: reading it strictly and building the
/// settings either succeeds or throws <see cref="ConfigurationException"/> (which the host turns into one line and
/// exit 2), nothing else. With byte 0 odd the rest is a value given on the command line (a user agent, a selector, a
/// list of trusted certificates): the overrides built from it must read back as exactly that value.
/// </summary>
internal static class HoconTarget
{
    public static void Run(ReadOnlySpan<byte> input)
    {
        if (input.Length < 1)
        {
            return;
        }

        var text = Encoding.UTF8.GetString(input[1..]);
        if ((input[0] & 1) == 0)
        {
            File(text);
        }
        else
        {
            Override(text);
        }
    }

    private static void File(string text)
    {
        try
        {
            var config = HoconFile.Parse("fuzz.conf", text);
            HoconFile.CheckCrawlerKeys(config, "fuzz.conf", text.Split('\n'));
            var crawler = config.WithFallback(CrawlerSettings.DefaultConfig()).GetConfig("crawler");
            if (crawler is not null)
            {
                _ = CrawlerSettings.Create(crawler);
            }
        }
        catch (ConfigurationException)
        {
            // One line and exit 2: what the host does.
        }
    }

    private static void Override(string value)
    {
        var config = new HoconOverrides()
            .Text("crawler.user-agent", value)
            .List("crawler.http.trusted-certificates", [value, value])
            .Text(HoconOverrides.Path(["crawler", "fuzz", value]), value)
            .ToConfig();
        // Akka's HOCON drops the whitespace around a quoted string (as HTTP drops it around a field value): the
        // rest must come back exactly.
        value = value.Trim();
        var read = config.GetString("crawler.user-agent");
        if (read != value)
        {
            throw new FuzzFinding($"the override {HoconOverrides.Quote(value)} reads back as {HoconOverrides.Quote(read ?? "null")}");
        }

        var list = config.GetStringList("crawler.http.trusted-certificates").Select(v => v.Trim()).ToList();
        if (list.Count != 2 || list.Any(v => v != value))
        {
            throw new FuzzFinding($"the list override of {HoconOverrides.Quote(value)} reads back as [{string.Join(", ", list)}]");
        }
    }
}
