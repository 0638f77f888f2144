using Akka.Actor;
using Akka.Hosting;
using Crawler.Core;
using Crawler.Core.Embedding;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

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

        if (!hocon.IsEmpty)
        {
            builder.AddHocon(hocon, HoconAddMode.Prepend);
        }

        return builder.AddStartup((system, _) => system.Crawler());
    }

    /// <summary>Registers <see cref="ICrawler"/>: the crawler of the application's ActorSystem (from Akka.Hosting's
    /// <c>AddAkka</c>).</summary>
    public static IServiceCollection AddCrawler(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.AddSingleton<ICrawler>(provider => provider.GetRequiredService<ActorSystem>().Crawler());
    }
}
