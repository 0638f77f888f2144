using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Crawler.Cluster;
using Crawler.Core;
using Crawler.Core.Embedding;
using Crawler.SampleSite;
using Crawler.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Crawler.Hosting.Tests;

/// <summary>The crawler on an Akka.Hosting application's own cluster: three hosts on 127.0.0.1 (two workers and a client
/// that only submits), one SQLite journal, a farm on eight host addresses.</summary>
public sealed class CrawlerClusterHostingSpecs : IAsyncLifetime
{
    private const int Planets = 24;
    private readonly string _folder = Directory.CreateTempSubdirectory("crawler-hosting-cluster-").FullName;
    private readonly List<IHost> _hosts = [];
    private PlanetFarm _farm = null!;

    public async Task InitializeAsync() =>
        _farm = await PlanetFarm.StartAsync(new PlanetFarmOptions(Planets, TimeSpan.FromMilliseconds(50)) { Hosts = 8 });

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.StopAsync();
            host.Dispose();
        }

        await _farm.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // a handle not yet let go: the temp folder is cleaned by the machine
        }
    }

    [Fact]
    public async Task Icrawler_from_di_crawls_on_the_cluster_over_its_workers()
    {
        var ports = FreePorts.Many(3);
        var seed = $"akka.tcp://hosted@127.0.0.1:{ports[0]}";
        var journal = $"Data Source={Path.Combine(_folder, "journal.db")}";
        for (var i = 0; i < 3; i++)
        {
            var worker = i < 2;
            var port = ports[i];
            var builder = Host.CreateApplicationBuilder();
            builder.Services.AddAkka("hosted", akka => akka
                .AddHocon("akka.loglevel = WARNING", HoconAddMode.Prepend)
                .WithRemoting("127.0.0.1", port)
                .WithCrawler(c => c.Hocon = "robots.enabled = off\nhttp.max-connections-per-host = 1")
                .WithCrawlerCluster(c =>
                {
                    c.Worker = worker;
                    c.Cluster = new ClusterOptions
                    {
                        SeedNodes = [seed],
                        Roles = worker ? ["crawling-app"] : ["frontend"],
                        MinimumNumberOfMembersPerRole = new Dictionary<string, int> { [ClusterCrawl.WorkerRole] = 2 },
                    };
                    c.JournalConnectionString = worker ? journal : null;
                }));
            builder.Services.AddCrawler();
            var host = builder.Build();
            _hosts.Add(host);
            await host.StartAsync();
        }

        var client = _hosts[2].Services.GetRequiredService<ICrawler>();
        Assert.IsType<ClusterCrawlerExtension>(client);
        var report = await client.CrawlAsync(_farm.PlanetUrls, new CrawlOptions { CrawlId = "hosted" }).WaitAsync(TimeSpan.FromSeconds(90));

        Assert.Equal((Planets, Planets, "hosted"), (report.Summary.Total, report.Summary.Ok, report.CrawlId));
        Assert.Equal(Enumerable.Range(0, Planets), report.Results.Select(r => r.Index));
        Assert.All(report.Results, r => Assert.Equal(_farm.PlanetUrls[r.Index], r.Planet));
        Assert.Equal(2 * Planets, _farm.RequestCount);
        Assert.All(_farm.PeakConcurrencyByHost, host => Assert.Equal(1, host.Value)); // one desk per host, its cap 1, cluster-wide

        // The desks live on the two workers only, one per host.
        var desks = new List<(int Node, string Host)>();
        for (var node = 0; node < 2; node++)
        {
            var system = _hosts[node].Services.GetRequiredService<ActorSystem>();
            var state = await Akka.Cluster.Sharding.ClusterSharding.Get(system).ShardRegion(ClusterCrawl.HostRegion)
                .Ask<Akka.Cluster.Sharding.CurrentShardRegionState>(Akka.Cluster.Sharding.GetShardRegionState.Instance, TimeSpan.FromSeconds(10));
            desks.AddRange(state.Shards.SelectMany(shard => shard.EntityIds).Select(host => (node, host)));
        }

        Assert.Equal(8, desks.Select(d => d.Host).Distinct().Count());
        Assert.Equal(8, desks.Count);

        // The crawl region is in the registry of every member (a proxy on the client).
        var registry = _hosts[2].Services.GetRequiredService<ActorRegistry>();
        Assert.True(registry.TryGet<CrawlRegion>(out var region) && !region.IsNobody());
    }

    [Fact]
    public async Task A_worker_without_a_journal_fails_the_start_and_says_so()
    {
        var port = FreePorts.One();
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddAkka("hosted-bad", akka => akka
            .AddHocon("akka.loglevel = OFF", HoconAddMode.Prepend)
            .WithRemoting("127.0.0.1", port)
            .WithCrawler()
            .WithCrawlerCluster(c => c.Cluster = new ClusterOptions { SeedNodes = [$"akka.tcp://hosted-bad@127.0.0.1:{port}"] }));
        builder.Services.AddCrawler();
        var host = builder.Build();
        _hosts.Add(host);

        var error = await Record.ExceptionAsync(() => host.StartAsync());

        Assert.NotNull(error);
        Assert.Contains("JournalConnectionString", error.ToString(), StringComparison.Ordinal);
    }
}
