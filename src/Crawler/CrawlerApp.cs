using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Akka.Configuration;
using Akka.Streams;
using Akka.Streams.Dsl;
using Crawler.Core;
using Crawler.Core.Configuration;
using Crawler.Core.Embedding;
using Crawler.Core.Extraction;
using Crawler.Core.Output;
using Crawler.SampleSite;
using Serilog;
using Serilog.Events;
using Crawler.Core.Coordination;

namespace Crawler;

/// <summary>The console host: parses the command line, builds the configuration, runs the job in an ActorSystem of
/// its own and turns the outcome into an exit code (0 all ok, 1 some failed, 2 bad usage).</summary>
internal static class CrawlerApp
{
    public const int ExitOk = 0;
    public const int ExitFailures = 1;
    public const int ExitUsage = 2;
    public const int ExitInterrupted = 130;

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, Func<Stream> rawStdout, bool stdoutClosed = false)
    {
        var output = new GuardedWriter(stdout, stdoutClosed ? new IOException("stdout is closed") : null);
        var errors = new GuardedWriter(stderr);
        var exit = await RunAsync(args, output, errors, rawStdout, terminal: stderr == Console.Error).ConfigureAwait(false);
        await output.FlushAsync().ConfigureAwait(false); // what is still buffered fails here, guarded, not at exit
        if (output.Failure is { } failure && exit is ExitOk or ExitFailures)
        {
            // Results that could not be written are a failed run; a reader that went away (a closed pipe) is told
            // nothing, as Unix tools do.
            if (!output.PipeClosed)
            {
                await errors.WriteLineAsync($"crawler: cannot write the results: {failure.Message}").ConfigureAwait(false);
            }

            return ExitFailures;
        }

        return exit;
    }

    private static async Task<int> RunAsync(string[] args, GuardedWriter stdout, GuardedWriter stderr, Func<Stream> rawStdout, bool terminal)
    {
        // AngleSharp's first parse costs tens of milliseconds; a spare core pays it while the ActorSystem starts.
        if (args.Length == 0 || args[0] is not ("get" or "--help" or "-h"))
        {
            _ = Task.Run(PageExtractor.WarmUp);
        }

        CommandLine line;
        Config config;
        CrawlerSettings settings;
        IReadOnlyList<string> urls;
        IEnumerable<string>? fileUrls = null;
        try
        {
            line = CommandLine.Parse(args);
            if (line.Command == Command.Help)
            {
                await stdout.WriteLineAsync(CommandLine.Usage).ConfigureAwait(false);
                return ExitOk;
            }

            if (stdout.Failure is not null && line.Command is not Command.Help)
            {
                return ExitFailures; // nowhere to write the results: said by the caller
            }

            if (line.Command == Command.ServeSample)
            {
                return await ServeSampleAsync(line, stdout, stderr).ConfigureAwait(false);
            }

            config = HostConfig.Build(line);
            settings = CrawlerSettings.Create(config.GetConfig("crawler"));
            urls = line.Command is Command.Demo or Command.Get ? line.Urls : Inputs.FromCommandLine(line, settings);
            if (line.Command is Command.Planets && line.Urls.Count == 0 && line.Files.Count == 0 && !line.Quiet)
            {
                await stderr.WriteLineAsync(Inputs.DefaultPlanetsNotice(settings.Planets)).ConfigureAwait(false);
            }
            if (line.Files.Count > 0 && line.Command is Command.Planets or Command.Titles or Command.Submit)
            {
                // A file that fits in one round of planets in flight is read at once; a longer one is streamed.
                // A job's planets are all read first: the journal compares them with the job's, and knows them by
                // index; so are a cluster crawl's, which go to its ledger.
                var small = line.Job is null && line.Command != Command.Submit ? settings.MaxPlanetsInFlight : int.MaxValue;
                fileUrls = Inputs.OpenFiles(line.Files, line.Repeat, out var all, small, settings.MaxUrlLength);
                if (all is not null)
                {
                    urls = [.. urls, .. all];
                    fileUrls = null;
                }
            }

            if (line.Journal is not null)
            {
                config = JobCommand.WithJournal(config, line); // only a job loads the journal's assemblies
            }
        }
        catch (UsageException e)
        {
            await stderr.WriteLineAsync($"crawler: {e.Message}").ConfigureAwait(false);
            return ExitUsage;
        }
        catch (ConfigurationException e)
        {
            await stderr.WriteLineAsync($"crawler: bad configuration: {e.Message.Split('\n')[0].Trim()}").ConfigureAwait(false);
            return ExitUsage;
        }

        Log.Logger = new LoggerConfiguration()
            .MinimumLevel.Is(line.Verbose ? LogEventLevel.Debug : LogEventLevel.Warning)
            .WriteTo.Console(standardErrorFromLevel: LogEventLevel.Verbose,
                outputTemplate: "[{Timestamp:HH:mm:ss.fff} {Level:u3}] {Message:lj}{NewLine}{Exception}",
                formatProvider: CultureInfo.InvariantCulture)
            .CreateLogger();
        try
        {
            if (line.Command is Command.Node or Command.Submit or Command.Status or Command.Cancel)
            {
                return await ClusterCommand.RunAsync(line, config, urls, settings, stdout, stderr, terminal).ConfigureAwait(false);
            }

            ActorSystem system;
            try
            {
                system = ActorSystem.Create("crawler", config);
            }
            catch (Exception e) when (e is ConfigurationException or ArgumentException or FormatException or TypeLoadException)
            {
                // What Akka refuses of the akka.* configuration only when the system starts.
                await stderr.WriteLineAsync($"crawler: bad configuration: {e.Message.Split('\n')[0].Trim()}").ConfigureAwait(false);
                return ExitUsage;
            }

            SchedulerWarmUp.Ensure(system);
            var format = line.Json ? ResultFormat.Json : ResultFormat.Text;
            switch (line.Command)
            {
                case Command.Demo:
                    return await DemoAsync(system, line, settings, format, stdout, stderr).ConfigureAwait(false);
                case Command.Get:
                    try
                    {
                        return await GetCommand.RunAsync(system, line, settings, rawStdout(), stderr).ConfigureAwait(false);
                    }
                    finally
                    {
                        await system.Terminate().ConfigureAwait(false);
                    }

                case Command.Jobs:
                    return await JobCommand.ListAsync(system, line, format, stdout, stderr).ConfigureAwait(false);
                case Command.Planets or Command.Titles when line.Job is not null:
                    return await JobCommand.RunAsync(system, line, urls, config, settings, format, stdout, stderr, terminal).ConfigureAwait(false);
                default:
                    return await CrawlAsync(system, line, urls, fileUrls, settings, format, stdout, stderr, terminal).ConfigureAwait(false);
            }
        }
        finally
        {
            await Log.CloseAndFlushAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Runs the crawl of <paramref name="urls"/> (then <paramref name="fileUrls"/>, streamed) and turns its
    /// summary into the exit code; <paramref name="wrapPrinter"/> puts a job's journal before the printer.</summary>
    internal static async Task<int> CrawlAsync(ActorSystem system, CommandLine line, IReadOnlyList<string> urls,
        IEnumerable<string>? fileUrls, CrawlerSettings settings, ResultFormat format, GuardedWriter stdout, TextWriter stderr, bool terminal,
        Func<Props, Props>? wrapPrinter = null)
    {
        var mode = line.Command == Command.Titles ? CrawlMode.Titles : CrawlMode.Planets;
        // A progress line only on a terminal: a pipe or a file gets results and the summary alone; --quiet neither.
        var progress = terminal && !Console.IsErrorRedirected && !line.Quiet;
        var summaryOutput = line.Quiet ? TextWriter.Null : stderr;
        // Signals are caught before the crawl starts: a fast first result must not outrun the handlers.
        using var interruption = new Interruption();
        var crawl = fileUrls is null
            ? CrawlerProps.Start(system, new Crawl.StartCrawl([.. urls], mode), settings, format, stdout, summaryOutput, line.TimelinePath, progress,
                wrapPrinter)
            : CrawlerStreams.Start(system, Source.From(urls).Concat(Source.From(fileUrls)
                    .WithAttributes(ActorAttributes.CreateDispatcher("akka.stream.default-blocking-io-dispatcher"))),
                mode, settings, format, stdout, summaryOutput, line.TimelinePath, progress);
        interruption.Run(crawl.Cancel); // a signal that came while the crawl was being started cancels it now
        stdout.OnBroken(_ => crawl.Cancel("its results cannot be written (the output was closed or is full)"));

        var summary = await crawl.Completion.ConfigureAwait(false);
        await StopAsync(system).ConfigureAwait(false);
        if (fileUrls is not null && (interruption.Interrupted || stdout.Failure is not null))
        {
            // A streamed crawl that was cut short: its results cover the planets it started; say how many lines of
            // the files it never started (stdin cannot be read again, so it is not counted).
            var listed = urls.Count + (long)Inputs.CountUrls(line.Files, settings.MaxUrlLength) * line.Repeat;
            var unstarted = listed - summary.Total;
            if (unstarted > 0 && !line.Files.Contains("-"))
            {
                await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{unstarted} of the {listed} planets listed were never started")).ConfigureAwait(false);
            }
        }

        return interruption.Interrupted ? ExitInterrupted : summary.AllOk ? ExitOk : ExitFailures;
    }

    /// <summary><c>serve-sample</c>: the sample planet farm on 127.0.0.1 until Ctrl-C or SIGTERM (exit 0: its normal
    /// end); its URL on stdout, what it serves on stderr. No ActorSystem.</summary>
    private static async Task<int> ServeSampleAsync(CommandLine line, TextWriter stdout, TextWriter stderr)
    {
        using var interruption = new Interruption();
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        interruption.Run(_ => stopped.TrySetResult());
        PlanetFarm farm;
        try
        {
            farm = await PlanetFarm.StartAsync(new PlanetFarmOptions(line.DemoPlanets, TimeSpan.FromMilliseconds(line.DemoDelayMs), line.SamplePort)
                { Hosts = line.SampleHosts })
                .ConfigureAwait(false);
        }
        catch (IOException e)
        {
            await stderr.WriteLineAsync($"crawler: serve-sample cannot listen on 127.0.0.1:{line.SamplePort}: {e.Message}").ConfigureAwait(false);
            return ExitUsage;
        }

        await using (farm.ConfigureAwait(false))
        {
            await stdout.WriteLineAsync(farm.BaseUri.ToString()).ConfigureAwait(false);
            if (line.SampleHosts > 1)
            {
                // Planets on several host addresses: their URLs follow, one a line (for crawler -f).
                foreach (var url in farm.PlanetUrls)
                {
                    await stdout.WriteLineAsync(url).ConfigureAwait(false);
                }
            }

            await stdout.FlushAsync().ConfigureAwait(false);
            await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Serving {line.DemoPlanets} planets at {farm.BaseUri}planet/0 ... planet/{line.DemoPlanets - 1} ({line.DemoDelayMs} ms per response) until Ctrl-C; crawl them with: crawler {farm.BaseUri}planet/0")).ConfigureAwait(false);
            await stopped.Task.ConfigureAwait(false);
        }

        return ExitOk;
    }

    private static async Task<int> DemoAsync(ActorSystem system, CommandLine line, CrawlerSettings settings,
        ResultFormat format, TextWriter stdout, TextWriter stderr)
    {
        // The farm is one host: the per-host connection cap is lifted (in HostConfig, for the system's shared pool).
        var embedded = settings with { StopSystemOnCompletion = false };
        await using var farm = await PlanetFarm.StartAsync(
            new PlanetFarmOptions(line.DemoPlanets, TimeSpan.FromMilliseconds(line.DemoDelayMs))).ConfigureAwait(false);
        await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Serving {line.DemoPlanets} planets at {farm.BaseUri} ({line.DemoDelayMs} ms per response); crawling them concurrently (no per-host connection cap: the farm is one host), then sequentially.")).ConfigureAwait(false);

        // Ctrl-C or SIGTERM ends the run under way with its cancelled planets and skips the rest, as in a crawl.
        using var interruption = new Interruption();
        async Task<CrawlSummary> Run(IReadOnlyList<string> planets, CrawlerSettings run, TextWriter output, TextWriter summaryOutput)
        {
            var crawl = CrawlerProps.Start(system, new Crawl.StartCrawl([.. planets]), run, format, output, summaryOutput);
            interruption.Run(crawl.Cancel);
            return await crawl.Completion.ConfigureAwait(false);
        }

        // One quiet planet first, so that neither timed run pays for JIT compilation and the first connections.
        await Run([farm.PlanetUrls[0]], embedded, TextWriter.Null, TextWriter.Null).ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        var concurrent = interruption.Interrupted ? null : await Run(farm.PlanetUrls, embedded with { Sequential = false }, stdout, stderr).ConfigureAwait(false);
        var concurrentTime = clock.Elapsed;
        clock.Restart();
        var sequential = interruption.Interrupted ? null : await Run(farm.PlanetUrls, embedded with { Sequential = true }, TextWriter.Null, stderr).ConfigureAwait(false);
        var sequentialTime = clock.Elapsed;
        if (interruption.Interrupted || concurrent is null || sequential is null)
        {
            await system.Terminate().ConfigureAwait(false);
            return ExitInterrupted;
        }

        // The comparison is a line of text: with --json it goes to stderr, so that stdout stays one JSON object a line.
        var comparison = format == ResultFormat.Json ? stderr : stdout;
        await comparison.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"concurrent {concurrentTime.TotalSeconds:0.00} s, sequential {sequentialTime.TotalSeconds:0.00} s: {sequentialTime / concurrentTime:0.0}x"))
            .ConfigureAwait(false);
        await system.Terminate().ConfigureAwait(false);
        return concurrent.AllOk && sequential.AllOk ? ExitOk : ExitFailures;
    }

    /// <summary>The printer ran CoordinatedShutdown; wait for it, bounded, and make sure the system is down.</summary>
    private static async Task StopAsync(ActorSystem system)
    {
        if (await Task.WhenAny(system.WhenTerminated, Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false) != system.WhenTerminated)
        {
            await system.Terminate().ConfigureAwait(false);
        }
    }
}
