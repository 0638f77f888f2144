using Akka;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Streams.Dsl;
using Crawler.Core;
using Crawler.Core.Configuration;
using Crawler.Core.Coordination;
using Crawler.Core.Embedding;

namespace Crawler.Cluster;

/// <summary>
/// The crawler of a cluster member (<c>system.ClusterCrawler()</c>): the same <see cref="ICrawler"/> as
/// <c>system.Crawler()</c>, but every crawl runs on the cluster, spread over its workers' desks (one per host) and
/// recorded by its ledger. The member must have the crawl region or its proxy (<see cref="CrawlerCluster.StartWorker"/>,
/// <see cref="CrawlerCluster.StartClient"/>, or Crawler.Hosting's <c>WithCrawlerCluster</c>).
/// </summary>
/// <remarks>
/// <see cref="CrawlAsync"/> and <see cref="CrawlProps"/> submit the whole list first (in chunks of
/// <c>crawler.cluster.submit-chunk</c>): the crawl is then the cluster's and runs to its end even if this member goes.
/// <see cref="Results"/> and <see cref="ResultsFlow"/> make an open crawl that takes its planets as the stream gives
/// them, with the same back-pressure as on one machine (planets unfinished or not taken at most max-planets-in-flight);
/// a stream that stops cancels it. A crawl carries its settings (<see cref="CrawlHocon.Keys"/>: selectors, timeouts,
/// retries, its window and deadline); what belongs to a node (its connection pool, proxy, dispatcher) is each
/// worker's own. A crawl's id is its ledger's: one id, one crawl, and submitting it again attaches to it.
/// </remarks>
public sealed class ClusterCrawlerExtension : IExtension, ICrawler
{
    private readonly ExtendedActorSystem _system;
    private readonly CrawlerExtension _crawler;
    private long _clients;

    /// <summary>Created once per system by <see cref="ClusterCrawlerExtensionProvider"/>; use <see cref="Get"/>.</summary>
    public ClusterCrawlerExtension(ExtendedActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        _system = system;
        _crawler = CrawlerExtension.Get(system);
        Cluster = ClusterSettings.Create(system);
    }

    /// <summary>The extension of <paramref name="system"/>.</summary>
    public static ClusterCrawlerExtension Get(ActorSystem system) => system.WithExtension<ClusterCrawlerExtension, ClusterCrawlerExtensionProvider>();

    /// <inheritdoc />
    public CrawlerSettings Settings => _crawler.Settings;

    /// <summary>The system's <c>crawler.cluster</c> settings.</summary>
    public ClusterSettings Cluster { get; }

    /// <inheritdoc />
    public Props CrawlProps(IActorRef resultsTo, CrawlOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(resultsTo);
        return ClientProps(resultsTo, IdOf(options), options);
    }

    /// <inheritdoc />
    public Task<CrawlReport> CrawlAsync(IEnumerable<string> planets, CrawlOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(planets);
        var crawlId = IdOf(options);
        return RunAsync(crawlId, [.. planets], target => ClientProps(target, crawlId, options), cancellationToken);
    }

    /// <inheritdoc />
    public Source<Crawl.PlanetResult, NotUsed> Results(Source<string, NotUsed> planets, CrawlOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(planets);
        return planets.Via(ResultsFlow(options));
    }

    /// <inheritdoc />
    public Flow<string, Crawl.PlanetResult, StreamedCrawl> ResultsFlow(CrawlOptions? options = null)
    {
        var crawlId = IdOf(options);
        _ = ClientProps(ActorRefs.Nobody, crawlId, options); // a bad option fails here, not at materialization
        return Flow.FromGraph(new CrawlStage(_system, (target, id) => ClientProps(target, id, options), crawlId, _ => { }));
    }

    /// <summary>Runs a crawl on the cluster whose client <paramref name="client"/> makes, and gathers its report.</summary>
    internal async Task<CrawlReport> RunAsync(string crawlId, IReadOnlyList<string> planets, Func<IActorRef, Props> client, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return CrawlReport.Cancelled(crawlId, planets.ToList(), "cancelled: the caller cancelled the crawl before it started");
        }

        var report = new TaskCompletionSource<CrawlReport>(TaskCreationOptions.RunContinuationsAsynchronously);
        var name = $"crawler-cluster-crawl-{Interlocked.Increment(ref _clients)}";
        var collector = _system.SystemActorOf(Akka.Actor.Props.Create(() => new ReportCollector(report, crawlId, client)), name);
        collector.Tell(new Crawl.StartCrawl([.. planets]));
        await using var cancel = cancellationToken.Register(() => collector.Tell(new Crawl.CancelCrawl("the caller cancelled the crawl")));
        return await report.Task.ConfigureAwait(false);
    }

    private Props ClientProps(IActorRef target, string crawlId, CrawlOptions? options)
    {
        var crawler = _system.Settings.Config.GetConfig("crawler");
        var settings = _crawler.SettingsFor(options); // checks the options
        var hocon = CrawlHocon.Of(options is null ? crawler : options.Apply(crawler));
        return ClusterCrawlClient.Props(Region(), target, crawlId, options?.Mode ?? CrawlMode.Planets, hocon, CrawlHocon.Window(settings, Cluster.MaxStepsInFlight), Cluster);
    }

    private IActorRef Region()
    {
        try
        {
            return ClusterSharding.Get(_system).ShardRegion(ClusterCrawl.CrawlRegion);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            throw new InvalidOperationException(
                "this ActorSystem has no crawl region: start it with CrawlerCluster.StartWorker or StartClient, or WithCrawlerCluster in Akka.Hosting", e);
        }
    }

    private static string IdOf(CrawlOptions? options) => string.IsNullOrWhiteSpace(options?.CrawlId) ? CrawlCoordinator.NewCrawlId() : options.CrawlId;

    /// <summary>Gathers one crawl's results into its report (the collector of <see cref="CrawlAsync"/>).</summary>
    private sealed class ReportCollector : UntypedActor
    {
        private readonly TaskCompletionSource<CrawlReport> _report;
        private readonly string _crawlId;
        private readonly Func<IActorRef, Props> _client;
        private readonly List<Crawl.PlanetResult> _results = [];
        private IActorRef _crawl = ActorRefs.Nobody;

        public ReportCollector(TaskCompletionSource<CrawlReport> report, string crawlId, Func<IActorRef, Props> client)
        {
            _report = report;
            _crawlId = crawlId;
            _client = client;
        }

        protected override void PreStart()
        {
            _crawl = Context.ActorOf(_client(Self), "client");
            Context.Watch(_crawl);
        }

        protected override void PostStop() =>
            _report.TrySetException(new TimeoutException($"crawl '{_crawlId}': the cluster stopped answering, or the ActorSystem is shutting down"));

        protected override void OnReceive(object message)
        {
            switch (message)
            {
                case Crawl.StartCrawl or Crawl.CancelCrawl:
                    _crawl.Forward(message);
                    break;
                case Crawl.PlanetResult result:
                    _results.Add(result);
                    break;
                case Crawl.Completed completed:
                    _results.Sort((a, b) => a.Index.CompareTo(b.Index));
                    _report.TrySetResult(new CrawlReport(completed.Summary, _results) { CrawlId = _crawlId });
                    Context.Stop(Self);
                    break;
                case Crawl.CrawlRefused refused:
                    _report.TrySetException(new InvalidOperationException(refused.Reason));
                    Context.Stop(Self);
                    break;
                case Terminated:
                    Context.Stop(Self);
                    break;
            }
        }
    }
}

/// <summary>Makes the <see cref="ClusterCrawlerExtension"/> of a system.</summary>
public sealed class ClusterCrawlerExtensionProvider : ExtensionIdProvider<ClusterCrawlerExtension>
{
    /// <inheritdoc />
    public override ClusterCrawlerExtension CreateExtension(ExtendedActorSystem system) => new(system);
}

/// <summary><c>system.ClusterCrawler()</c>.</summary>
public static class ClusterCrawlerSystemExtensions
{
    /// <summary>The crawler of <paramref name="system"/> that crawls on its cluster.</summary>
    public static ClusterCrawlerExtension ClusterCrawler(this ActorSystem system) => ClusterCrawlerExtension.Get(system);
}
