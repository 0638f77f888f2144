using System.Globalization;
using Akka.Actor;
using Akka.Configuration;
using Crawler.Core;
using Crawler.Core.Configuration;
using Crawler.Core.Output;
using Crawler.Http;
using Crawler.Journal;

namespace Crawler;

/// <summary>
/// <c>crawler --job NAME --journal FILE [options] URL ...</c>: a crawl whose results are kept in a journal as they come
/// (each written before it is printed). Run again, the same command prints what the journal holds and crawls only the
/// planets without a result, so a crawl stopped by Ctrl-C, SIGKILL or a power cut finishes where it was. A run whose
/// planets, job or result-deciding options differ from the job's is refused (exit 2) unless <c>--fresh</c> starts the
/// job over. <c>crawler jobs --journal FILE</c> lists the jobs a journal holds.
/// </summary>
internal static class JobCommand
{
    /// <summary>How long the journal may take to recover a job before the run gives up.</summary>
    private static readonly TimeSpan OpenTimeout = TimeSpan.FromSeconds(60);

    /// <summary><paramref name="config"/> with the journal of <paramref name="line"/>, checked before any actor opens it:
    /// a file that is not a database, is read-only or is missing is bad usage.</summary>
    /// <exception cref="UsageException">The journal cannot be used.</exception>
    public static Config WithJournal(Config config, CommandLine line)
    {
        try
        {
            return config.WithFallback(JournalConfig.For(JournalFile.Open(line.Journal!, create: line.Command != Command.Jobs)));
        }
        catch (JournalException e)
        {
            throw new UsageException(e.Message);
        }
    }

    public static async Task<int> RunAsync(ActorSystem system, CommandLine line, IReadOnlyList<string> urls, Config config,
        CrawlerSettings settings, ResultFormat format, GuardedWriter stdout, TextWriter stderr, bool terminal)
    {
        var name = line.Job!;
        var mode = line.Command == Command.Titles ? CrawlMode.Titles : CrawlMode.Planets;
        var start = JobFingerprint.Start(mode, urls, config.GetConfig("crawler"), DateTimeOffset.UtcNow);
        var ledger = system.ActorOf(JobLedger.Props(name).On(settings.Dispatcher), "job-ledger");
        JobLedger.Opened opened;
        try
        {
            opened = await OpenAsync(ledger, new JobLedger.Open(start, line.Fresh)).ConfigureAwait(false);
        }
        catch (JournalException e)
        {
            await stderr.WriteLineAsync($"crawler: job '{name}' in '{line.Journal}': {e.Message}").ConfigureAwait(false);
            await system.Terminate().ConfigureAwait(false);
            return CrawlerApp.ExitUsage;
        }

        if (Refusal(opened.Match) is { } why)
        {
            await stderr.WriteLineAsync($"crawler: job '{name}' in '{line.Journal}' was started {why}; run it as it was started, " +
                "or add --fresh to start it over").ConfigureAwait(false);
            await system.Terminate().ConfigureAwait(false);
            return CrawlerApp.ExitUsage;
        }

        var remaining = opened.State.Remaining(urls.Count);
        if (opened.State.Done > 0 && !line.Quiet)
        {
            await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"job '{name}': {opened.State.Done} of {urls.Count} planets were done before (printed first); crawling the other {remaining.Length}"))
                .ConfigureAwait(false);
        }

        var done = opened.State.Results.Values.ToArray();
        return await CrawlerApp.CrawlAsync(system, line, [.. remaining.Select(index => urls[index])], null, settings, format, stdout, stderr,
            terminal, printer => JournalPrinter.Props(ledger, remaining, urls.Count, done, printer.On(settings.Dispatcher))).ConfigureAwait(false);
    }

    /// <summary><c>crawler jobs --journal FILE</c>: one line per job (or one JSON object with --json), in name order.</summary>
    public static async Task<int> ListAsync(ActorSystem system, CommandLine line, ResultFormat format, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            IReadOnlyList<(string Name, JobState State)> jobs;
            try
            {
                jobs = await JobCatalog.ListAsync(system, OpenTimeout).ConfigureAwait(false);
            }
            catch (Exception e) when (e is TimeoutException or JournalException)
            {
                await stderr.WriteLineAsync($"crawler: cannot read the jobs of '{line.Journal}': {e.Message}").ConfigureAwait(false);
                return CrawlerApp.ExitUsage;
            }

            foreach (var (name, state) in jobs)
            {
                await stdout.WriteAsync(JobCatalog.Format(name, state, format)).ConfigureAwait(false);
            }

            if (jobs.Count == 0 && !line.Quiet)
            {
                await stderr.WriteLineAsync($"'{line.Journal}' holds no jobs").ConfigureAwait(false);
            }

            return CrawlerApp.ExitOk;
        }
        finally
        {
            await system.Terminate().ConfigureAwait(false);
        }
    }

    private static async Task<JobLedger.Opened> OpenAsync(IActorRef ledger, JobLedger.Open open)
    {
        // A ledger whose recovery fails stops: its death ends the wait at once, not the timeout.
        using var stop = new CancellationTokenSource();
        var died = ledger.WatchAsync(stop.Token);
        var answer = ledger.Ask<JobLedger.Opened>(open, OpenTimeout);
        var first = await Task.WhenAny(answer, died).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        if (first == answer && answer.IsCompletedSuccessfully)
        {
            return answer.Result;
        }

        if (first == died)
        {
            throw new JournalException("the journal could not be read (see the log above)");
        }

        throw new JournalException(string.Create(CultureInfo.InvariantCulture,
            $"the journal did not answer in {OpenTimeout.TotalSeconds:0} s"));
    }

    private static string? Refusal(JobMatch match) => match switch
    {
        JobMatch.DifferentMode => "as the other job (planets or titles)",
        JobMatch.DifferentOptions => "with different options (selectors, user agent, robots.txt, TLS validation or limits)",
        JobMatch.DifferentUrls => "with different URLs",
        _ => null,
    };
}
