using Akka.Configuration;
using Crawler.Core;

namespace Crawler.Journal.Tests;

public sealed class JobStateSpecs
{
    private static readonly JobStarted Start = new(CrawlMode.Planets, "options", "urls", 4, DateTimeOffset.UnixEpoch);

    [Fact]
    public void A_job_keeps_the_first_result_of_each_planet_and_drops_duplicates_and_strangers()
    {
        var state = JobState.Empty.Apply(Start)
            .Apply(new PlanetRecorded(Results.Ok(2)))
            .Apply(new PlanetRecorded(Results.Failed(2))) // the same planet again, after a crash
            .Apply(new PlanetRecorded(Results.Failed(0)))
            .Apply(new PlanetRecorded(Results.Ok(4))); // not a planet of the job

        Assert.Equal([0, 2], state.Results.Keys);
        Assert.IsType<Crawl.PlanetFetched>(state.Results[2]);
        Assert.Equal((2, 1, false), (state.Done, state.Ok, state.Finished));
        Assert.Equal([1, 3], state.Remaining(4).ToArray());
    }

    [Fact]
    public void A_result_before_the_job_started_counts_for_nothing_and_a_fresh_start_forgets_everything()
    {
        Assert.Empty(JobState.Empty.Apply(new PlanetRecorded(Results.Ok(0))).Results);
        var state = JobState.Empty.Apply(Start).Apply(new PlanetRecorded(Results.Ok(0))).Apply(Start with { StartedAt = DateTimeOffset.UtcNow });
        Assert.Empty(state.Results);
        Assert.Equal([0, 1, 2, 3], state.Remaining(4).ToArray());
    }

    [Fact]
    public void Every_planet_done_is_a_finished_job()
    {
        var state = Enumerable.Range(0, 4).Aggregate(JobState.Empty.Apply(Start), (s, i) => s.Apply(new PlanetRecorded(Results.Ok(i))));
        Assert.True(state.Finished);
        Assert.Empty(state.Remaining(4));
    }

    [Fact]
    public void A_run_is_compared_by_mode_then_options_then_planets()
    {
        var state = JobState.Empty.Apply(Start);
        Assert.Equal(JobMatch.New, JobState.Empty.Compare(Start));
        Assert.Equal(JobMatch.Same, state.Compare(Start with { StartedAt = DateTimeOffset.UtcNow }));
        Assert.Equal(JobMatch.DifferentMode, state.Compare(Start with { Mode = CrawlMode.Titles, OptionsHash = "other" }));
        Assert.Equal(JobMatch.DifferentOptions, state.Compare(Start with { OptionsHash = "other", UrlsHash = "other" }));
        Assert.Equal(JobMatch.DifferentUrls, state.Compare(Start with { UrlsHash = "other" }));
        Assert.Equal(JobMatch.DifferentUrls, state.Compare(Start with { PlanetCount = 5 }));
    }

    [Fact]
    public void Planets_cut_short_by_a_cancel_or_the_deadline_are_not_final_but_every_other_result_is()
    {
        Assert.False(JobState.IsFinal(Results.Failed(0, ErrorKind.Cancelled)));
        Assert.False(JobState.IsFinal(Results.Failed(0, ErrorKind.Timeout, TimeoutPhase.Deadline)));
        Assert.True(JobState.IsFinal(Results.Failed(0, ErrorKind.Timeout, TimeoutPhase.Planet)));
        Assert.True(JobState.IsFinal(Results.Failed(0, ErrorKind.Crash)));
        Assert.True(JobState.IsFinal(Results.Failed(0, ErrorKind.Dns)));
        Assert.True(JobState.IsFinal(Results.Ok(0)));
    }
}

public sealed class JobFingerprintSpecs
{
    private static Config Crawler(string hocon = "") =>
        ConfigurationFactory.ParseString(hocon).WithFallback(ConfigurationFactory.ParseString("""
            article-selector = "h3 > a[href]"
            title-selector = "head > title"
            max-url-length = 8k
            robots.enabled = on
            http { user-agent = "Crawler/0.1", tls.insecure = off, max-redirects = 5, max-body-bytes = 8m, request-timeout = 30s }
            retry.max-retries = 2
            sequential = off
            """));

    [Theory]
    [InlineData("article-selector = \"h2 > a\"")]
    [InlineData("title-selector = \"h1\"")]
    [InlineData("robots.enabled = off")]
    [InlineData("http.user-agent = \"Other/1.0\"")]
    [InlineData("http.tls.insecure = on")]
    [InlineData("http.max-redirects = 0")]
    [InlineData("http.max-body-bytes = 1m")]
    [InlineData("max-url-length = 100")]
    public void What_decides_a_result_changes_the_options_fingerprint(string change) =>
        Assert.NotEqual(JobFingerprint.Options(Crawler()), JobFingerprint.Options(Crawler(change)));

    [Theory]
    [InlineData("http.request-timeout = 5s")]
    [InlineData("retry.max-retries = 9")]
    [InlineData("sequential = on")]
    [InlineData("http.max-connections-per-host = 1")]
    [InlineData("http.proxy.url = \"http://127.0.0.1:3128\"")]
    [InlineData("deadline = 10s")]
    public void What_only_shapes_how_the_crawl_runs_may_change_between_runs(string change) =>
        Assert.Equal(JobFingerprint.Options(Crawler()), JobFingerprint.Options(Crawler(change)));

    [Fact]
    public void The_planets_fingerprint_sees_their_order_and_their_boundaries()
    {
        Assert.Equal(JobFingerprint.Urls(["a", "b"]), JobFingerprint.Urls(["a", "b"]));
        Assert.NotEqual(JobFingerprint.Urls(["a", "b"]), JobFingerprint.Urls(["b", "a"]));
        Assert.NotEqual(JobFingerprint.Urls(["ab"]), JobFingerprint.Urls(["a", "b"]));
        var start = JobFingerprint.Start(CrawlMode.Titles, ["a", "b"], Crawler(), DateTimeOffset.UnixEpoch);
        Assert.Equal((CrawlMode.Titles, 2), (start.Mode, start.PlanetCount));
    }
}
