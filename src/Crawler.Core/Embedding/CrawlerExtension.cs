using System.Collections.Concurrent;
using System.Diagnostics;
using Akka;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.Streams;
using Akka.Streams.Dsl;
using Crawler.Core.Configuration;
using Crawler.Core.Coordination;
using Crawler.Core.Hosts;
using Crawler.Core.Output;
using Crawler.Http;
using Crawler.Http.Pool;

namespace Crawler.Core.Embedding;

/// <summary>
/// The crawler as an Akka extension of an existing ActorSystem: <c>system.Crawler()</c>. It reads the system's
/// <c>crawler</c> HOCON over the embedded reference.conf (injected as a fallback, so the host needs no crawler
/// configuration and any key it sets wins) and owns the system's one <see cref="HostRegistry"/>
/// (<c>/system/crawler-hosts</c>): one owner per host, shared by every crawl, so that politeness and the per-host
/// connection cap hold across crawls. Crawls it starts live under <c>/system</c>, never stop the system and log through
/// Akka's logging.
/// </summary>
public sealed class CrawlerExtension : IExtension, ICrawler
{
    private readonly ExtendedActorSystem _system;
    private readonly ConcurrentDictionary<StreamedCrawl, byte> _streams = new();
    private long _crawls;

    /// <summary>Created once per system by <see cref="CrawlerExtensionProvider"/>; use <see cref="Get"/>.</summary>
    public CrawlerExtension(ExtendedActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        _system = system;
        Settings = CrawlerSettings.Create(system) with { StopSystemOnCompletion = false };
        if (Settings.Dispatcher.Length > 0 && !system.Dispatchers.HasDispatcher(Settings.Dispatcher))
        {
            throw new ConfigurationException($"crawler.dispatcher = \"{Settings.Dispatcher}\" is not a dispatcher of this ActorSystem (configure it in its HOCON, or leave the key empty)");
        }

        Hosts = system.SystemActorOf(HostRegistry.Props(new HostOwnerSettings(Settings.Http.MaxConnectionsPerHost, Settings.HostIdleTimeout, Settings.Dispatcher),
            ConnectionCap(Settings.Http.MaxConnections, system)), "crawler-hosts");
        var shutdown = CoordinatedShutdown.Get(system);
        shutdown.AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, "crawler-cancel-crawls",
            () => CancelCrawlsAsync(shutdown.Timeout(CoordinatedShutdown.PhaseBeforeServiceUnbind)));
    }

    /// <summary>The extension of <paramref name="system"/>.</summary>
    public static CrawlerExtension Get(ActorSystem system) => system.WithExtension<CrawlerExtension, CrawlerExtensionProvider>();

    /// <inheritdoc />
    public CrawlerSettings Settings { get; }

    /// <summary>The system's hosts, shared by all its crawls (limits from the system's
    /// <c>crawler.http.max-connections-per-host</c> and <c>max-connections</c>): where every fetch goes.</summary>
    internal IActorRef Hosts { get; }

    /// <summary>The settings of a crawl with <paramref name="options"/> over the system's.</summary>
    internal CrawlerSettings SettingsFor(CrawlOptions? options) =>
        options is null ? Settings : options.Resolve(_system.Settings.Config.GetConfig("crawler"));

    /// <inheritdoc />
    public Props CrawlProps(IActorRef resultsTo, CrawlOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(resultsTo);
        return CrawlCoordinator.Props(SettingsFor(options), Hosts, ResultPrinter.Props(PrinterOptions.Silent(resultsTo)),
            options?.CrawlId, mode: options?.Mode ?? CrawlMode.Planets);
    }

    /// <inheritdoc />
    public async Task<CrawlReport> CrawlAsync(IEnumerable<string> planets, CrawlOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(planets);
        var settings = SettingsFor(options);
        var crawlId = string.IsNullOrWhiteSpace(options?.CrawlId) ? CrawlCoordinator.NewCrawlId() : options.CrawlId;
        var start = new Crawl.StartCrawl([.. planets]);
        if (cancellationToken.IsCancellationRequested)
        {
            return CrawlReport.Cancelled(crawlId, start.Urls, "cancelled: the caller cancelled the crawl before it started");
        }

        SchedulerWarmUp.Ensure(_system);
        var report = new TaskCompletionSource<CrawlReport>(TaskCreationOptions.RunContinuationsAsynchronously);
        var crawl = _system.SystemActorOf(CrawlCoordinator.Props(settings, Hosts, ResultPrinter.Props(PrinterOptions.Silent(null, report)),
            crawlId, mode: options?.Mode ?? CrawlMode.Planets), NextName());
        crawl.Tell(start);
        await using var cancel = cancellationToken.Register(() => crawl.Tell(new Crawl.CancelCrawl("the caller cancelled the crawl")));
        return await report.Task.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Source<Crawl.PlanetResult, NotUsed> Results(Source<string, NotUsed> planets, CrawlOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(planets);
        return planets.Via(ResultsFlow(options));
    }

    /// <inheritdoc />
    public Flow<string, Crawl.PlanetResult, StreamedCrawl> ResultsFlow(CrawlOptions? options = null) =>
        CrawlerStreams.Flow(_system, SettingsFor(options), options?.Mode ?? CrawlMode.Planets, options?.CrawlId);

    /// <summary>The connections the system may hold: <paramref name="configured"/>, lowered below the process's
    /// open-file limit (with a warning that says how to raise it).</summary>
    private static int ConnectionCap(int configured, ActorSystem system)
    {
        var cap = OpenFileLimit.ConnectionCap(configured, OpenFileLimit.Current(), out var lowered);
        if (lowered)
        {
            system.Log.Warning(
                "This process may open {0} files (ulimit -n): at most {1} connections at once, not crawler.http.max-connections = {2}; " +
                "raise the limit (ulimit -n {3}) for more", cap + OpenFileLimit.Reserve, cap, configured, configured + OpenFileLimit.Reserve);
        }

        return cap;
    }

    /// <summary>A streamed crawl has started: shutdown waits for its stage to stop.</summary>
    internal void Track(StreamedCrawl crawl)
    {
        _streams[crawl] = 0;
        crawl.StageStopped.ContinueWith(_ => _streams.TryRemove(crawl, out byte _), TaskScheduler.Default);
    }

    /// <summary>The system is shutting down: every running crawl ends now with <c>cancelled</c> results for its
    /// unfinished planets, reported (a <see cref="CrawlAsync"/> returns its report, a results stream has pushed its
    /// last result and completed) before the actors stop.</summary>
    private async Task<Done> CancelCrawlsAsync(TimeSpan phaseTimeout)
    {
        var deadline = Stopwatch.StartNew();
        var limit = phaseTimeout * 0.9;
        try
        {
            await Hosts.Ask<Host.CrawlsEnded>(new Host.EndCrawls("the ActorSystem is shutting down"), limit).ConfigureAwait(false);
            var left = limit - deadline.Elapsed;
            await Task.WhenAll(_streams.Keys.Select(s => s.StageStopped)).WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AskTimeoutException or TimeoutException)
        {
            _system.Log.Warning("Crawls still ran when the shutdown phase {0} ended", CoordinatedShutdown.PhaseBeforeServiceUnbind);
        }

        return Done.Instance;
    }

    private string NextName() => $"crawler-crawl-{Interlocked.Increment(ref _crawls)}";
}

/// <summary>Makes the <see cref="CrawlerExtension"/> of a system.</summary>
public sealed class CrawlerExtensionProvider : ExtensionIdProvider<CrawlerExtension>
{
    /// <inheritdoc />
    public override CrawlerExtension CreateExtension(ExtendedActorSystem system) => new(system);
}

/// <summary><c>system.Crawler()</c>.</summary>
public static class CrawlerSystemExtensions
{
    /// <summary>The crawler of <paramref name="system"/> (an Akka extension, created on first use).</summary>
    public static CrawlerExtension Crawler(this ActorSystem system) => CrawlerExtension.Get(system);
}
