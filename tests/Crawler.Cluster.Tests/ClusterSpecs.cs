using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Akka.Streams;
using Akka.Streams.Dsl;
using Crawler.Core;
using Crawler.Core.Embedding;
using Crawler.Journal;
using Crawler.SampleSite;
using Xunit.Abstractions;

namespace Crawler.Cluster.Tests;

/// <summary>
/// Three ActorSystems on 127.0.0.1 forming a cluster over real remoting, sharing one SQLite journal, crawling a farm
/// whose planets live on eight host addresses (127.0.0.1 ... 127.0.0.8): one desk per host for the whole cluster.
/// </summary>
public sealed class ClusterSpecs : IAsyncLifetime
{
    private const int Planets = 48;
    private const int PerHostCap = 2;
    private readonly ITestOutputHelper _output;
    private readonly string _folder = Directory.CreateTempSubdirectory("crawler-cluster-").FullName;
    private readonly List<ActorSystem> _nodes = [];
    private PlanetFarm _farm = null!;

    public ClusterSpecs(ITestOutputHelper output) => _output = output;

    public async Task InitializeAsync()
    {
        _farm = await PlanetFarm.StartAsync(new PlanetFarmOptions(Planets, TimeSpan.FromMilliseconds(100)) { Hosts = 8 });
        var journal = JournalFile.Open(Path.Combine(_folder, "journal.db"));
        for (var i = 0; i < 3; i++)
        {
            _nodes.Add(ActorSystem.Create("crawl", NodeConfig(journal)));
        }

        var seed = Akka.Cluster.Cluster.Get(_nodes[0]).SelfAddress;
        foreach (var node in _nodes)
        {
            Akka.Cluster.Cluster.Get(node).Join(seed); // min-nr-of-members is 2: no JoinAsync one by one
        }

        foreach (var node in _nodes)
        {
            CrawlerCluster.StartWorker(node);
        }

        await WaitUntil(() => _nodes.All(n => Akka.Cluster.Cluster.Get(n).State.Members.Count(m => m.Status == MemberStatus.Up) == 3), TimeSpan.FromSeconds(30));
    }

    public async Task DisposeAsync()
    {
        await Task.WhenAll(_nodes.Select(n => n.Terminate()));
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

    private static Config NodeConfig(string journal) =>
        ConfigurationFactory.ParseString($$"""
                akka.loglevel = WARNING
                akka.cluster.split-brain-resolver.stable-after = 5s
                akka.cluster.role.worker.min-nr-of-members = 2
                akka.remote.dot-netty.tcp.port = 0
                crawler.cluster.redeliver-interval = 2s
                crawler.cluster.submit-chunk = 7
                crawler.cluster.open-crawl-timeout = 3s
                crawler.http.max-connections-per-host = {{PerHostCap}}
                crawler.robots.enabled = off
                """)
            .WithFallback(CrawlerCluster.Config)
            .WithFallback(JournalConfig.For(journal));

    [Fact]
    public async Task A_crawl_over_eight_hosts_gives_one_result_per_planet_and_never_more_connections_per_host_than_the_cap()
    {
        // As an embedding application calls it: a member of the cluster, a task of the whole report.
        var report = await ClusterCrawler.CrawlAsync(_nodes[0], "eight-hosts", _farm.PlanetUrls);
        var results = report.Results;
        Assert.Equal((Planets, Planets, "eight-hosts"), (report.Summary.Total, report.Summary.Ok, report.CrawlId));

        Assert.Equal(Enumerable.Range(0, Planets), results.Select(r => r.Index).Order());
        Assert.All(results, r => Assert.True(r is Crawl.PlanetFetched, r.ToString()));
        Assert.All(results, r => Assert.Equal(_farm.PlanetUrls[r.Index], r.Planet));
        Assert.All(_farm.PeakConcurrencyByHost, host => Assert.True(host.Value <= PerHostCap, $"{host.Key}: {host.Value} at once"));
        Assert.Equal(8, _farm.PeakConcurrencyByHost.Count);
        Assert.Equal(2 * Planets, _farm.RequestCount); // each planet's page and article once: no duplicate fetch

        // The desks are spread over the nodes, one per host in the whole cluster.
        var desks = new List<(int Node, string Host)>();
        for (var node = 0; node < _nodes.Count; node++)
        {
            var state = await Akka.Cluster.Sharding.ClusterSharding.Get(_nodes[node]).ShardRegion(ClusterCrawl.HostRegion)
                .Ask<Akka.Cluster.Sharding.CurrentShardRegionState>(Akka.Cluster.Sharding.GetShardRegionState.Instance, TimeSpan.FromSeconds(10));
            desks.AddRange(state.Shards.SelectMany(shard => shard.EntityIds).Select(host => (node, host)));
        }

        _output.WriteLine(string.Join(", ", desks.Select(d => $"{d.Host}@{d.Node}")));
        Assert.Equal(8, desks.Count);
        Assert.Equal(8, desks.Select(d => d.Host).Distinct().Count());
        Assert.True(desks.Select(d => d.Node).Distinct().Count() >= 2, "every desk on one node");
    }

    [Fact]
    public async Task The_cluster_crawler_streams_planets_into_an_open_crawl_with_the_window_of_the_crawl()
    {
        // ICrawler on a member that is not the first: planets pulled as the window frees up, added in chunks of 7.
        ICrawler crawler = _nodes[1].ClusterCrawler();
        var pulled = 0;
        var maxAhead = 0;
        var taken = 0;
        var planets = Source.From(_farm.PlanetUrls).Select(url =>
        {
            maxAhead = Math.Max(maxAhead, Interlocked.Increment(ref pulled) - Volatile.Read(ref taken));
            return url;
        });
        var (crawl, all) = planets.ViaMaterialized(crawler.ResultsFlow(new CrawlOptions { CrawlId = "streamed", MaxPlanetsInFlight = 5 }), Keep.Right)
            .Select(result =>
            {
                Interlocked.Increment(ref taken);
                return result;
            })
            .ToMaterialized(Sink.Seq<Crawl.PlanetResult>(), Keep.Both)
            .Run(_nodes[1].Materializer());
        var results = await all.WaitAsync(TimeSpan.FromSeconds(90));
        var summary = await crawl.Completion;

        Assert.Equal(Enumerable.Range(0, Planets), results.Select(r => r.Index).Order());
        Assert.All(results, r => Assert.True(r is Crawl.PlanetFetched && r.CrawlId == "streamed" && r.Planet == _farm.PlanetUrls[r.Index], r.ToString()));
        Assert.Equal((Planets, Planets), (summary.Total, summary.Ok));
        Assert.Equal(2 * Planets, _farm.RequestCount);
        // The source runs at most the window (and the stage's one-element lookahead) ahead of the consumer.
        Assert.InRange(maxAhead, 1, 5 + 2);
    }

    [Fact]
    public async Task A_consumer_that_stops_cancels_the_open_crawl_and_its_deadline_ends_a_crawl_on_the_ledger()
    {
        ICrawler crawler = _nodes[2].ClusterCrawler();
        var first = await Source.From(_farm.PlanetUrls)
            .Via(crawler.ResultsFlow(new CrawlOptions { CrawlId = "taken-five", MaxPlanetsInFlight = 8 }))
            .Take(5)
            .RunWith(Sink.Seq<Crawl.PlanetResult>(), _nodes[2].Materializer())
            .WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(5, first.Count);
        var region = Akka.Cluster.Sharding.ClusterSharding.Get(_nodes[0]).ShardRegion(ClusterCrawl.CrawlRegion);
        var ledger = await WaitForFinished(region, "taken-five");
        // Closed by the cancel: at most the window ahead of the five taken ever reached the ledger.
        Assert.InRange(ledger.Items.Length, 5, 5 + 8 + 1);
        Assert.Equal(ledger.Items.Length, ledger.Items.Select(r => r.Index).Distinct().Count());

        // Each planet needs two requests of 100 ms: a 150-ms deadline, counted by the ledger from the submit, ends them all.
        var report = await crawler.CrawlAsync(_farm.PlanetUrls.Take(6), new CrawlOptions { CrawlId = "deadline", Deadline = TimeSpan.FromMilliseconds(150) });
        Assert.Equal(6, report.Summary.Total);
        Assert.All(report.Results, r => Assert.True(r is Crawl.PlanetFailed { Kind: ErrorKind.Timeout, Phase: TimeoutPhase.Deadline }, r.ToString()));
    }

    [Fact]
    public async Task A_crawl_id_taken_by_another_crawl_is_refused_and_bad_options_fail_before_anything_is_sent()
    {
        ICrawler crawler = _nodes[0].ClusterCrawler();
        var once = await crawler.CrawlAsync(_farm.PlanetUrls.Take(2), new CrawlOptions { CrawlId = "twice" });
        Assert.Equal(2, once.Summary.Ok);
        var again = await crawler.CrawlAsync(_farm.PlanetUrls.Take(2), new CrawlOptions { CrawlId = "twice" }); // the same crawl: attached
        Assert.Equal(once.Results.Select(r => r.ToString()), again.Results.Select(r => r.ToString()));
        await Assert.ThrowsAsync<InvalidOperationException>(() => crawler.CrawlAsync(_farm.PlanetUrls.Take(3), new CrawlOptions { CrawlId = "twice" }));
        Assert.Throws<Akka.Configuration.ConfigurationException>(() => crawler.ResultsFlow(new CrawlOptions { ArticleSelector = "h3 >>> a[" }));
        Assert.Equal(4, _farm.RequestCount);
    }

    [Fact]
    public async Task A_cross_host_redirect_is_handed_to_the_target_hosts_desk_and_the_results_are_those_of_one_machine()
    {
        // Planets 1, 5, 9 are moved to the next host; planet 11 loops across two hosts.
        await using var farm = await PlanetFarm.StartAsync(new PlanetFarmOptions(12, TimeSpan.Zero,
            Faults: n => n == 11 ? PlanetFault.RedirectLoopAcrossHosts : n % 4 == 1 ? PlanetFault.RedirectToOtherHost : PlanetFault.None) { Hosts = 4 });
        var report = await _nodes[1].ClusterCrawler().CrawlAsync(farm.PlanetUrls, new CrawlOptions { CrawlId = "redirects" });
        var local = await _nodes[1].Crawler().CrawlAsync(farm.PlanetUrls, new CrawlOptions { RespectRobots = false });

        static string Shape(Crawl.PlanetResult r) => r switch
        {
            Crawl.PlanetFetched ok => $"{ok.Index} {ok.Planet} {ok.Article} {ok.Title} {ok.Status}",
            Crawl.PlanetFailed failed => $"{failed.Index} {failed.Planet} {failed.Stage} {failed.Kind}",
            _ => r.ToString(),
        };

        Assert.Equal(local.Results.Select(Shape), report.Results.Select(Shape));
        Assert.Equal(ErrorKind.Redirects, Assert.IsType<Crawl.PlanetFailed>(report.Results[11]).Kind);
        var moved = Assert.IsType<Crawl.PlanetFetched>(report.Results[5]);
        Assert.StartsWith($"http://{farm.Options.HostOf(6)}:", moved.Article, StringComparison.Ordinal);
        Assert.Equal(3, moved.Timings.Count); // the planet on its host, the moved page on the next, the article there

        // Each cross-host hop was a step of its own, recorded by the ledger (3 moves, and the loop's one before it broke).
        using var journal = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_folder, "journal.db")}");
        journal.Open();
        using var count = journal.CreateCommand();
        count.CommandText = "select count(*) from journal where persistence_id = $id and manifest = 'redirected'";
        count.Parameters.AddWithValue("$id", CrawlLedger.PersistenceIdOf("redirects"));
        Assert.Equal(4L, (long)count.ExecuteScalar()!);
    }

    [Fact]
    public async Task A_cancelled_crawl_has_its_desks_drop_the_fetches_they_still_hold()
    {
        // 48 planets at 500 ms a page, two at once per host: six waves of planet pages if the desks went on.
        await using var slow = await PlanetFarm.StartAsync(new PlanetFarmOptions(Planets, TimeSpan.FromMilliseconds(500)) { Hosts = 8 });
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var report = await _nodes[0].ClusterCrawler().CrawlAsync(slow.PlanetUrls, new CrawlOptions { CrawlId = "dropped" }, cancel.Token);
        Assert.All(report.Results, r => Assert.True(r is Crawl.PlanetFailed { Kind: ErrorKind.Cancelled }, r.ToString()));

        await Task.Delay(TimeSpan.FromSeconds(2)); // two more waves' time
        _output.WriteLine($"{slow.RequestCount} requests");
        Assert.InRange(slow.RequestCount, 0, 8 * PerHostCap); // at most the first wave, in flight at the cancel
    }

    [Fact]
    public async Task An_open_crawl_that_no_client_asks_about_is_closed_by_its_ledger()
    {
        var region = Akka.Cluster.Sharding.ClusterSharding.Get(_nodes[0]).ShardRegion(ClusterCrawl.CrawlRegion);
        var accepted = await region.Ask<ClusterCrawl.Accepted>(new ClusterCrawl.Submit("orphan", CrawlMode.Planets, string.Empty, [.. _farm.PlanetUrls.Take(2)], More: true),
            TimeSpan.FromSeconds(30));
        Assert.Null(accepted.Refusal);

        await Task.Delay(TimeSpan.FromSeconds(8)); // open-crawl-timeout 3 s, checked every redeliver-interval (2 s)
        var page = await region.Ask<ClusterCrawl.Results>(new ClusterCrawl.GetResults("orphan", 0), TimeSpan.FromSeconds(10));
        Assert.True(page.Finished, "the orphaned open crawl is still open");
        Assert.Equal(2, page.Items.Length);
        var refused = await region.Ask<ClusterCrawl.Accepted>(new ClusterCrawl.AddPlanets("orphan", 2, [_farm.PlanetUrls[2]], Last: true), TimeSpan.FromSeconds(10));
        Assert.NotNull(refused.Refusal);
    }

    [Fact]
    public async Task A_node_that_leaves_mid_crawl_loses_nothing()
    {
        var results = await CrawlAsync("leave", leaveMidway: true);

        Assert.Equal(Enumerable.Range(0, Planets), results.Select(r => r.Index).Order());
        Assert.All(results, r => Assert.True(r is Crawl.PlanetFetched, r.ToString()));
        Assert.InRange(_farm.RequestCount, 2 * Planets, 3 * Planets); // what moved with the leaving node may be fetched again
    }

    private async Task<List<Crawl.PlanetResult>> CrawlAsync(string crawlId, bool leaveMidway)
    {
        var region = Akka.Cluster.Sharding.ClusterSharding.Get(_nodes[0]).ShardRegion(ClusterCrawl.CrawlRegion);
        var accepted = await region.Ask<ClusterCrawl.Accepted>(new ClusterCrawl.Submit(crawlId, CrawlMode.Planets, string.Empty, [.. _farm.PlanetUrls]),
            TimeSpan.FromSeconds(30));
        Assert.Equal((Planets, null), (accepted.Planets, accepted.Refusal));
        var results = new List<Crawl.PlanetResult>();
        var left = false;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            var page = await region.Ask<ClusterCrawl.Results>(new ClusterCrawl.GetResults(crawlId, results.Count), TimeSpan.FromSeconds(10));
            results.AddRange(page.Items);
            if (leaveMidway && !left && results.Count >= Planets / 4)
            {
                left = true;
                _output.WriteLine($"node 3 leaves at {results.Count} results");
                await Akka.Cluster.Cluster.Get(_nodes[2]).LeaveAsync();
            }

            if (page.Finished)
            {
                return results;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"the crawl did not finish: {results.Count} of {Planets} results");
    }

    private static async Task<ClusterCrawl.Results> WaitForFinished(IActorRef region, string crawlId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var page = await region.Ask<ClusterCrawl.Results>(new ClusterCrawl.GetResults(crawlId, 0), TimeSpan.FromSeconds(10));
            if (page.Finished || DateTime.UtcNow > deadline)
            {
                Assert.True(page.Finished, $"crawl {crawlId} did not finish: {page.Items.Length} of {page.Planets}");
                return page;
            }

            await Task.Delay(200);
        }
    }

    private static async Task WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the cluster did not form");
            }

            await Task.Delay(100);
        }
    }
}
