using System.Text.Json;
using System.Text.RegularExpressions;
using Crawler.SampleSite;
using Crawler.Testing;

namespace Crawler.Tests;

/// <summary>The console host end to end: the real executable against the sample site on 127.0.0.1.</summary>
public sealed class ConsoleHostSpecs : IAsyncLifetime
{
    private PlanetFarm _farm = null!;

    public async Task InitializeAsync() => _farm = await PlanetFarm.StartAsync(new PlanetFarmOptions(3, TimeSpan.FromMilliseconds(10)));

    public async Task DisposeAsync() => await _farm.DisposeAsync();

    private string Planet(int n) => _farm.PlanetUrls[n];

    private string Article(int n) => new Uri(_farm.BaseUri, $"/article/{n}/1").ToString();

    [Fact]
    public async Task Host_should_print_the_seeds_text_for_each_planet_and_the_summary_and_exit_0()
    {
        var run = await CrawlerProcess.RunAsync([Planet(0), Planet(1), Planet(2)]);
        Assert.True(run.ExitCode == 0, run.ToString());
        for (var n = 0; n < 3; n++)
        {
            Assert.Contains($"first article on {Planet(n)} :\n{Article(n)}\nArticle 1 of planet {n}\n\n", run.Stdout.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        }

        Assert.Matches(new Regex(@"^3 planets: 3 ok, 0 failed in \d+\.\d\d s$", RegexOptions.Multiline), run.Stderr);
    }

    [Fact]
    public async Task Host_should_print_one_json_object_per_planet_with_the_contract_fields()
    {
        var closed = $"http://127.0.0.1:{LoopbackHttpServer.ClosedPort()}/";
        var run = await CrawlerProcess.RunAsync(["--json", Planet(1), closed]);
        Assert.True(run.ExitCode == 1, run.ToString());
        var objects = run.StdoutLines.Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.Equal(2, objects.Count);
        string[] fields = ["planet", "ok", "article", "title", "error", "stage", "status", "message", "elapsedMs", "failedUrl", "attempts", "phase", "timings"];
        Assert.All(objects, o => Assert.Equal(fields, o.EnumerateObject().Select(p => p.Name)));

        var ok = objects.Single(o => o.GetProperty("planet").GetString() == Planet(1));
        Assert.True(ok.GetProperty("ok").GetBoolean());
        Assert.Equal(Article(1), ok.GetProperty("article").GetString());
        Assert.Equal("Article 1 of planet 1", ok.GetProperty("title").GetString());
        Assert.Equal(JsonValueKind.Null, ok.GetProperty("error").ValueKind);
        Assert.Equal(200, ok.GetProperty("status").GetInt32());
        var timings = ok.GetProperty("timings").EnumerateArray().ToList();
        Assert.Equal(2, timings.Count); // the planet, then its article
        Assert.Equal(Article(1), timings[1].GetProperty("url").GetString());
        Assert.All(timings, t => Assert.True(t.GetProperty("waitMs").GetDouble() >= 0));

        var failed = objects.Single(o => o.GetProperty("planet").GetString() == closed);
        Assert.False(failed.GetProperty("ok").GetBoolean());
        Assert.Equal("refused", failed.GetProperty("error").GetString());
        Assert.Equal("planet", failed.GetProperty("stage").GetString());
        Assert.Equal(JsonValueKind.Null, failed.GetProperty("status").ValueKind);
        Assert.Contains("127.0.0.1", failed.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("2 planets: 1 ok, 1 failed (refused 1) in", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Host_should_report_a_failure_as_the_seed_would_print_it_and_exit_1()
    {
        var missing = new Uri(_farm.BaseUri, "/planet/99").ToString();
        var run = await CrawlerProcess.RunAsync([missing, Planet(0)]);
        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains($"failed on {missing} : http-status: 404 ", run.Stdout, StringComparison.Ordinal);
        Assert.Contains($"first article on {Planet(0)} :", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Host_should_read_urls_from_a_file_skipping_blank_and_comment_lines()
    {
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, $"# planets\n\n{Planet(0)}\n   \n# {Planet(1)}\n{Planet(2)}\n");
        try
        {
            var run = await CrawlerProcess.RunAsync(["--json", "-f", file]);
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Equal([Planet(0), Planet(2)],
                run.StdoutLines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("planet").GetString()).Order());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Host_should_crawl_every_file_given_with_repeated_f_options_and_take_a_day_long_timeout()
    {
        var first = Path.GetTempFileName();
        var second = Path.GetTempFileName();
        await File.WriteAllTextAsync(first, $"{Planet(0)}\n");
        await File.WriteAllTextAsync(second, $"{Planet(1)}\n{Planet(2)}\n");
        try
        {
            var run = await CrawlerProcess.RunAsync(["--json", "--timeout", "86400", "-f", first, "-f", second]);
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Equal([Planet(0), Planet(1), Planet(2)],
                run.StdoutLines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("planet").GetString()).Order());
        }
        finally
        {
            File.Delete(first);
            File.Delete(second);
        }
    }

    [Fact]
    public async Task Host_should_make_a_20_MB_line_of_a_file_a_bad_url_and_crawl_the_next_line()
    {
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, Planet(0) + new string('a', 20 * 1024 * 1024) + "\n" + Planet(1) + "\n");
        try
        {
            var run = await CrawlerProcess.RunAsync(["--json", "-f", file]);

            Assert.True(run.ExitCode == 1, run.ToString()[..Math.Min(2000, run.ToString().Length)]);
            var results = run.StdoutLines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
            Assert.Equal(2, results.Count);
            Assert.Equal("bad-url", results.Single(r => !r.GetProperty("ok").GetBoolean()).GetProperty("error").GetString());
            Assert.Equal(Planet(1), results.Single(r => r.GetProperty("ok").GetBoolean()).GetProperty("planet").GetString());
            Assert.True(run.Stdout.Length < 100_000, "the long line is not echoed whole");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("short\nnext\n", 10, "short")]
    [InlineData("abcdefghijklmnop\nnext\n", 4, "abcde")]
    [InlineData("crlf\r\n", 10, "crlf")]
    [InlineData("no newline at the end", 100, "no newline at the end")]
    public void A_line_should_be_read_with_at_most_the_limit_kept(string text, int limit, string first)
    {
        using var reader = new StringReader(text);
        Assert.Equal(first, Inputs.ReadLine(reader, limit));
    }

    [Fact]
    public async Task Host_should_stream_a_file_longer_than_the_planets_in_flight()
    {
        var file = Path.GetTempFileName();
        var config = Path.GetTempFileName();
        await File.WriteAllLinesAsync(file, Enumerable.Range(0, 12).Select(i => Planet(i % 3)));
        await File.WriteAllTextAsync(config, "crawler.max-planets-in-flight = 2\n");
        try
        {
            var run = await CrawlerProcess.RunAsync(["--json", "--config", config, "-f", file]);
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Equal(12, run.StdoutLines.Length);
            Assert.Contains("12 planets: 12 ok, 0 failed in", run.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
            File.Delete(config);
        }
    }

    [Fact]
    public async Task Host_without_urls_should_say_on_stderr_which_configured_planets_it_crawls_and_crawl_them()
    {
        var config = Path.GetTempFileName();
        await File.WriteAllTextAsync(config, $"crawler.planets = [\"{Planet(1)}\", \"{Planet(2)}\"]\n");
        try
        {
            var run = await CrawlerProcess.RunAsync(["--json", "--config", config]);
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Equal(2, run.StdoutLines.Length);
            var notice = run.Stderr.ReplaceLineEndings("\n").Split('\n')[0];
            Assert.Contains(Planet(1), notice, StringComparison.Ordinal); // the first line names what is crawled
            Assert.Contains(Planet(2), notice, StringComparison.Ordinal);
            Assert.Equal(Inputs.DefaultPlanetsNotice([Planet(1), Planet(2)]), notice);
        }
        finally
        {
            File.Delete(config);
        }
    }

    [Fact]
    public async Task Serve_sample_should_print_its_url_serve_the_farm_to_a_crawl_and_end_with_0_on_a_signal()
    {
        CrawlerRun? crawl = null;
        var served = await CrawlerProcess.RunAndSignalAsync(["serve-sample", "--planets", "3", "--delay-ms", "0"], line =>
        {
            if (!line.StartsWith("http://127.0.0.1:", StringComparison.Ordinal))
            {
                return false;
            }

            // The other commands crawl it: a crawl of its three planets, while it serves.
            crawl = CrawlerProcess.RunAsync(["--json", .. Enumerable.Range(0, 3).Select(n => $"{line}planet/{n}")]).GetAwaiter().GetResult();
            return true;
        }, "INT");
        Assert.True(served.ExitCode == 0, served.ToString());
        Assert.NotNull(crawl);
        Assert.True(crawl.ExitCode == 0, crawl.ToString());
        Assert.Equal(3, crawl.StdoutLines.Length);
        Assert.All(crawl.StdoutLines, l => Assert.True(System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("ok").GetBoolean(), l));
    }

    [Fact]
    public async Task Serve_sample_should_refuse_urls_and_a_taken_port_as_bad_usage()
    {
        Assert.Equal(2, (await CrawlerProcess.RunAsync(["serve-sample", "http://127.0.0.1/"])).ExitCode);
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        var run = await CrawlerProcess.RunAsync(["serve-sample", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        Assert.True(run.ExitCode == 2, run.ToString());
    }

    [Theory]
    [InlineData("--quiet")]
    [InlineData("-q")]
    public async Task Host_with_quiet_should_write_the_results_alone_and_nothing_on_stderr(string quiet)
    {
        var config = Path.GetTempFileName();
        await File.WriteAllTextAsync(config, $"crawler.planets = [\"{Planet(1)}\", \"{Planet(2)}\"]\n");
        try
        {
            var run = await CrawlerProcess.RunAsync([quiet, "--json", "--config", config]); // no URL: no notice either
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Equal(2, run.StdoutLines.Length);
            Assert.Equal(string.Empty, run.Stderr);
        }
        finally
        {
            File.Delete(config);
        }
    }

    [Theory]
    [InlineData(true, "http://planet.debian.net", "http://127.0.0.1:8080/")]
    [InlineData(false, "http://127.0.0.1:8080/", "http://localhost/planet")]
    [InlineData(true, "not a url")]
    public void Planets_should_count_as_on_the_internet_when_any_is_not_on_a_loopback_host(bool internet, params string[] planets) =>
        Assert.Equal(internet, Inputs.AnyOnTheInternet(planets));

    [Fact]
    public async Task Host_should_read_urls_from_stdin_when_the_file_is_a_dash()
    {
        var run = await CrawlerProcess.RunAsync(["--file", "-", "--sequential"], stdin: $"{Planet(1)}\n{Planet(2)}\n");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("2 planets: 2 ok", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Host_should_draw_the_timeline_of_every_request_as_an_html_page()
    {
        var path = Path.Combine(Path.GetTempPath(), $"crawler-timeline-{Guid.NewGuid():N}.html");
        try
        {
            var run = await CrawlerProcess.RunAsync(["--timeline", path, Planet(1), Planet(2)]);
            Assert.True(run.ExitCode == 0, run.ToString());
            var page = await File.ReadAllTextAsync(path);
            Assert.StartsWith("<!DOCTYPE html>", page, StringComparison.Ordinal);
            // Two planets, two articles, and the robots.txt request of the farm's one host, drawn with the planet that waited.
            Assert.Equal(5, System.Text.RegularExpressions.Regex.Matches(page, "<g><title>").Count);
            Assert.Single(System.Text.RegularExpressions.Regex.Matches(page, "<g><title>planet \\d+: robots.txt "));
            Assert.Contains(Article(2), page, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Host_should_print_each_pages_title_in_the_titles_job_as_often_as_repeated()
    {
        var run = await CrawlerProcess.RunAsync(["titles", "--repeat", "3", _farm.BaseUri.ToString()]);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(Enumerable.Repeat($"{_farm.BaseUri} : Planet farm", 3), run.StdoutLines);
        Assert.Contains("3 pages: 3 ok, 0 failed in", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Host_should_print_the_titles_json_fields()
    {
        var run = await CrawlerProcess.RunAsync(["titles", "--json", _farm.BaseUri.ToString()]);
        Assert.True(run.ExitCode == 0, run.ToString());
        var o = JsonDocument.Parse(Assert.Single(run.StdoutLines)).RootElement;
        Assert.Equal(["url", "ok", "title", "error", "status", "message", "elapsedMs", "failedUrl", "attempts", "phase", "timings"], o.EnumerateObject().Select(p => p.Name));
        Assert.Equal("Planet farm", o.GetProperty("title").GetString());
    }

    [Fact]
    public async Task Host_should_apply_selectors_from_the_command_line()
    {
        var run = await CrawlerProcess.RunAsync(["--article-selector", "div.entry:nth-of-type(2) h3 a", "--title-selector", "p", Planet(0)]);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"{new Uri(_farm.BaseUri, "/article/0/2")}\nArticle 2 of planet 0.\n", run.Stdout.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Host_should_take_the_seeds_xpath_selectors_as_written()
    {
        var run = await CrawlerProcess.RunAsync(["--article-selector", "//h3/a/@href", "--title-selector", "/html/head/title", Planet(1)]);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"first article on {Planet(1)} :\n{Article(1)}\nArticle 1 of planet 1\n", run.Stdout.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Host_should_obey_robots_txt_for_its_user_agent_unless_told_to_ignore_it()
    {
        await using var site = LoopbackHttpServer.Start(r => r.Target == "/robots.txt"
            ? ServerAction.Ok("User-agent: PoliteBot\nDisallow: /\n", "text/plain")
            : r.Target == "/planet" ? ServerAction.Ok("<h3><a href=\"/a\">a</a></h3>") : ServerAction.Ok("<title>A</title>"), scriptRobots: true);
        var planet = site.Url("/planet").ToString();

        var run = await CrawlerProcess.RunAsync(["--user-agent", "PoliteBot/2.0", planet]);
        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains($"failed on {planet} : robots: ", run.Stdout, StringComparison.Ordinal);

        run = await CrawlerProcess.RunAsync(["--user-agent", "PoliteBot/2.0", "--ignore-robots", planet]);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("PoliteBot/2.0", site.Requests[^1].Header("User-Agent"));
    }

    [Fact]
    public async Task Host_should_run_the_demo_and_print_the_speed_up()
    {
        var run = await CrawlerProcess.RunAsync(["demo", "--planets", "3", "--delay-ms", "50"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Matches(@"^concurrent \d+\.\d\d s, sequential \d+\.\d\d s: \d+\.\dx$", run.StdoutLines[^1]);
        Assert.Equal(3, run.StdoutLines.Count(l => l.StartsWith("first article on ", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("--no-such-option")]
    [InlineData("--timeout", "soon")]
    [InlineData("--repeat", "0")]
    [InlineData("--file", "/nonexistent/urls.txt")]
    [InlineData("--article-selector", "h3[")]
    [InlineData("--title-selector", "//title[")]
    [InlineData("--config", "/nonexistent/crawler.conf")]
    [InlineData("titles")]
    [InlineData("demo", "http://127.0.0.1/")]
    [InlineData("--json", "--file")]
    [InlineData("--timeline", "/nonexistent/timeline.svg")]
    [InlineData("--user-agent", "a\r\nInjected: yes", "http://127.0.0.1/")]
    [InlineData("demo", "--planets", "1000000000")]
    [InlineData("titles", "--repeat", "2147483647", "http://127.0.0.1/")]
    [InlineData("--timeout", "3000000", "http://127.0.0.1/")]
    [InlineData("titles", "-f", "/")]
    [InlineData("--timeline", "/", "http://127.0.0.1/")]
    [InlineData("--timeline", "/proc/self/timeline.svg", "http://127.0.0.1/")]
    public async Task Host_should_refuse_bad_usage_with_one_line_and_exit_2(params string[] args)
    {
        var run = await CrawlerProcess.RunAsync(args);
        Assert.True(run.ExitCode == 2, run.ToString());
        var lines = run.Stderr.ReplaceLineEndings("\n").Trim().Split('\n');
        Assert.Single(lines);
        Assert.StartsWith("crawler: ", lines[0], StringComparison.Ordinal);
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public async Task Host_should_refuse_an_empty_file_and_an_invalid_hocon_file_with_exit_2()
    {
        var empty = Path.GetTempFileName();
        var badConfig = Path.GetTempFileName();
        await File.WriteAllTextAsync(empty, "# nothing\n\n");
        await File.WriteAllTextAsync(badConfig, "crawler { http { connect-timeout = ");
        try
        {
            var run = await CrawlerProcess.RunAsync(["-f", empty]);
            Assert.True(run.ExitCode == 2, run.ToString());
            Assert.StartsWith("crawler: ", run.Stderr, StringComparison.Ordinal);
            Assert.Single(run.Stderr.Trim().Split('\n')); // one clear line
            run = await CrawlerProcess.RunAsync(["--config", badConfig, Planet(0)]);
            Assert.True(run.ExitCode == 2, run.ToString());
            Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(empty);
            File.Delete(badConfig);
        }
    }

    [Theory]
    [InlineData("crawler {\n  http {\n    pipelining = on\n", "2")] // unbalanced braces: the keys before must not apply
    [InlineData("crawler.robots.enabled = off\n\u0000\u0001garbage ;;; }}}\n", "2")]
    [InlineData("crawler.http.connect-timeout = banana\n", null)]
    [InlineData("akka.loglevel = BANANA\n", null)]
    [InlineData("include \"missing.conf\"\n", "1")]
    [InlineData("crawler.robots.enabled = off\ncrawler.titel-selector = \"h1\"\n", "2")]
    public async Task Host_should_refuse_a_bad_config_file_with_one_line_naming_it_and_exit_2(string content, string? line)
    {
        var config = Path.GetTempFileName();
        await File.WriteAllTextAsync(config, content);
        try
        {
            var run = await CrawlerProcess.RunAsync(["titles", "--config", config, "--timeout", "5", Planet(0)]);

            Assert.True(run.ExitCode == 2, run.ToString());
            var lines = run.Stderr.ReplaceLineEndings("\n").Trim().Split('\n');
            Assert.StartsWith("crawler: ", Assert.Single(lines), StringComparison.Ordinal);
            if (line is not null)
            {
                Assert.Contains($"{config}:{line}:", lines[0], StringComparison.Ordinal);
            }

            Assert.Equal("", run.Stdout);
        }
        finally
        {
            File.Delete(config);
        }
    }

    [Fact]
    public async Task Host_should_take_settings_from_a_config_file()
    {
        var config = Path.GetTempFileName();
        await File.WriteAllTextAsync(config, "crawler.title-selector = \"h1\"\n");
        try
        {
            var run = await CrawlerProcess.RunAsync(["titles", "--config", config, Planet(2)]);
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Equal([$"{Planet(2)} : Planet 2"], run.StdoutLines);
        }
        finally
        {
            File.Delete(config);
        }
    }

    [Fact]
    public async Task Host_should_print_usage_for_help() =>
        Assert.Contains("usage: crawler", (await CrawlerProcess.RunAsync(["--help"])).Stdout, StringComparison.Ordinal);
}
