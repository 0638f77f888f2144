using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Crawler.Core;
using Crawler.Journal;
using Crawler.SampleSite;
using Crawler.Testing;
using Npgsql;

namespace Crawler.Cluster.Tests;

/// <summary>
/// A cluster crawl's ledger in a real PostgreSQL server (Debian's package, started by the spec on 127.0.0.1): the same
/// Akka.Persistence.Sql plugin as SQLite, provider <c>PostgreSQL.15</c>. A node records a crawl there; a new node (a
/// new ActorSystem, nothing in memory) recovers it from the server without fetching again.
/// </summary>
public sealed class PostgresJournalSpecs
{
    [SkippableFact]
    public async Task A_crawl_recorded_in_postgresql_is_recovered_whole_by_a_new_node()
    {
        Skip.If(PostgresServer.BinFolder is null && !PostgresServer.Required, "PostgreSQL is not installed (.ci/run installs it)");
        await using var postgres = await PostgresServer.StartAsync();
        await using var farm = await PlanetFarm.StartAsync(new PlanetFarmOptions(12, TimeSpan.FromMilliseconds(20)) { Hosts = 4 });
        var journal = JournalConfig.For(postgres.ConnectionString, "PostgreSQL.15");

        var first = await StartNodeAsync(journal);
        var report = await ClusterCrawler.CrawlAsync(first, "in-postgres", farm.PlanetUrls).WaitAsync(TimeSpan.FromSeconds(60));
        await first.Terminate();
        Assert.Equal((12, 12), (report.Summary.Total, report.Summary.Ok));
        Assert.Equal(24, farm.RequestCount);

        await using (var connection = new NpgsqlConnection(postgres.ConnectionString))
        {
            await connection.OpenAsync();
            await using var count = new NpgsqlCommand("select count(*) from journal where persistence_id = @id", connection);
            count.Parameters.AddWithValue("id", CrawlLedger.PersistenceIdOf("in-postgres"));
            // The submit, then each planet's article found and its result: each (planet, stage) once.
            Assert.Equal(1 + (2 * 12), Convert.ToInt32(await count.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture));
        }

        var second = await StartNodeAsync(journal);
        try
        {
            var region = Akka.Cluster.Sharding.ClusterSharding.Get(second).ShardRegion(ClusterCrawl.CrawlRegion);
            var page = await region.Ask<ClusterCrawl.Results>(new ClusterCrawl.GetResults("in-postgres", 0), TimeSpan.FromSeconds(30));
            Assert.True(page is { Known: true, Finished: true }, postgres.Log());
            Assert.Equal(report.Results.Select(r => r with { CrawlId = string.Empty, Timings = [] }), page.Items.OrderBy(r => r.Index).Select(r => r with { Timings = [] }));
            Assert.Equal(24, farm.RequestCount); // recovered, not fetched again
        }
        finally
        {
            await second.Terminate();
        }
    }

    private static async Task<ActorSystem> StartNodeAsync(Config journal)
    {
        var system = ActorSystem.Create("pg", ConfigurationFactory.ParseString("""
                akka.loglevel = WARNING
                akka.remote.dot-netty.tcp.port = 0
                crawler.robots.enabled = off
                """)
            .WithFallback(CrawlerCluster.Config)
            .WithFallback(journal));
        var cluster = Akka.Cluster.Cluster.Get(system);
        cluster.Join(cluster.SelfAddress);
        CrawlerCluster.StartWorker(system);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!cluster.State.Members.Any(m => m.Address == cluster.SelfAddress && m.Status == MemberStatus.Up))
        {
            Assert.True(DateTime.UtcNow < deadline, "the node did not come up");
            await Task.Delay(100);
        }

        return system;
    }
}
