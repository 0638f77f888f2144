using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Hosting.SBR;
using Akka.Hosting;
using Crawler.Cluster;
using Crawler.Journal;

namespace Crawler.Hosting;

/// <summary>What <see cref="CrawlerClusterHostingExtensions.WithCrawlerCluster"/> sets up.</summary>
public sealed class CrawlerClusterOptions
{
    /// <summary>This member runs crawls: it holds the desks (one per host in the whole cluster) and the crawls' ledgers,
    /// and needs the role <see cref="ClusterCrawl.WorkerRole"/> and a journal. False: it only submits and follows crawls
    /// (a proxy of the crawl region). Default true.</summary>
    public bool Worker { get; set; } = true;

    /// <summary>The cluster, when the application has not configured it itself (<c>WithClustering</c> of
    /// Akka.Cluster.Hosting is then called with it): the worker role is added for a worker, and the split-brain resolver
    /// defaults to keep-majority on that role. Null: the application's own <c>WithClustering</c> (or HOCON) forms the
    /// cluster.</summary>
    public ClusterOptions? Cluster { get; set; }

    /// <summary>The connection string of the ledgers' journal (Akka.Persistence.Sql), e.g. <c>Data Source=crawl.db</c>
    /// for SQLite or <c>Host=db;Database=crawler;Username=crawler;Password=...</c> for PostgreSQL, made the system's default
    /// journal and snapshot store. Null: the system's default journal, which the application configures.</summary>
    public string? JournalConnectionString { get; set; }

    /// <summary>The linq2db provider of <see cref="JournalConnectionString"/>: <c>SQLite.MS</c> (the default) or e.g.
    /// <c>PostgreSQL.15</c>.</summary>
    public string JournalProvider { get; set; } = JournalConfig.SqliteProvider;
}

/// <summary>The crawler on an application's Akka.Cluster, with Akka.Hosting.</summary>
public static class CrawlerClusterHostingExtensions
{
    /// <summary>The key <see cref="WithCrawlerCluster"/> sets in the system's HOCON.</summary>
    internal const string WithCrawlerClusterMark = "crawler-hosting.with-crawler-cluster";

    /// <summary>
    /// Makes this member crawl on its cluster: the crawl messages' serializer, the crawl and host regions (on a worker;
    /// a proxy on a client), and, with <see cref="CrawlerClusterOptions.Cluster"/>, the cluster itself. Use it with
    /// <see cref="CrawlerHostingExtensions.WithCrawler"/> (the crawler's settings); <see cref="CrawlerHostingExtensions.AddCrawler"/>
    /// then registers an <see cref="Core.Embedding.ICrawler"/> whose crawls run on the cluster
    /// (<see cref="ClusterCrawlerExtension"/>), and <see cref="CrawlRegion"/> is in the actor registry.
    /// </summary>
    /// <exception cref="InvalidOperationException">When the system starts: a worker without the worker role or without a
    /// journal, or a system that is not a cluster member.</exception>
    public static AkkaConfigurationBuilder WithCrawlerCluster(this AkkaConfigurationBuilder builder, Action<CrawlerClusterOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new CrawlerClusterOptions();
        configure?.Invoke(options);
        if (options.Cluster is { } cluster)
        {
            if (options.Worker && !(cluster.Roles ?? []).Contains(ClusterCrawl.WorkerRole))
            {
                cluster.Roles = [.. cluster.Roles ?? [], ClusterCrawl.WorkerRole];
            }

            cluster.SplitBrainResolver ??= new KeepMajorityOption { Role = ClusterCrawl.WorkerRole };
            builder.WithClustering(cluster);
        }

        var hocon = Akka.Configuration.ConfigurationFactory.ParseString($"{WithCrawlerClusterMark} = on");
        if (options.JournalConnectionString is { } journal)
        {
            hocon = hocon.WithFallback(JournalConfig.For(journal, options.JournalProvider));
        }

        builder.AddHocon(hocon, HoconAddMode.Prepend);
        builder.AddHocon(CrawlerCluster.MemberConfig, HoconAddMode.Append);
        return builder.WithActors((system, registry) =>
        {
            Check(system, options.Worker);
            registry.Register<CrawlRegion>(options.Worker ? CrawlerCluster.StartWorker(system) : CrawlerCluster.StartClient(system));
        });
    }

    private static void Check(ActorSystem system, bool worker)
    {
        var config = system.Settings.Config;
        if (((ExtendedActorSystem)system).Provider is not Akka.Cluster.ClusterActorRefProvider)
        {
            throw new InvalidOperationException("WithCrawlerCluster needs a cluster: call WithClustering (Akka.Cluster.Hosting) or set CrawlerClusterOptions.Cluster");
        }

        if (!worker)
        {
            return;
        }

        if (!Akka.Cluster.Cluster.Get(system).SelfRoles.Contains(ClusterCrawl.WorkerRole))
        {
            throw new InvalidOperationException(
                $"a crawler worker needs the cluster role '{ClusterCrawl.WorkerRole}': add it to the roles of WithClustering, or set CrawlerClusterOptions.Worker = false");
        }

        if (string.IsNullOrWhiteSpace(config.GetString("akka.persistence.journal.plugin")))
        {
            throw new InvalidOperationException(
                "a crawler worker keeps its crawls' ledgers in a journal: set CrawlerClusterOptions.JournalConnectionString, or configure the system's default journal");
        }
    }
}

/// <summary>The key of the crawl region (or its proxy) in the actor registry: <c>registry.Get&lt;CrawlRegion&gt;()</c>,
/// or <c>IRequiredActor&lt;CrawlRegion&gt;</c>.</summary>
public sealed class CrawlRegion
{
    private CrawlRegion()
    {
    }
}
