using System.Text;
using Akka.Serialization;
using Crawler.Core;

namespace Crawler.Cluster.Tests;

public sealed class ClusterSerializerSpecs : Akka.TestKit.Xunit2.TestKit
{
    /// <summary>A finished event as this version writes it: frozen, since journals hold it.</summary>
    private const string FinishedRow = """{"result":{"index":3,"planet":"http://127.0.0.2/planet/3","ok":true,"article":"http://127.0.0.2/article/3/1","title":"Article 1 of planet 3","status":200,"attempts":1,"elapsedMs":9,"timings":[]}}""";

    public ClusterSerializerSpecs()
        : base(CrawlerCluster.Config.WithFallback(Akka.Configuration.ConfigurationFactory.ParseString("akka.actor.provider = local")))
    {
    }

    public static TheoryData<IClusterCrawlMessage> Messages() =>
    [
        new ClusterCrawl.Submit("c", CrawlMode.Titles, "title-selector = h1", ["http://127.0.0.2/", "http://127.0.0.3/"]),
        new ClusterCrawl.Accepted("c", 2, "refused"),
        new ClusterCrawl.FetchStep("c", "127.0.0.2", 1, FetchStage.Article, "http://127.0.0.2/a", CrawlMode.Planets, ""),
        new ClusterCrawl.GetResults("c", 10),
        new ClusterCrawl.Cancel("c", "Ctrl-C"),
        new ClusterCrawl.Submitted(CrawlMode.Planets, "", ["http://127.0.0.2/"], DateTimeOffset.UnixEpoch),
        new ClusterCrawl.Submit("c", CrawlMode.Planets, "", [], More: true),
        new ClusterCrawl.Submitted(CrawlMode.Planets, "", [], DateTimeOffset.UnixEpoch, More: true),
        new ClusterCrawl.AddPlanets("c", 7, ["http://127.0.0.4/"], Last: true),
        new ClusterCrawl.PlanetsAdded(7, ["http://127.0.0.4/"], Last: false),
        new ClusterCrawl.FetchStep("c", "127.0.0.3", 1, FetchStage.Planet, "http://127.0.0.3/m", CrawlMode.Planets, "") { Chain = ["http://127.0.0.2/p"] },
        new ClusterCrawl.StepMoved("c", 1, FetchStage.Planet, "http://127.0.0.2/p", "http://127.0.0.3/m", 1, 4) { Chain = ["http://127.0.0.2/p"] },
        new ClusterCrawl.Redirected(1, FetchStage.Article, "http://127.0.0.3/m", ["http://127.0.0.2/a"], 1, 4, []),
        new ClusterCrawl.DropCrawl("c", "127.0.0.3"),
        new ClusterCrawl.ArticleFound(2, "http://127.0.0.2/a", 1, 9, []),
    ];

    [Theory]
    [MemberData(nameof(Messages))]
    public void Every_message_crosses_a_node_as_it_was(IClusterCrawlMessage message)
    {
        var back = RoundTrip(message);
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(message, message.GetType()), System.Text.Json.JsonSerializer.Serialize(back, back.GetType()));
    }

    [Fact]
    public void Results_and_steps_done_keep_kinds_phases_and_timings()
    {
        var failed = new Crawl.PlanetFailed(4, "http://127.0.0.2/p", FetchStage.Article,
            new Failure(ErrorKind.Timeout, "slow", "http://127.0.0.2/a", null, TimeoutPhase.FirstByte), 3, 30);
        var done = (ClusterCrawl.StepDone)RoundTrip(new ClusterCrawl.StepDone("c", FetchStage.Article, failed));
        Assert.Equal(failed with { Timings = [] }, done.Result with { Timings = [] });

        var results = (ClusterCrawl.Results)RoundTrip(new ClusterCrawl.Results("c", 9, 2, [failed, new Crawl.PlanetFetched(1, "p", "a", "t", 200, 1, 2)], false, true));
        Assert.Equal([4, 1], results.Items.Select(r => r.Index));
        Assert.IsType<Crawl.PlanetFetched>(results.Items[1]);
    }

    /// <summary>What <c>akka.actor.serialize-messages = on</c> would prove, without it: it cannot be on in a system with
    /// Akka.Persistence.Sql, whose internal WriteFinished is not serializable. Every cross-node message type has a
    /// manifest here, each round-trips (above), and the cluster specs send them between ActorSystems over remoting.</summary>
    [Fact]
    public void Every_message_type_of_the_cluster_crawl_has_a_manifest()
    {
        var types = typeof(IClusterCrawlMessage).Assembly.GetTypes()
            .Where(t => typeof(IClusterCrawlMessage).IsAssignableFrom(t) && t is { IsInterface: false, IsAbstract: false });
        Assert.Equal(types.Select(t => t.FullName).Order(StringComparer.Ordinal), ClusterSerializer.ManifestTypes.Values.Select(t => t.FullName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Manifests_are_stable_names_and_a_frozen_row_still_reads()
    {
        Assert.Equal(["accepted", "add-planets", "article-found", "cancel", "drain", "drop-crawl", "finished", "get-results", "planets-added", "redirected", "results",
                "step", "step-done", "step-moved", "submit", "submitted"],
            ClusterSerializer.ManifestTypes.Keys.Order(StringComparer.Ordinal));
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerForType(typeof(ClusterCrawl.Finished));
        var finished = (ClusterCrawl.Finished)serializer.FromBinary(Encoding.UTF8.GetBytes(FinishedRow), "finished");
        Assert.Equal(("Article 1 of planet 3", 3), (((Crawl.PlanetFetched)finished.Result).Title, finished.Result.Index));
        Assert.Equal(FinishedRow, Encoding.UTF8.GetString(serializer.ToBinary(finished)));
        Assert.Throws<System.Runtime.Serialization.SerializationException>(() => serializer.FromBinary(Encoding.UTF8.GetBytes(FinishedRow), "finished-v0"));

        // A submitted event written before crawls could be open has no "more": it reads as a closed crawl.
        var old = (ClusterCrawl.Submitted)serializer.FromBinary(Encoding.UTF8.GetBytes("""{"mode":"planets","hocon":"","urls":["http://127.0.0.2/"],"at":"2026-12-01T00:00:00+00:00"}"""), "submitted");
        Assert.False(old.More);
    }

    private IClusterCrawlMessage RoundTrip(IClusterCrawlMessage message)
    {
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerFor(message);
        Assert.IsType<ClusterSerializer>(serializer);
        return (IClusterCrawlMessage)serializer.FromBinary(serializer.ToBinary(message), serializer.Manifest(message));
    }
}
