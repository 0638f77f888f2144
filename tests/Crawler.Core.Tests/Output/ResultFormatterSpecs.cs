using Crawler.Core.Output;
using Crawler.Http;

namespace Crawler.Core.Tests.Output;

public sealed class ResultFormatterSpecs
{
    private static readonly Crawl.PlanetFetched Ok = new(0, "http://p.test/", "http://p.test/a/1", "A \"quoted\" title", 200, 1, 412);
    private static readonly Crawl.PlanetFailed NotFound = new(1, "http://q.test/", FetchStage.Article,
        new Failure(ErrorKind.HttpStatus, "404 Not Found from http://q.test/a", "http://q.test/a", 404), 1, 99);

    [Fact]
    public void Text_should_be_the_seeds_output_for_a_planet() =>
        Assert.Equal("first article on http://p.test/ :\nhttp://p.test/a/1\nA \"quoted\" title\n\n",
            ResultFormatter.Format(Ok, CrawlMode.Planets, ResultFormat.Text));

    [Fact]
    public void Text_should_name_the_error_kind_of_a_failure() =>
        Assert.Equal("failed on http://q.test/ : http-status: 404 Not Found from http://q.test/a\n\n",
            ResultFormatter.Format(NotFound, CrawlMode.Planets, ResultFormat.Text));

    [Fact]
    public void Text_should_escape_control_characters_from_the_web_so_they_cannot_drive_the_terminal()
    {
        var hostile = Ok with { Planet = "http://p.test/\u0007", Article = "http://p.test/a\r\nb", Title = "red \u001b[31mtext\u009b" };

        var text = ResultFormatter.Format(hostile, CrawlMode.Planets, ResultFormat.Text);

        Assert.Equal("first article on http://p.test/\\x07 :\nhttp://p.test/a\\x0d\\x0ab\nred \\x1b[31mtext\\u009b\n\n", text);
        Assert.DoesNotContain(text, c => char.IsControl(c) && c != '\n');
    }

    [Theory]
    [InlineData(ErrorKind.Cancelled, "cancelled: the caller cancelled the crawl", "cancelled: the caller cancelled the crawl")]
    [InlineData(ErrorKind.Timeout, "timeout: no answer in 1 s", "timeout: no answer in 1 s")]
    [InlineData(ErrorKind.Timeout, "no answer in 1 s", "timeout: no answer in 1 s")]
    public void Text_should_name_the_kind_once(ErrorKind kind, string message, string printed) =>
        Assert.Equal($"failed on http://q.test/ : {printed}\n",
            ResultFormatter.Format(NotFound with { Failure = new Failure(kind, message) }, CrawlMode.Titles, ResultFormat.Text));

    [Fact]
    public void Text_should_be_the_url_and_the_title_in_the_titles_job() =>
        Assert.Equal("http://p.test/ : A \"quoted\" title\n", ResultFormatter.Format(Ok with { Article = null }, CrawlMode.Titles, ResultFormat.Text));

    [Fact]
    public void Json_should_hold_exactly_the_planet_fields() =>
        Assert.Equal("""{"planet":"http://p.test/","ok":true,"article":"http://p.test/a/1","title":"A \"quoted\" title","error":null,"stage":null,"status":200,"message":null,"elapsedMs":412,"failedUrl":null,"attempts":1,"phase":null,"timings":[]}""" + "\n",
            ResultFormatter.Format(Ok, CrawlMode.Planets, ResultFormat.Json));

    [Fact]
    public void Json_should_give_kind_stage_and_status_of_a_failure() =>
        Assert.Equal("""{"planet":"http://q.test/","ok":false,"article":null,"title":null,"error":"http-status","stage":"article","status":404,"message":"404 Not Found from http://q.test/a","elapsedMs":99,"failedUrl":"http://q.test/a","attempts":1,"phase":null,"timings":[]}""" + "\n",
            ResultFormatter.Format(NotFound, CrawlMode.Planets, ResultFormat.Json));

    [Fact]
    public void Json_should_hold_exactly_the_titles_fields() =>
        Assert.Equal("""{"url":"http://q.test/","ok":false,"title":null,"error":"http-status","status":404,"message":"404 Not Found from http://q.test/a","elapsedMs":99,"failedUrl":"http://q.test/a","attempts":1,"phase":null,"timings":[]}""" + "\n",
            ResultFormatter.Format(NotFound, CrawlMode.Titles, ResultFormat.Json));

    [Fact]
    public void Summary_should_count_failures_by_kind()
    {
        var summary = new CrawlSummary(1000, 990, 10, TimeSpan.FromSeconds(2.314),
            new Dictionary<ErrorKind, int> { [ErrorKind.Timeout] = 6, [ErrorKind.Dns] = 4 });
        Assert.Equal("1000 planets: 990 ok, 10 failed (timeout 6, dns 4) in 2.31 s", ResultFormatter.Summary(summary, CrawlMode.Planets));
    }

    [Fact]
    public void Summary_should_be_short_when_all_succeeded() =>
        Assert.Equal("4 planets: 4 ok, 0 failed in 0.43 s",
            ResultFormatter.Summary(new CrawlSummary(4, 4, 0, TimeSpan.FromSeconds(0.4321), new Dictionary<ErrorKind, int>()), CrawlMode.Planets));
}
