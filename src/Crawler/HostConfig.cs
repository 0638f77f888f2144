using System.Globalization;
using System.Reflection;
using Akka.Configuration;
using Crawler.Core;
using Crawler.Core.Configuration;

namespace Crawler;

/// <summary>Builds the host's HOCON: command-line options over <c>--config FILE</c> over the embedded
/// <c>crawler.conf</c> over the library's <c>reference.conf</c>. Nothing depends on the working directory.</summary>
internal static class HostConfig
{
    public static Config Build(CommandLine line)
    {
        var config = ConfigurationFactory.Empty;
        if (line.ConfigFile is { } path)
        {
            string text;
            try
            {
                text = File.ReadAllText(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
            {
                throw new UsageException($"cannot read --config '{path}': {e.Message}");
            }

            try
            {
                config = config.WithFallback(ConfigurationFactory.ParseString(text));
            }
            catch (Exception e) when (e is not UsageException)
            {
                throw new UsageException($"--config '{path}' is not valid HOCON: {FirstLine(e.Message)}");
            }
        }

        config = config.WithFallback(Embedded()).WithFallback(CrawlerSettings.DefaultConfig());
        return Overrides(line, config).WithFallback(config);
    }

    private static Config Overrides(CommandLine line, Config configured)
    {
        var hocon = new List<string>();
        if (line.TimeoutSeconds is { } seconds)
        {
            // --timeout S: each request at most S, so each phase of it at most S too; the planet (two requests,
            // each with its retries) at most 2 x (1 + max-retries) x S.
            var ms = Math.Max(1, (long)(seconds * 1000));
            hocon.Add(Invariant($"crawler.http.request-timeout = {ms}ms"));
            foreach (var phase in new[] { "connect-timeout", "first-byte-timeout", "read-idle-timeout" })
            {
                var current = (long)configured.GetTimeSpan($"crawler.http.{phase}", null, false).TotalMilliseconds;
                hocon.Add(Invariant($"crawler.http.{phase} = {Math.Min(current, ms)}ms"));
            }

            var attempts = 1 + Math.Max(0, configured.GetInt("crawler.retry.max-retries"));
            hocon.Add(Invariant($"crawler.planet-timeout = {2 * attempts * ms}ms"));
        }

        if (line.DeadlineSeconds is { } deadline)
        {
            hocon.Add(Invariant($"crawler.deadline = {Math.Max(1, (long)(deadline * 1000))}ms"));
        }

        if (line.Sequential)
        {
            hocon.Add("crawler.sequential = on");
        }

        if (line.ArticleSelector is { } article)
        {
            hocon.Add($"crawler.article-selector = {Quote(article)}");
        }

        if (line.TitleSelector is { } title)
        {
            hocon.Add($"crawler.title-selector = {Quote(title)}");
        }

        if (line.UserAgent is { } agent)
        {
            hocon.Add($"crawler.http.user-agent = {Quote(agent)}");
        }

        if (line.MaxConnectionsPerHost is { } perHost)
        {
            hocon.Add(Invariant($"crawler.http.max-connections-per-host = {perHost}"));
        }
        else if (line.Command == Command.Demo)
        {
            // The demo's farm is one host: the system's shared pool lifts the per-host cap, or a farm of more than
            // 8 planets would queue.
            hocon.Add("crawler.http.max-connections-per-host = 0");
        }

        if (line.Pipelining)
        {
            hocon.Add("crawler.http.pipelining = on");
        }

        if (line.Insecure)
        {
            hocon.Add("crawler.http.tls.insecure = on");
        }

        if (line.IgnoreRobots)
        {
            hocon.Add("crawler.robots.enabled = off");
        }

        if (line.Verbose)
        {
            hocon.Add("akka.loglevel = DEBUG");
        }

        return ConfigurationFactory.ParseString(string.Join('\n', hocon));
    }

    private static Config Embedded()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Crawler.crawler.conf")
            ?? throw new InvalidOperationException("the embedded crawler.conf is missing");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }

    /// <summary>A HOCON quoted string (JSON escaping is valid HOCON).</summary>
    private static string Quote(string value) => System.Text.Json.JsonSerializer.Serialize(value, QuoteOptions);

    private static readonly System.Text.Json.JsonSerializerOptions QuoteOptions =
        new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();
}
