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
            try
            {
                config = HoconFile.Load(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
            {
                throw new UsageException(Directory.Exists(path) ? $"cannot read --config '{path}': it is a directory" : $"cannot read --config '{path}': {e.Message}");
            }
        }

        config = config.WithFallback(ProxyEnvironment(Environment.GetEnvironmentVariable)).WithFallback(Embedded()).WithFallback(CrawlerSettings.DefaultConfig());
        var built = Overrides(line, config).WithFallback(config);
        CheckLogLevels(built);
        return built;
    }

    /// <summary>Akka refuses an unknown log level only when the system starts, with an exception: say it first.</summary>
    private static void CheckLogLevels(Config config)
    {
        foreach (var key in new[] { "akka.loglevel", "akka.stdout-loglevel" })
        {
            var level = config.GetString(key, null);
            if (level is not null && level.ToUpperInvariant() is not ("DEBUG" or "INFO" or "WARNING" or "ERROR" or "OFF"))
            {
                throw new ConfigurationException($"{key} = \"{level}\" is not a log level (DEBUG, INFO, WARNING, ERROR or OFF)");
            }
        }
    }

    /// <summary>A duration of <paramref name="config"/>, or a <see cref="ConfigurationException"/> naming the key.</summary>
    private static TimeSpan Duration(Config config, string key)
    {
        try
        {
            return config.GetTimeSpan(key, null, false);
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException or InvalidCastException)
        {
            throw new ConfigurationException($"{key} = \"{config.GetString(key, null)}\" is not a duration (for example 10s or 500ms)");
        }
    }

    private static int Integer(Config config, string key)
    {
        try
        {
            return config.GetInt(key);
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException or InvalidCastException)
        {
            throw new ConfigurationException($"{key} = \"{config.GetString(key, null)}\" is not a whole number");
        }
    }

    private static Config Overrides(CommandLine line, Config configured)
    {
        var hocon = new HoconOverrides();
        if (line.TimeoutSeconds is { } seconds)
        {
            // --timeout S: each request at most S, so each phase of it at most S too; the planet (two requests,
            // each with its retries) at most 2 x (1 + max-retries) x S.
            var limit = TimeSpan.FromMilliseconds(Math.Max(1, (long)(seconds * 1000)));
            hocon.Duration("crawler.http.request-timeout", limit);
            foreach (var phase in new[] { "connect-timeout", "first-byte-timeout", "read-idle-timeout" })
            {
                var current = Duration(configured, $"crawler.http.{phase}");
                hocon.Duration($"crawler.http.{phase}", current < limit ? current : limit);
            }

            var attempts = 1 + Math.Max(0, line.Retries ?? Integer(configured, "crawler.retry.max-retries"));
            hocon.Duration("crawler.planet-timeout", 2 * attempts * limit);
        }

        // The demo's farm is one host: the system's hosts lift the per-host cap, or a farm of more than 8 planets would
        // queue.
        var perHost = line.MaxConnectionsPerHost ?? (line.Command == Command.Demo ? 0 : null);
        return hocon
            .Duration("crawler.deadline", line.DeadlineSeconds is { } deadline ? TimeSpan.FromMilliseconds(Math.Max(1, (long)(deadline * 1000))) : null)
            .Switch("crawler.sequential", line.Sequential ? true : null)
            .Text("crawler.article-selector", line.ArticleSelector)
            .Text("crawler.title-selector", line.TitleSelector)
            .Text("crawler.http.user-agent", line.UserAgent)
            .Number("crawler.http.max-connections-per-host", perHost)
            .Number("crawler.retry.max-retries", line.Retries)
            .Duration("crawler.min-host-delay", line.HostDelaySeconds is { } spacing ? TimeSpan.FromMilliseconds((long)(spacing * 1000)) : null)
            .Switch("crawler.http.pipelining", line.Pipelining ? true : null)
            .Switch("crawler.http.tls.insecure", line.Insecure ? true : null)
            .Switch("crawler.robots.enabled", line.IgnoreRobots ? false : null)
            .Text("crawler.http.proxy.url", line.Proxy)
            .Text("crawler.http.proxy.http", line.Proxy is null ? null : string.Empty) // --proxy wins over the variables
            .Text("crawler.http.proxy.https", line.Proxy is null ? null : string.Empty)
            .Text("crawler.http.proxy.no-proxy", line.NoProxy)
            .Text("akka.loglevel", line.Verbose ? "DEBUG" : null)
            .ToConfig();
    }

    /// <summary>The proxy variables curl reads, in either case (the lower-case one wins when both are set):
    /// <c>http_proxy</c>, <c>https_proxy</c>, <c>all_proxy</c>, <c>no_proxy</c>; under a --config file, over the
    /// defaults.</summary>
    internal static Config ProxyEnvironment(Func<string, string?> variable)
    {
        string? Read(string name) => variable(name) is { Length: > 0 } lower ? lower : variable(name.ToUpperInvariant()) is { Length: > 0 } upper ? upper : null;
        return new HoconOverrides()
            .Text("crawler.http.proxy.http", Read("http_proxy"))
            .Text("crawler.http.proxy.https", Read("https_proxy"))
            .Text("crawler.http.proxy.url", Read("all_proxy"))
            .Text("crawler.http.proxy.no-proxy", Read("no_proxy"))
            .ToConfig();
    }

    private static Config Embedded()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Crawler.crawler.conf")
            ?? throw new InvalidOperationException("the embedded crawler.conf is missing");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }

}
