using System.Globalization;
using System.Text.Json;
using Crawler.SampleSite;
using Crawler.Testing;

namespace Crawler.Tests;

/// <summary>Resumable jobs end to end: the real executable, a SQLite journal in a temp folder, the sample farm on
/// 127.0.0.1 counting the requests it serves, and a crawler process stopped by SIGKILL or SIGINT (by its PID).</summary>
public sealed class JobSpecs : IAsyncLifetime
{
    private const int Planets = 24;
    private readonly string _folder = Directory.CreateTempSubdirectory("crawler-jobs-").FullName;
    private PlanetFarm _farm = null!;

    private string Journal => Path.Combine(_folder, "crawl.db");

    public async Task InitializeAsync() => _farm = await PlanetFarm.StartAsync(new PlanetFarmOptions(Planets, TimeSpan.FromMilliseconds(150)));

    public async Task DisposeAsync()
    {
        await _farm.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>The job's command: two connections to the farm, so that the crawl takes a few seconds.</summary>
    private string[] Job(string name, params string[] more) =>
        ["--job", name, "--journal", Journal, "--json", "--max-connections-per-host", "2", .. more, .. _farm.PlanetUrls];

    [Fact]
    public async Task A_job_killed_with_SIGKILL_and_run_again_prints_every_planet_once_and_fetches_only_what_was_not_done()
    {
        var printed = 0;
        var killed = await CrawlerProcess.RunAndSignalAsync(Job("killed"), _ => ++printed == 6, "KILL");
        Assert.True(killed.ExitCode == 137, killed.ToString());
        var first = killed.StdoutLines;
        var done = Done("killed");
        Assert.InRange(done, first.Length, Planets - 1); // everything printed was written first (a few more may be written, not printed)

        var before = _farm.RequestCount;
        var again = await CrawlerProcess.RunAsync(Job("killed"));
        Assert.True(again.ExitCode == 0, again.ToString());
        var fetched = _farm.RequestCount - before;

        var planets = again.StdoutLines.Select(line => JsonDocument.Parse(line).RootElement.GetProperty("planet").GetString()).ToList();
        Assert.Equal(_farm.PlanetUrls.Order(StringComparer.Ordinal), planets.Order(StringComparer.Ordinal)); // every planet exactly once
        Assert.All(first, line => Assert.Contains(line, again.StdoutLines)); // what the killed run printed, again as it was
        Assert.All(again.StdoutLines, line => Assert.True(JsonDocument.Parse(line).RootElement.GetProperty("ok").GetBoolean(), line));

        // Two requests a planet left (the planet and its article), and the host's robots.txt once.
        Assert.InRange(fetched, 2 * (Planets - done), 2 * (Planets - done) + 1);
        Assert.Equal(Planets, Done("killed"));
    }

    [Fact]
    public async Task A_job_interrupted_with_Ctrl_C_keeps_what_finished_and_not_the_cancelled_planets()
    {
        var printed = 0;
        var interrupted = await CrawlerProcess.RunAndSignalAsync(Job("interrupted"), line =>
            JsonDocument.Parse(line).RootElement.GetProperty("ok").GetBoolean() && ++printed == 4, "INT");
        Assert.True(interrupted.ExitCode == 130, interrupted.ToString());
        var finished = interrupted.StdoutLines.Count(line => JsonDocument.Parse(line).RootElement.GetProperty("ok").GetBoolean());
        Assert.Equal(finished, Done("interrupted")); // the cancelled planets were printed, not written

        var again = await CrawlerProcess.RunAsync(Job("interrupted"));
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(Planets, again.StdoutLines.Length);
        Assert.Equal(Planets, again.StdoutLines.Select(line => JsonDocument.Parse(line).RootElement.GetProperty("planet").GetString()).Distinct().Count());
    }

    [Fact]
    public async Task A_finished_job_run_again_fetches_nothing_and_a_changed_one_is_refused_until_fresh()
    {
        var first = await CrawlerProcess.RunAsync(Job("done"));
        Assert.True(first.ExitCode == 0, first.ToString());

        var before = _farm.RequestCount;
        var again = await CrawlerProcess.RunAsync(Job("done"));
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(first.StdoutLines.Order(StringComparer.Ordinal), again.StdoutLines.Order(StringComparer.Ordinal));
        Assert.Equal(before, _farm.RequestCount);

        // Other options that decide results, other URLs, the other job: said (one line), exit 2, the job left alone.
        foreach (var changed in new[]
                 {
                     Job("done", "--title-selector", "h1"),
                     ["--job", "done", "--journal", Journal, .. _farm.PlanetUrls.Take(3)],
                     ["titles", "--job", "done", "--journal", Journal, .. _farm.PlanetUrls],
                 })
        {
            var refused = await CrawlerProcess.RunAsync(changed);
            Assert.True(refused.ExitCode == 2, refused.ToString());
            Assert.Empty(refused.Stdout);
            Assert.Single(refused.Stderr.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }

        Assert.Equal(before, _farm.RequestCount);

        // Options that only shape how the crawl runs may change; --fresh starts the job over.
        Assert.Equal(0, (await CrawlerProcess.RunAsync(Job("done", "--retries", "0", "--timeout", "20"))).ExitCode);
        var fresh = await CrawlerProcess.RunAsync(Job("done", "--title-selector", "h1", "--fresh"));
        Assert.True(fresh.ExitCode == 1, fresh.ToString()); // the farm's pages have no h1: no-title, fetched anew
        Assert.Equal(before + 2 * Planets + 1, _farm.RequestCount);
    }

    [Fact]
    public async Task Jobs_lists_each_job_of_a_journal_with_its_progress()
    {
        Assert.Equal(0, (await CrawlerProcess.RunAsync(Job("listed"))).ExitCode);
        Assert.Equal(0, (await CrawlerProcess.RunAsync(["titles", "--job", "pages", "--journal", Journal, _farm.PlanetUrls[0]])).ExitCode);

        var jobs = await CrawlerProcess.RunAsync(["jobs", "--journal", Journal, "--json"]);
        Assert.True(jobs.ExitCode == 0, jobs.ToString());
        var rows = jobs.StdoutLines.Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.Equal(["listed", "pages"], rows.Select(r => r.GetProperty("job").GetString()));
        Assert.Equal(("planets", Planets, Planets, true), (rows[0].GetProperty("mode").GetString(), rows[0].GetProperty("planets").GetInt32(),
            rows[0].GetProperty("done").GetInt32(), rows[0].GetProperty("finished").GetBoolean()));
        Assert.Equal(("titles", 1), (rows[1].GetProperty("mode").GetString(), rows[1].GetProperty("ok").GetInt32()));

        var text = await CrawlerProcess.RunAsync(["jobs", "--journal", Journal]);
        Assert.Equal(2, text.StdoutLines.Length);
    }

    [Fact]
    public async Task A_journal_that_is_not_a_database_is_read_only_or_missing_is_bad_usage()
    {
        var text = Path.Combine(_folder, "notes.db");
        await File.WriteAllTextAsync(text, "not a database, only words\n" + new string('.', 100));
        var readOnly = Path.Combine(_folder, "read-only.db");
        Assert.Equal(0, (await CrawlerProcess.RunAsync(["--job", "x", "--journal", readOnly, _farm.PlanetUrls[0]])).ExitCode);
        TestFiles.MakeReadOnly(readOnly);

        foreach (var args in new[]
                 {
                     new[] { "--job", "x", "--journal", text, _farm.PlanetUrls[0] },
                     ["--job", "x", "--journal", readOnly, _farm.PlanetUrls[0]],
                     ["--job", "x", "--journal", Path.Combine(_folder, "no-such-folder", "crawl.db"), _farm.PlanetUrls[0]],
                     ["jobs", "--journal", Path.Combine(_folder, "absent.db")],
                     ["--job", "x", _farm.PlanetUrls[0]],
                     ["--job", "two words", "--journal", Journal, _farm.PlanetUrls[0]],
                 })
        {
            var run = await CrawlerProcess.RunAsync(args);
            Assert.True(run.ExitCode == 2, run.ToString());
            Assert.Single(run.Stderr.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
        }

        Assert.StartsWith("not a database", await File.ReadAllTextAsync(text), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_folder, "absent.db")));
    }

    private int Done(string job)
    {
        var jobs = CrawlerProcess.RunAsync(["jobs", "--journal", Journal, "--json"]).GetAwaiter().GetResult();
        Assert.True(jobs.ExitCode == 0, jobs.ToString());
        return jobs.StdoutLines.Select(line => JsonDocument.Parse(line).RootElement)
            .Where(row => row.GetProperty("job").GetString() == job)
            .Select(row => row.GetProperty("done").GetInt32())
            .Single();
    }
}
