using System.Text;
using Crawler.Core.Configuration;
using Crawler.Core.Fetching;
using Crawler.Core.Hosts;

namespace Crawler.Core.Tests.Fetching;

/// <summary>One URL into one response or one failure, step by step, without actors.</summary>
public sealed class PageRequestSpecs
{
    private static readonly CrawlerSettings Settings = CrawlerSettings.Create(CrawlerSettings.DefaultConfig().GetConfig("crawler"));
    private readonly List<Crawl.RequestTiming> _timings = [];
    private long _ids;

    private PageRequest Request(string url = "http://a.test/", bool anyStatus = false, TimeSpan? since = null) =>
        new("crawl-1", CrawlProfile.Of(Settings), new Uri(url), FetchPriority.New, () => ++_ids, () => since ?? TimeSpan.Zero, _timings, anyStatus,
            jitter: () => 0.5);

    private static Http.Http.ResponseReceived Response(Host.Fetch fetch, int status, params KeyValuePair<string, string>[] headers) =>
        new(fetch.RequestId, fetch.Url, status, "Status", headers, Encoding.UTF8.GetBytes("<html></html>"));

    [Fact]
    public void A_2xx_should_be_the_answer()
    {
        var request = Request();
        var fetch = request.Start();
        Assert.Equal((1, FetchPriority.New, TimeSpan.Zero, true), (fetch.Attempt, fetch.Priority, fetch.Delay, fetch.Robots));
        Assert.IsType<RequestStep.Done>(request.OnFetched(Response(fetch, 204)));
        Assert.Equal(1, request.MaxAttempts);
    }

    [Fact]
    public void A_redirect_should_be_followed_as_a_follow_up_with_a_new_id()
    {
        var request = Request();
        var first = request.Start();
        var next = Assert.IsType<RequestStep.Send>(request.OnFetched(Response(first, 302, KeyValuePair.Create("Location", "/moved")))).Fetch;
        Assert.Equal((new Uri("http://a.test/moved"), FetchPriority.FollowUp, 1), (next.Url, next.Priority, next.Attempt));
        Assert.NotEqual(first.RequestId, next.RequestId);
        Assert.Equal(next.RequestId, request.RequestId);
        Assert.Equal(new Uri("http://a.test/moved"), request.Url);
    }

    [Fact]
    public void A_redirect_back_to_the_chain_should_fail_as_redirects()
    {
        var request = Request();
        var next = Assert.IsType<RequestStep.Send>(request.OnFetched(Response(request.Start(), 301, KeyValuePair.Create("Location", "/b")))).Fetch;
        var failed = Assert.IsType<RequestStep.Failed>(request.OnFetched(Response(next, 301, KeyValuePair.Create("Location", "/")))).Failure;
        Assert.Equal((ErrorKind.Redirects, 301, "http://a.test/"), (failed.Kind, failed.Status, failed.Url));
    }

    [Fact]
    public void A_request_that_hands_off_should_follow_a_redirect_on_its_host_and_end_at_one_to_another_host()
    {
        var request = new PageRequest("crawl-1", CrawlProfile.Of(Settings), new Uri("http://a.test/"), FetchPriority.New, () => ++_ids, () => TimeSpan.Zero, _timings)
        {
            HandOff = true,
        };
        var same = Assert.IsType<RequestStep.Send>(request.OnFetched(Response(request.Start(), 301, KeyValuePair.Create("Location", "/b")))).Fetch;
        var moved = Assert.IsType<RequestStep.Moved>(request.OnFetched(Response(same, 302, KeyValuePair.Create("Location", "http://b.test:8080/c"))));
        Assert.Equal(new Uri("http://b.test:8080/c"), moved.Next);
        Assert.Equal([new Uri("http://a.test/"), new Uri("http://a.test/b")], moved.Chain);
    }

    [Fact]
    public void The_hops_of_other_hosts_should_count_for_loops_and_max_redirects()
    {
        var earlier = Enumerable.Range(0, Settings.Http.MaxRedirects).Select(i => new Uri($"http://h{i}.test/")).ToList();
        var request = new PageRequest("crawl-1", CrawlProfile.Of(Settings), new Uri("http://b.test/"), FetchPriority.FollowUp, () => ++_ids, () => TimeSpan.Zero, _timings)
        {
            HandOff = true,
            Earlier = earlier,
        };
        var loop = Assert.IsType<RequestStep.Failed>(request.OnFetched(Response(request.Start(), 301, KeyValuePair.Create("Location", "http://h0.test/"))));
        Assert.Equal(ErrorKind.Redirects, loop.Failure.Kind);
        var tooMany = new PageRequest("crawl-1", CrawlProfile.Of(Settings), new Uri("http://b.test/"), FetchPriority.FollowUp, () => ++_ids, () => TimeSpan.Zero, _timings)
        {
            Earlier = earlier,
        };
        var failed = Assert.IsType<RequestStep.Failed>(tooMany.OnFetched(Response(tooMany.Start(), 301, KeyValuePair.Create("Location", "/next"))));
        Assert.Equal(ErrorKind.Redirects, failed.Failure.Kind);
    }

    [Fact]
    public void A_transient_status_should_be_retried_after_the_larger_of_backoff_and_retry_after_then_given_up()
    {
        var request = Request();
        var first = request.Start();
        var retry = Assert.IsType<RequestStep.Send>(request.OnFetched(Response(first, 503, KeyValuePair.Create("Retry-After", "2")))).Fetch;
        Assert.Equal((2, FetchPriority.FollowUp, TimeSpan.FromSeconds(2)), (retry.Attempt, retry.Priority, retry.Delay));
        var again = Assert.IsType<RequestStep.Send>(request.OnFetched(Response(retry, 502))).Fetch;
        Assert.Equal((3, Settings.Retry.Backoff * 2), (again.Attempt, again.Delay)); // backoff x 2^(retry-1), jitter 0.5 => x 1
        var failed = Assert.IsType<RequestStep.Failed>(request.OnFetched(Response(again, 502))).Failure;
        Assert.Equal((ErrorKind.HttpStatus, 502), (failed.Kind, failed.Status));
        Assert.Equal(3, request.MaxAttempts);
    }

    [Fact]
    public void A_failure_that_is_not_transient_should_end_at_once_and_a_denied_retry_should_end_with_the_last_failure()
    {
        var request = Request();
        request.Start();
        var dns = new Failure(ErrorKind.Dns, "no such host", "http://a.test/");
        Assert.Equal(dns, Assert.IsType<RequestStep.Failed>(request.OnFailed(dns)).Failure);

        var denied = Request();
        denied.Start();
        var reset = new Failure(ErrorKind.Reset, "reset", "http://a.test/");
        Assert.IsType<RequestStep.Send>(denied.OnFailed(reset));
        var failed = Assert.IsType<RequestStep.Failed>(denied.OnDenied("the budget is spent")).Failure;
        Assert.Equal(ErrorKind.Reset, failed.Kind);
    }

    [Fact]
    public void A_refused_connect_should_be_retried_only_within_the_refused_window()
    {
        var refused = new Failure(ErrorKind.Refused, "refused", "http://a.test/");
        var early = Request(since: TimeSpan.Zero);
        early.Start();
        Assert.IsType<RequestStep.Send>(early.OnFailed(refused));
        var late = Request(since: Settings.Retry.RefusedWindow + TimeSpan.FromSeconds(1));
        late.Start();
        Assert.IsType<RequestStep.Failed>(late.OnFailed(refused));
    }

    [Fact]
    public void A_request_that_takes_any_status_should_answer_with_a_5xx_and_never_retry()
    {
        var robots = Request("http://a.test/robots.txt", anyStatus: true);
        var fetch = robots.Start();
        Assert.False(fetch.Robots); // robots.txt itself is never checked against robots.txt
        Assert.Equal(503, Assert.IsType<RequestStep.Done>(robots.OnFetched(Response(fetch, 503))).Response.StatusCode);
        var again = Request("http://a.test/robots.txt", anyStatus: true);
        again.Start();
        Assert.IsType<RequestStep.Failed>(again.OnFailed(new Failure(ErrorKind.Reset, "reset")));
    }
}
