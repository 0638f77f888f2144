using Akka.Actor;
using Akka.Cluster.Sharding;
using Crawler.Core;
using Crawler.Core.Embedding;
using Crawler.Core.Fetching;
using Crawler.Core.Hosts;
using Crawler.Http;

namespace Crawler.Cluster;

/// <summary>
/// The one place in the cluster that fetches one host (a sharded entity keyed by host): every step of every crawl
/// for the host runs here, through this node's hosts, so spacing, Crawl-delay, the retry budget, robots.txt and the
/// per-host connection cap of that node hold for the whole cluster. It fetches and extracts (bodies never leave the
/// node), answers <see cref="ClusterCrawl.StepDone"/> through the crawl region (the ledger may have moved), runs a
/// step once however often it is delivered, and answers a redelivery of a step it finished from its recent results. A
/// redirect to another host is not followed here: the desk answers <see cref="ClusterCrawl.StepMoved"/> and the ledger
/// hands the next hop to the target host's desk, so that host's politeness and cap hold for it too.
/// </summary>
internal sealed class HostDesk : UntypedActor
{
    private readonly ClusterSettings _settings;
    private readonly Dictionary<IActorRef, ClusterCrawl.FetchStep> _running = [];
    private readonly HashSet<(string, int, FetchStage, string)> _busy = [];
    private readonly Dictionary<(string, int, FetchStage, string), IClusterCrawlMessage> _recent = [];
    private readonly Queue<(string, int, FetchStage, string)> _recentOrder = new();
    private readonly Dictionary<string, (CrawlContext Context, IActorRef Anchor)> _crawls = [];
    private readonly Dictionary<IActorRef, Exception> _crashes = [];
    private IActorRef _ledgers = ActorRefs.Nobody;
    private IActorRef _hosts = ActorRefs.Nobody;
    private long _steps;

    /// <summary>Creates the desk; prefer <see cref="Props"/>.</summary>
    public HostDesk(ClusterSettings settings) => _settings = settings;

    /// <summary>Props for a desk.</summary>
    public static Props Props(ClusterSettings settings) => Akka.Actor.Props.Create(() => new HostDesk(settings));

    /// <inheritdoc />
    protected override SupervisorStrategy SupervisorStrategy() => new CrashRecordingStrategy(_crashes);

    /// <inheritdoc />
    protected override void PreStart()
    {
        _ledgers = ClusterSharding.Get(Context.System).ShardRegion(ClusterCrawl.CrawlRegion);
        _hosts = CrawlerExtension.Get(Context.System).Hosts;
    }

    /// <inheritdoc />
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case ClusterCrawl.FetchStep step:
                OnStep(step);
                break;
            case Crawl.PlanetResult result when _running.Remove(Sender, out var step):
                Context.Unwatch(Sender);
                Answer(step, result);
                break;
            case Terminated terminated when _running.Remove(terminated.ActorRef, out var crashed):
                Answer(crashed, new Crawl.PlanetFailed(crashed.Index, crashed.Url, crashed.Stage,
                    new Core.Failure(ErrorKind.Crash, CrashRecordingStrategy.Describe(_crashes, terminated.ActorRef, "fetch actor"), crashed.Url), 0, 0));
                break;
            case Terminated:
                break;
            case ClusterCrawl.DropCrawl drop:
                foreach (var (fetcher, step) in _running.Where(entry => entry.Value.CrawlId == drop.CrawlId).ToList())
                {
                    Context.Unwatch(fetcher);
                    Context.Stop(fetcher); // its queued or running request ends with it
                    _running.Remove(fetcher);
                    _busy.Remove((step.CrawlId, step.Index, step.Stage, step.Url));
                }

                if (_crawls.Remove(drop.CrawlId, out var dropped))
                {
                    Context.Stop(dropped.Anchor); // the hosts drop its waiting requests
                }

                break;
            case Drain:
                // A planned move (rebalance, leave): the desk stops once its running steps have answered, within the
                // hand-off timeout; redeliveries of what it could not finish go to the host's next desk.
                if (_running.Count == 0)
                {
                    Context.Stop(Self);
                }
                else
                {
                    Context.Become(Draining);
                }

                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Draining(object message)
    {
        switch (message)
        {
            case Crawl.PlanetResult or Terminated or ClusterCrawl.DropCrawl:
                OnReceive(message);
                if (_running.Count == 0)
                {
                    Context.Stop(Self);
                }

                break;
            case ClusterCrawl.FetchStep:
                break; // the ledger redelivers it to the next desk
            default:
                Unhandled(message);
                break;
        }
    }

    private void OnStep(ClusterCrawl.FetchStep step)
    {
        var key = (step.CrawlId, step.Index, step.Stage, step.Url);
        if (_recent.TryGetValue(key, out var answered))
        {
            _ledgers.Tell(answered);
            return;
        }

        if (!_busy.Add(key))
        {
            return; // running: its answer is on the way
        }

        var job = new Crawl.FetchPlanet(step.Index, step.Url, step.Mode)
        {
            Stage = step.Stage,
            LinkOnly = step.Mode == CrawlMode.Planets && step.Stage == FetchStage.Planet,
            HandOff = true,
            Chain = step.Chain,
        };
        var fetcher = Context.ActorOf(PlanetFetcher.Props(job, ContextOf(step)), ActorNames.Safe($"step-{step.Index}-{step.Stage.Name()}-{++_steps}"));
        Context.Watch(fetcher);
        _running[fetcher] = step;
    }

    /// <summary>The crawl's context on this desk, made on its first step. Its requests are registered by an anchor (a
    /// child that does nothing): the hosts drop the crawl's waiting requests and close its connections when the anchor
    /// stops, with the desk or at a <see cref="ClusterCrawl.DropCrawl"/>.</summary>
    private CrawlContext ContextOf(ClusterCrawl.FetchStep step)
    {
        if (!_crawls.TryGetValue(step.CrawlId, out var crawl))
        {
            var settings = CrawlHocon.Settings(step.Hocon, Context.System);
            var key = $"{step.CrawlId}@{Self.Path.Name}-{++_steps}";
            var anchor = Context.ActorOf(Akka.Actor.Props.Empty, ActorNames.Safe($"crawl-{key}"));
            crawl = (CrawlContext.Create(key, settings, _hosts) with { Id = step.CrawlId }, anchor);
            _hosts.Tell(new Host.CrawlStarted(key), anchor);
            _crawls[step.CrawlId] = crawl;
        }

        return crawl.Context;
    }

    private void Answer(ClusterCrawl.FetchStep step, Crawl.PlanetResult result)
    {
        var key = (step.CrawlId, step.Index, step.Stage, step.Url);
        _busy.Remove(key);
        IClusterCrawlMessage done = result is Crawl.PlanetMoved moved
            ? new ClusterCrawl.StepMoved(step.CrawlId, step.Index, step.Stage, step.Url, moved.Url, moved.Attempts, moved.ElapsedMs)
            {
                Chain = moved.Chain,
                Timings = [.. moved.Timings],
            }
            : new ClusterCrawl.StepDone(step.CrawlId, step.Stage, result with { Index = step.Index });
        _recent[key] = done;
        _recentOrder.Enqueue(key);
        while (_recentOrder.Count > _settings.RecentResults && _recentOrder.TryDequeue(out var old))
        {
            _recent.Remove(old);
        }

        _ledgers.Tell(done);
    }

    /// <summary>The region's hand-off stop message: drain, then stop.</summary>
    internal sealed record Drain : IClusterCrawlMessage
    {
        public static readonly Drain Instance = new();
    }
}
