using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Configuration;

namespace Crawler.Cluster;

/// <summary>
/// Starts a cluster crawl's parts on an ActorSystem made with <see cref="Config"/>: on a worker, the crawl and host
/// regions (<see cref="StartWorker"/>); on a client, a proxy of the crawl region (<see cref="StartClient"/>).
/// </summary>
public static class CrawlerCluster
{
    private static readonly Lazy<Config> Embedded = new(() => ConfigurationFactory.FromResource("Crawler.Cluster.cluster.conf", typeof(CrawlerCluster).Assembly));

    /// <summary>The cluster defaults (<c>cluster.conf</c>) with Akka.Cluster.Sharding's under them, to go under a
    /// node's own configuration.</summary>
    public static Config Config => Embedded.Value.WithFallback(ClusterSharding.DefaultConfig());

    /// <summary>Starts the crawl region (ledgers, remembered: a crawl restarts by itself after its node dies) and the
    /// host region (desks) on this worker node; returns the crawl region.</summary>
    public static IActorRef StartWorker(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        var settings = ClusterSettings.Create(system);
        var sharding = ClusterSharding.Get(system);
        var shardingSettings = ClusterShardingSettings.Create(system).WithRole(ClusterCrawl.WorkerRole);
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
            ClusterCrawl.GetResults m => m.CrawlId,
            ClusterCrawl.Cancel m => m.CrawlId,
            _ => null,
        };
    }

    private sealed class HostMessages(int shards) : HashCodeMessageExtractor(shards)
    {
        public override string? EntityId(object message) => message is ClusterCrawl.FetchStep step ? step.Host : null;
    }
}
