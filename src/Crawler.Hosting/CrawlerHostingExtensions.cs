using Akka.Actor;
using Akka.Hosting;
using Crawler.Cluster;
using Crawler.Core;
using Crawler.Core.Embedding;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Crawler.Hosting;

/// <summary>What <see cref="CrawlerHostingExtensions.WithCrawler"/> adds to the system's <c>crawler</c> settings.
/// Both are optional; the embedded reference.conf gives every default, and the system's own HOCON is kept unless
/// these set the same key.</summary>
public sealed class CrawlerHostingOptions
{
    /// <summary>A configuration section (e.g. <c>Configuration.GetSection("Crawler")</c> of appsettings.json) whose
    /// keys are <c>crawler.*</c> keys, in PascalCase or as written in HOCON: <c>ArticleSelector</c>,
    /// <c>Http:ConnectTimeout</c> (<c>"5s"</c>), <c>Http:MaxConnectionsPerHost</c>, <c>Planets:0</c>. It wins over
    /// <see cref="Hocon"/>.</summary>
    public IConfiguration? Configuration { get; set; }

    /// <summary>HOCON of the <c>crawler</c> section's keys, relative to it (<c>http.connect-timeout = 5s</c>).</summary>
    public string? Hocon { get; set; }
}

/// <summary>The crawler in an Akka.Hosting application.</summary>
public static class CrawlerHostingExtensions
{
    /// <summary>
    /// Adds the crawler to the ActorSystem being configured: its settings (from <paramref name="configure"/>'s
    /// <see cref="IConfiguration"/> section and HOCON, over the system's HOCON, over the embedded reference.conf) and
    /// its extension, started with the system (<c>system.Crawler()</c>, with the system's shared connection pool).
    /// Register <see cref="ICrawler"/> in DI with <see cref="AddCrawler"/>.
    /// </summary>
    /// <exception cref="Akka.Configuration.ConfigurationException">A setting is bad, when the system starts; the
    /// message names the key.</exception>
    public static AkkaConfigurationBuilder WithCrawler(this AkkaConfigurationBuilder builder, Action<CrawlerHostingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new CrawlerHostingOptions();
        configure?.Invoke(options);
        var hocon = Akka.Configuration.ConfigurationFactory.Empty;
        if (options.Configuration is not null)
        {
            hocon = ConfigurationHocon.FromSection(options.Configuration);
        }

        if (!string.IsNullOrWhiteSpace(options.Hocon))
        {
            hocon = hocon.WithFallback(Akka.Configuration.ConfigurationFactory.ParseString("crawler {\n" + options.Hocon + "\n}"));
        }

        // The mark AddCrawler looks for: without it, this configuration would silently not be there.
        hocon = hocon.WithFallback(Akka.Configuration.ConfigurationFactory.ParseString($"{WithCrawlerMark} = on"));
        builder.AddHocon(hocon, HoconAddMode.Prepend);
        return builder.AddStartup((system, _) => system.Crawler());
    }

    /// <summary>
    /// Registers <see cref="ICrawler"/>: the crawler of the application's ActorSystem (from Akka.Hosting's
    /// <c>AddAkka</c>, whose configuration must call <see cref="WithCrawler"/>); with
    /// <see cref="CrawlerClusterHostingExtensions.WithCrawlerCluster"/> too, its crawls run on the cluster. The host's start fails with an
    /// <see cref="InvalidOperationException"/> that says so when it does not: the crawler's configuration section and
    /// HOCON would otherwise be silently ignored.
    /// </summary>
    public static IServiceCollection AddCrawler(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddHostedService<CrawlerStartupCheck>();
        return services.AddSingleton<ICrawler>(provider => Crawler(provider.GetRequiredService<ActorSystem>()));
    }

    /// <summary>The key <see cref="WithCrawler"/> sets in the system's HOCON.</summary>
    internal const string WithCrawlerMark = "crawler-hosting.with-crawler";

    internal static ICrawler Crawler(ActorSystem system)
    {
        var config = system.Settings.Config;
        if (!config.HasPath(WithCrawlerMark) || !config.GetBoolean(WithCrawlerMark))
        {
            throw new InvalidOperationException(
                "AddCrawler registers the crawler of the ActorSystem that AddAkka configures, but that configuration does not call " +
                "WithCrawler: add akka.WithCrawler(...) to AddAkka, or the crawler's configuration section and HOCON are not applied");
        }

        var onCluster = config.HasPath(CrawlerClusterHostingExtensions.WithCrawlerClusterMark) && config.GetBoolean(CrawlerClusterHostingExtensions.WithCrawlerClusterMark);
        return onCluster ? system.ClusterCrawler() : system.Crawler();
    }

    /// <summary>Checks, once every hosted service has started (the ActorSystem among them), that the system was
    /// configured with <see cref="WithCrawler"/>, and starts the crawler there: a bad setting or a missing half fails
    /// the host's start, not the first request.</summary>
    private sealed class CrawlerStartupCheck(IServiceProvider services) : IHostedLifecycleService
    {
        public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartedAsync(CancellationToken cancellationToken)
        {
            _ = services.GetRequiredService<ICrawler>();
            return Task.CompletedTask;
        }

        public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
