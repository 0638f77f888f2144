using Crawler.Core.Configuration;
using Crawler.Core.Fetching;
using Crawler.Http;

namespace Crawler.Core.Tests.Fetching;

public sealed class RetryPolicySpecs
{
    private static readonly RetrySettings Retry = CrawlerSettings.Create(CrawlerSettings.DefaultConfig().GetConfig("crawler")).Retry;

    [Theory]
    [InlineData(ErrorKind.Timeout, null, TimeoutPhase.FirstByte, true)]
    [InlineData(ErrorKind.Timeout, null, TimeoutPhase.Connect, true)]
    [InlineData(ErrorKind.Timeout, null, TimeoutPhase.Planet, false)]
    [InlineData(ErrorKind.Timeout, null, TimeoutPhase.Deadline, false)]
    [InlineData(ErrorKind.Reset, null, null, true)]
    [InlineData(ErrorKind.HttpStatus, 503, null, true)]
    [InlineData(ErrorKind.HttpStatus, 502, null, true)]
    [InlineData(ErrorKind.HttpStatus, 504, null, true)]
    [InlineData(ErrorKind.HttpStatus, 429, null, true)]
    [InlineData(ErrorKind.HttpStatus, 408, null, true)]
    [InlineData(ErrorKind.HttpStatus, 404, null, false)]
    [InlineData(ErrorKind.HttpStatus, 403, null, false)]
    [InlineData(ErrorKind.HttpStatus, 500, null, false)]
    [InlineData(ErrorKind.Dns, null, null, false)]
    [InlineData(ErrorKind.Protocol, null, null, false)]
    [InlineData(ErrorKind.TooLarge, null, null, false)]
    [InlineData(ErrorKind.NoTitle, null, null, false)]
    [InlineData(ErrorKind.NoArticle, null, null, false)]
    [InlineData(ErrorKind.Redirects, null, null, false)]
    [InlineData(ErrorKind.BadUrl, null, null, false)]
    public void Policy_should_retry_transient_failures_only(ErrorKind kind, int? status, TimeoutPhase? phase, bool transient) =>
        Assert.Equal(transient, RetryPolicy.IsTransient(new Failure(kind, "", Status: status, Phase: phase), TimeSpan.Zero, Retry));

    [Fact]
    public void Policy_should_retry_a_refused_connect_only_within_the_refused_window()
    {
        var refused = new Failure(ErrorKind.Refused, "");
        Assert.True(RetryPolicy.IsTransient(refused, Retry.RefusedWindow - TimeSpan.FromMilliseconds(1), Retry));
        Assert.False(RetryPolicy.IsTransient(refused, Retry.RefusedWindow + TimeSpan.FromMilliseconds(1), Retry));
    }

    [Fact]
    public void Backoff_should_double_with_jitter_and_stop_at_its_cap()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(125), RetryPolicy.Backoff(1, Retry, jitter: 0));
        Assert.Equal(TimeSpan.FromMilliseconds(375), RetryPolicy.Backoff(1, Retry, jitter: 1));
        Assert.Equal(TimeSpan.FromMilliseconds(500), RetryPolicy.Backoff(2, Retry, jitter: 0.5));
        Assert.Equal(TimeSpan.FromMilliseconds(1000), RetryPolicy.Backoff(3, Retry, jitter: 0.5));
        Assert.Equal(Retry.MaxBackoff, RetryPolicy.Backoff(30, Retry, jitter: 0.5));
    }

    [Theory]
    [InlineData("120", 120.0)]
    [InlineData(" 0 ", 0.0)]
    [InlineData("Wed, 25 Nov 2026 12:00:30 GMT", 30.0)]
    [InlineData("Wed, 25 Nov 2026 11:00:00 GMT", 0.0)]
    [InlineData("soon", null)]
    [InlineData("-5", null)]
    [InlineData("", null)]
    public void Retry_after_should_read_seconds_and_http_dates(string value, double? seconds) =>
        Assert.Equal(seconds is { } s ? TimeSpan.FromSeconds(s) : null,
            RetryPolicy.ParseRetryAfter(value, new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero)));
}
