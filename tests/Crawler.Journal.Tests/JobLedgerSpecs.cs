using Akka.Actor;
using Akka.Configuration;
using Crawler.Core;
using Crawler.Testing;
using Xunit.Abstractions;

namespace Crawler.Journal.Tests;

/// <summary>The ledger and the journal printer over a real SQLite file, each spec its own; a second ActorSystem on the
/// same file stands for the next run of the job. Every event really goes through <see cref="JournalSerializer"/> into
/// SQLite and back. (<c>akka.actor.serialize-messages</c> stays off here: Akka.Persistence.Sql's own internal message
/// <c>WriteFinished</c> cannot be serialized, so the switch breaks the plugin, not our messages.)</summary>
public sealed class JobLedgerSpecs : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private static readonly JobStarted Start = new(CrawlMode.Planets, "options", "urls", 4, DateTimeOffset.UnixEpoch);
    private readonly string _folder;
    private readonly List<ActorSystem> _later = [];

    public JobLedgerSpecs(ITestOutputHelper output)
        : this(Directory.CreateTempSubdirectory("crawler-ledger-").FullName, output)
    {
    }

    private JobLedgerSpecs(string folder, ITestOutputHelper output)
        : base(Hocon(folder), "journal", output) => _folder = folder;

    private static Config Hocon(string folder) =>
        ConfigurationFactory.ParseString("""
                akka.test.timefactor = 3
                """)
            .WithFallback(JournalConfig.For(JournalFile.Open(Path.Combine(folder, "journal.db"))));

    [Fact]
    public async Task A_job_run_again_finds_its_results_and_keeps_each_planet_once()
    {
        var ledger = Sys.ActorOf(JobLedger.Props("planets-1"));
        var opened = await ledger.Ask<JobLedger.Opened>(new JobLedger.Open(Start, Fresh: false));
        Assert.Equal(JobMatch.New, opened.Match);
        foreach (var result in new Crawl.PlanetResult[] { Results.Ok(0), Results.Failed(2), Results.Ok(2) })
        {
            ledger.Tell(new JobLedger.Record(result), TestActor);
            Assert.Equal(result.Index, (await ExpectMsgAsync<JobLedger.Recorded>()).Result.Index);
        }

        var again = await Later().ActorOf(JobLedger.Props("planets-1")).Ask<JobLedger.Opened>(new JobLedger.Open(Start, Fresh: false));
        Assert.Equal(JobMatch.Same, again.Match);
        Assert.Equal([0, 2], again.State.Results.Keys);
        Assert.IsType<Crawl.PlanetFailed>(again.State.Results[2]); // the first result of a planet stands
        Assert.Equal([1, 3], again.State.Remaining(4).ToArray());
    }

    [Fact]
    public async Task A_run_with_other_options_leaves_the_job_alone_and_fresh_starts_it_over()
    {
        var ledger = Sys.ActorOf(JobLedger.Props("planets-2"));
        await ledger.Ask<JobLedger.Opened>(new JobLedger.Open(Start, Fresh: false));
        ledger.Tell(new JobLedger.Record(Results.Ok(1)), TestActor);
        await ExpectMsgAsync<JobLedger.Recorded>();

        var refused = await ledger.Ask<JobLedger.Opened>(new JobLedger.Open(Start with { OptionsHash = "other" }, Fresh: false));
        Assert.Equal(JobMatch.DifferentOptions, refused.Match);
        Assert.Equal("options", refused.State.Started!.OptionsHash);

        var fresh = await ledger.Ask<JobLedger.Opened>(new JobLedger.Open(Start with { OptionsHash = "other" }, Fresh: true));
        Assert.Equal(JobMatch.New, fresh.Match);
        Assert.Empty(fresh.State.Results);

        var later = await Later().ActorOf(JobLedger.Props("planets-2")).Ask<JobLedger.Opened>(new JobLedger.Open(Start with { OptionsHash = "other" }, Fresh: false));
        Assert.Equal(JobMatch.Same, later.Match);
        Assert.Empty(later.State.Results);
        Assert.Equal(JobMatch.New, (await Later().ActorOf(JobLedger.Props("planets-3")).Ask<JobLedger.Opened>(new JobLedger.Open(Start, false))).Match);
    }

    [Fact]
    public async Task The_journal_printer_shows_the_whole_job_and_passes_each_result_on_once_it_is_written()
    {
        var ledger = Sys.ActorOf(JobLedger.Props("planets-4"));
        await ledger.Ask<JobLedger.Opened>(new JobLedger.Open(Start, Fresh: false));
        var printer = CreateTestProbe();
        var journalPrinter = Sys.ActorOf(JournalPrinter.Props(ledger, [1, 3], 4, [Results.Ok(0), Results.Failed(2)], ForwardingPrinter.Props(printer)));

        // The coordinator crawls the two planets left, as its planets 0 and 1.
        journalPrinter.Tell(new Crawl.CrawlStarted(2, CrawlMode.Planets) { CrawlId = "run-2" });
        journalPrinter.Tell(Results.Ok(0) with { CrawlId = "run-2" });
        journalPrinter.Tell(Results.Failed(1, ErrorKind.Cancelled) with { CrawlId = "run-2" });
        journalPrinter.Tell(new Crawl.CrawlFinished(2));

        Assert.Equal(4, (await printer.ExpectMsgAsync<Crawl.CrawlStarted>()).PlanetCount);
        var indices = new List<int>();
        for (var i = 0; i < 4; i++)
        {
            indices.Add((await printer.ExpectMsgAsync<Crawl.PlanetResult>()).Index);
        }

        Assert.Equal([0, 2, 3, 1], indices); // what was done, then the new results as they come (the cancelled one unwritten)
        Assert.Equal(4, (await printer.ExpectMsgAsync<Crawl.CrawlFinished>()).PlanetCount);

        // Only the final result was written: the cancelled planet is crawled next time.
        var later = await Later().ActorOf(JobLedger.Props("planets-4")).Ask<JobLedger.Opened>(new JobLedger.Open(Start, Fresh: false));
        Assert.Equal([1], later.State.Results.Keys);
        Assert.Equal("http://127.0.0.1:1/planet/0", later.State.Results[1].Planet); // the planet 0 of the run is planet 1 of the job
    }

    [Fact]
    public async Task When_the_journal_stops_the_results_still_reach_the_printer()
    {
        var ledger = Sys.ActorOf(JobLedger.Props("planets-5"));
        await ledger.Ask<JobLedger.Opened>(new JobLedger.Open(Start, Fresh: false));
        var printer = CreateTestProbe();
        var journalPrinter = Sys.ActorOf(JournalPrinter.Props(ledger, [0, 1, 2, 3], 4, [], ForwardingPrinter.Props(printer)));
        journalPrinter.Tell(new Crawl.CrawlStarted(4, CrawlMode.Planets));
        await printer.ExpectMsgAsync<Crawl.CrawlStarted>();
        Watch(ledger);
        Sys.Stop(ledger);
        await ExpectTerminatedAsync(ledger);
        foreach (var index in new[] { 0, 1, 2, 3 })
        {
            journalPrinter.Tell(Results.Ok(index));
        }

        journalPrinter.Tell(new Crawl.CrawlFinished(4));
        for (var i = 0; i < 4; i++)
        {
            await printer.ExpectMsgAsync<Crawl.PlanetResult>();
        }

        await printer.ExpectMsgAsync<Crawl.CrawlFinished>();
    }

    protected override void AfterAll()
    {
        foreach (var system in _later)
        {
            system.Terminate().Wait(TimeSpan.FromSeconds(10));
        }

        base.AfterAll();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // a handle the plugin has not let go yet: the temp folder is cleaned by the machine
        }
    }

    private ActorSystem Later()
    {
        var system = ActorSystem.Create("later", Hocon(_folder));
        _later.Add(system);
        return system;
    }
}
