using Crawler.Core;

namespace Crawler.Cluster.Tests;

public sealed class CrawlBookSpecs
{
    private static readonly string[] Urls = ["http://127.0.0.2:8080/planet/0", "http://127.0.0.3:8080/planet/1", "not a url"];

    private static CrawlBook Book(CrawlMode mode = CrawlMode.Planets)
    {
        var book = new CrawlBook();
        book.Apply(new ClusterCrawl.Submitted(mode, string.Empty, [.. Urls], DateTimeOffset.UnixEpoch));
        return book;
    }

    private static Crawl.PlanetFetched Link(int index, string article) => new(index, Urls[index], article, string.Empty, 200, 1, 10);

    private static Crawl.PlanetFetched Title(int index, string url) => new(index, url, url, "A title", 200, 2, 5);

    [Fact]
    public void A_planet_page_gives_the_article_step_on_the_article_host_then_the_article_gives_the_whole_result()
    {
        var book = Book();
        Assert.Equal((FetchStage.Planet, "127.0.0.2"), (book.StepOf("c", 0).Stage, book.StepOf("c", 0).Host));

        var found = Assert.IsType<ClusterCrawl.ArticleFound>(book.Decide(new ClusterCrawl.StepDone("c", FetchStage.Planet, Link(0, "http://127.0.0.9/a/0"))));
        book.Apply(found);
        var step = book.StepOf("c", 0);
        Assert.Equal((FetchStage.Article, "127.0.0.9", "http://127.0.0.9/a/0"), (step.Stage, step.Host, step.Url));

        var finished = Assert.IsType<ClusterCrawl.Finished>(book.Decide(new ClusterCrawl.StepDone("c", FetchStage.Article, Title(0, "http://127.0.0.9/a/0"))));
        var result = Assert.IsType<Crawl.PlanetFetched>(finished.Result);
        Assert.Equal((0, Urls[0], "http://127.0.0.9/a/0", "A title", 2, 15L), (result.Index, result.Planet, result.Article, result.Title, result.Attempts, result.ElapsedMs));
        book.Apply(finished);
        Assert.True(book.IsDone(0));
        Assert.Single(book.Log);
    }

    [Fact]
    public void Duplicates_and_stale_answers_change_nothing()
    {
        var book = Book();
        var planetDone = new ClusterCrawl.StepDone("c", FetchStage.Planet, Link(1, "http://127.0.0.3/a/1"));
        Assert.Null(book.Decide(new ClusterCrawl.StepDone("c", FetchStage.Article, Title(1, "http://127.0.0.3/a/1")))); // no article known yet
        book.Apply(book.Decide(planetDone)!);
        Assert.Null(book.Decide(planetDone)); // the planet step answered twice
        var finished = book.Decide(new ClusterCrawl.StepDone("c", FetchStage.Article, Title(1, "http://127.0.0.3/a/1")))!;
        book.Apply(finished);
        book.Apply(finished); // recorded twice around a crash: kept once
        Assert.Null(book.Decide(new ClusterCrawl.StepDone("c", FetchStage.Article, Title(1, "http://127.0.0.3/a/1"))));
        Assert.Null(book.Decide(new ClusterCrawl.StepDone("c", FetchStage.Planet, new Crawl.PlanetFetched(7, "http://x/", "http://x/a", "", 200, 1, 1)))); // not a planet of the crawl
        Assert.Single(book.Log);
    }

    [Fact]
    public void A_failed_planet_page_ends_the_planet_and_a_failed_article_keeps_the_planet_url()
    {
        var book = Book();
        var bad = new Crawl.PlanetFailed(2, "not a url", FetchStage.Planet, new Failure(ErrorKind.BadUrl, "bad"), 0, 0);
        Assert.Equal("bad-url", book.StepOf("c", 2).Host);
        var ended = Assert.IsType<ClusterCrawl.Finished>(book.Decide(new ClusterCrawl.StepDone("c", FetchStage.Planet, bad)));
        Assert.Equal(ErrorKind.BadUrl, Assert.IsType<Crawl.PlanetFailed>(ended.Result).Kind);

        book.Apply(book.Decide(new ClusterCrawl.StepDone("c", FetchStage.Planet, Link(0, "http://127.0.0.9/a/0")))!);
        var notFound = new Crawl.PlanetFailed(0, "http://127.0.0.9/a/0", FetchStage.Planet, new Failure(ErrorKind.HttpStatus, "404", "http://127.0.0.9/a/0", 404), 1, 3);
        var failed = Assert.IsType<Crawl.PlanetFailed>(Assert.IsType<ClusterCrawl.Finished>(
            book.Decide(new ClusterCrawl.StepDone("c", FetchStage.Article, notFound))).Result);
        Assert.Equal((Urls[0], FetchStage.Article, ErrorKind.HttpStatus, 404), (failed.Planet, failed.Stage, failed.Kind, failed.Status));
    }

    [Fact]
    public void In_the_titles_job_the_page_step_is_the_result_and_a_cancel_ends_every_unfinished_planet()
    {
        var book = Book(CrawlMode.Titles);
        var page = new Crawl.PlanetFetched(0, Urls[0], null, "Planet 0", 200, 1, 3);
        book.Apply(Assert.IsType<ClusterCrawl.Finished>(book.Decide(new ClusterCrawl.StepDone("c", FetchStage.Planet, page))));
        var cancelled = book.EndAll(ErrorKind.Cancelled, "cancelled: test").Cast<ClusterCrawl.Finished>().ToList(); // closed already: only results
        Assert.Equal([1, 2], cancelled.Select(f => f.Result.Index));
        Assert.All(cancelled, f => Assert.Equal(ErrorKind.Cancelled, ((Crawl.PlanetFailed)f.Result).Kind));
        cancelled.ForEach(book.Apply);
        Assert.True(book.Finished);
    }

    [Fact]
    public void A_cross_host_redirect_makes_the_target_the_next_step_and_its_hops_count_in_the_result()
    {
        var book = Book(CrawlMode.Titles);
        var moved = new ClusterCrawl.StepMoved("c", 0, FetchStage.Planet, Urls[0], "http://127.0.0.7:8080/moved/0", 2, 30) { Chain = [Urls[0]] };
        var redirected = book.Decide(moved)!;
        book.Apply(redirected);
        var step = book.StepOf("c", 0);
        Assert.Equal(("127.0.0.7", "http://127.0.0.7:8080/moved/0"), (step.Host, step.Url));
        Assert.Equal(Urls[0], Assert.Single(step.Chain));
        Assert.Null(book.Decide(moved)); // answered twice: the planet has moved past that step

        var page = new Crawl.PlanetFetched(0, "http://127.0.0.7:8080/moved/0", null, "Planet 0", 200, 1, 5);
        var finished = Assert.IsType<ClusterCrawl.Finished>(book.Decide(new ClusterCrawl.StepDone("c", FetchStage.Planet, page)));
        var result = Assert.IsType<Crawl.PlanetFetched>(finished.Result);
        Assert.Equal((Urls[0], 2, 35L), (result.Planet, result.Attempts, result.ElapsedMs));
    }

    [Fact]
    public void An_open_crawl_takes_its_chunks_in_order_once_and_finishes_only_after_the_last()
    {
        var book = new CrawlBook();
        book.Apply(new ClusterCrawl.Submitted(CrawlMode.Titles, string.Empty, [Urls[0]], DateTimeOffset.UnixEpoch, More: true));
        Assert.True(book.IsSameSubmit(new ClusterCrawl.Submit("c", CrawlMode.Titles, string.Empty, [Urls[0]], More: true)));
        Assert.False(book.IsSameSubmit(new ClusterCrawl.Submit("c", CrawlMode.Titles, string.Empty, [Urls[0]])));
        book.Apply(book.Decide(new ClusterCrawl.StepDone("c", FetchStage.Planet, new Crawl.PlanetFetched(0, Urls[0], null, "T", 200, 1, 1)))!);
        Assert.False(book.Finished); // every planet known has its result, but more may come

        var chunk = new ClusterCrawl.AddPlanets("c", 1, [Urls[1]], Last: false);
        var (added, refusal) = book.Decide(chunk);
        Assert.Null(refusal);
        book.Apply(added!);
        Assert.Equal((null, null), book.Decide(chunk)); // sent again: acknowledged, not added twice
        Assert.Equal(2, book.Planets);
        Assert.NotNull(book.Decide(new ClusterCrawl.AddPlanets("c", 3, [Urls[2]], Last: true)).Refusal); // a gap
        Assert.NotNull(book.Decide(new ClusterCrawl.AddPlanets("c", 1, [Urls[2]], Last: false)).Refusal); // other planets there

        var last = book.Decide(new ClusterCrawl.AddPlanets("c", 2, [Urls[2]], Last: true)).Event!;
        book.Apply(last);
        Assert.True(book.Closed);
        Assert.NotNull(book.Decide(new ClusterCrawl.AddPlanets("c", 3, ["http://127.0.0.4/late"], Last: true)).Refusal);
        Assert.Equal(Urls[2], book.StepOf("c", 2).Url);
    }

    [Fact]
    public void A_cancel_closes_an_open_crawl_before_it_ends_its_planets()
    {
        var book = new CrawlBook();
        book.Apply(new ClusterCrawl.Submitted(CrawlMode.Planets, string.Empty, [.. Urls], DateTimeOffset.UnixEpoch, More: true));
        var events = book.EndAll(ErrorKind.Timeout, "timeout: deadline", TimeoutPhase.Deadline).ToList();
        Assert.Equal(new ClusterCrawl.PlanetsAdded(3, [], true), events[0]);
        events.ForEach(book.Apply);
        Assert.True(book.Finished);
        Assert.All(book.Log, r => Assert.Equal(TimeoutPhase.Deadline, ((Crawl.PlanetFailed)r).Phase));
        Assert.NotNull(book.Decide(new ClusterCrawl.AddPlanets("c", 3, ["http://127.0.0.4/late"], Last: true)).Refusal);
    }

    [Fact]
    public void The_window_sends_at_most_its_limit_and_redelivers_what_stays_unanswered()
    {
        var book = new CrawlBook();
        book.Apply(new ClusterCrawl.Submitted(CrawlMode.Planets, string.Empty, [.. Enumerable.Range(0, 5).Select(i => $"http://127.0.0.2/p/{i}")], DateTimeOffset.UnixEpoch));
        var window = new StepWindow(2);
        Assert.Equal([0, 1], window.Due(book, now: 0, redeliverAfter: 100).ToArray());
        Assert.Empty(window.Due(book, now: 50, redeliverAfter: 100));
        Assert.Equal([0, 1], window.Due(book, now: 100, redeliverAfter: 100).ToArray()); // unanswered: again
        book.Apply(new ClusterCrawl.Finished(new Crawl.PlanetFetched(0, "http://127.0.0.2/p/0", null, "t", 200, 1, 1)));
        window.Done(0);
        Assert.Equal([2], window.Due(book, now: 120, redeliverAfter: 100).ToArray());
        Assert.Equal(2, window.Out);
    }
}
