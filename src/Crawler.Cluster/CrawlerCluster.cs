using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.Singleton;
using Akka.Configuration;
using Akka.DistributedData;

namespace Crawler.Cluster;

/// <summary>
/// Starts a cluster crawl's parts on an ActorSystem made with <see cref="Config"/>: on a worker, the crawl and host
/// regions (<see cref="StartWorker"/>); on a client, a proxy of the crawl region (<see cref="StartClient"/>).
/// </summary>
public static class CrawlerCluster
{
    private static readonly Lazy<Config> Node = new(() => ConfigurationFactory.FromResource("Crawler.Cluster.cluster.conf", typeof(CrawlerCluster).Assembly));
    private static readonly Lazy<Config> Member = new(() => ConfigurationFactory.FromResource("Crawler.Cluster.member.conf", typeof(CrawlerCluster).Assembly)
        .WithFallback(ClusterSharding.DefaultConfig())
        .WithFallback(ClusterSingleton.DefaultConfig())
        .WithFallback(DistributedData.DefaultConfig()));

    /// <summary>A crawler node's configuration (<c>cluster.conf</c>: the cluster, its roles and split-brain resolver)
    /// over <see cref="MemberConfig"/>, to go under the node's own.</summary>
    public static Config Config => Node.Value.WithFallback(Member.Value);

    /// <summary>What any member of a cluster that crawls needs (<c>member.conf</c>: the crawl messages' serializer,
    /// room in the remote frames) over the sharding, singleton and ddata defaults: for an application's own cluster.</summary>
    public static Config MemberConfig => Member.Value;

    /// <summary>Starts the crawl region (ledgers, remembered: a crawl restarts by itself after its node dies) and the
    /// host region (desks) on this worker node; returns the crawl region. Their sharding settings are
    /// <c>crawler.cluster.sharding</c> over <c>akka.cluster.sharding</c>, on role <see cref="ClusterCrawl.WorkerRole"/>.</summary>
    public static IActorRef StartWorker(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        var settings = ClusterSettings.Create(system);
        var sharding = ClusterSharding.Get(system);
        var config = system.Settings.Config;
        var shardingConfig = config.GetConfig("crawler.cluster.sharding").WithFallback(config.GetConfig("akka.cluster.sharding"));
        var shardingSettings = ClusterShardingSettings.Create(shardingConfig, config.GetConfig(shardingConfig.GetString("coordinator-singleton")))
            .WithRole(ClusterCrawl.WorkerRole);
        sharding.Start(ClusterCrawl.HostRegion, _ => HostDesk.Props(settings), shardingSettings.WithRememberEntities(false),
            new HostMessages(settings.Shards), sharding.DefaultShardAllocationStrategy(shardingSettings), HostDesk.Drain.Instance);
        return sharding.Start(ClusterCrawl.CrawlRegion, id => CrawlLedger.Props(id, settings), shardingSettings.WithRememberEntities(true),
            new CrawlMessages(settings.Shards));
    }

    /// <summary>Starts a proxy of the crawl region on a client node (no entities live there); returns it.</summary>
    public static IActorRef StartClient(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        var settings = ClusterSettings.Create(system);
        return ClusterSharding.Get(system).StartProxy(ClusterCrawl.CrawlRegion, ClusterCrawl.WorkerRole, new CrawlMessages(settings.Shards));
    }

    private sealed class CrawlMessages(int shards) : HashCodeMessageExtractor(shards)
    {
        public override string? EntityId(object message) => message switch
        {
            ClusterCrawl.Submit m => m.CrawlId,
            ClusterCrawl.AddPlanets m => m.CrawlId,
            ClusterCrawl.StepDone m => m.CrawlId,
            ClusterCrawl.StepMoved m => m.CrawlId,
            ClusterCrawl.GetResults m => m.CrawlId,
            ClusterCrawl.Cancel m => m.CrawlId,
            _ => null,
        };
    }

    private sealed class HostMessages(int shards) : HashCodeMessageExtractor(shards)
    {
        public override string? EntityId(object message) => message switch
        {
            ClusterCrawl.FetchStep step => step.Host,
            ClusterCrawl.DropCrawl drop => drop.Host,
            _ => null,
        };
    }
}
