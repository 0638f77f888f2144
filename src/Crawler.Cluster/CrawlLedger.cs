using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Akka.Persistence;
using Crawler.Core;

namespace Crawler.Cluster;

/// <summary>
/// The durable frontier and results log of one cluster crawl: a sharded, persistent entity (remember-entities, so it
/// restarts by itself after its node dies and resumes the crawl). It persists the crawl before accepting it, delivers
/// each planet's current step to its host's desk at least once (again after the redelivery interval, and again after a
/// recovery), persists each step's outcome before acting on it, and records each planet's result once: a duplicate
/// answer is dropped (<see cref="CrawlBook.Decide"/>).
/// </summary>
internal sealed class CrawlLedger : UntypedPersistentActor, IWithTimers
{
    private const string TickKey = "redeliver";
    private readonly CrawlBook _book = new();
    private readonly ClusterSettings _settings;
    private readonly StepWindow _window;
    private readonly string _crawlId;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private IActorRef _hosts = ActorRefs.Nobody;

    /// <summary>Creates the ledger of the crawl named by its entity id; prefer <see cref="Props"/>.</summary>
    public CrawlLedger(string crawlId, ClusterSettings settings)
    {
        _crawlId = crawlId;
        _settings = settings;
        _window = new StepWindow(settings.MaxStepsInFlight);
        PersistenceId = PersistenceIdOf(crawlId);
    }

    /// <inheritdoc />
    public override string PersistenceId { get; }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props for the ledger of entity <c>crawlId</c>.</summary>
    public static Props Props(string crawlId, ClusterSettings settings) => Akka.Actor.Props.Create(() => new CrawlLedger(crawlId, settings));

    /// <summary>The persistence id of crawl <paramref name="crawlId"/>.</summary>
    public static string PersistenceIdOf(string crawlId) => "cluster-crawl-" + crawlId;

    /// <inheritdoc />
    protected override void PreStart()
    {
        _hosts = ClusterSharding.Get(Context.System).ShardRegion(ClusterCrawl.HostRegion);
        base.PreStart();
    }

    /// <inheritdoc />
    protected override void OnRecover(object message)
    {
        switch (message)
        {
            case IClusterCrawlMessage @event:
                _book.Apply(@event);
                break;
            case RecoveryCompleted when _book.Crawl is not null:
                _log.Info("Crawl {CrawlId} recovered: {Done} of {Planets} planets done", _crawlId, _book.Log.Count, _book.Planets);
                Context.System.EventStream.Publish(new ClusterCrawl.LedgerStarted(_crawlId, _book.Log.Count, _book.Planets));
                Deliver();
                break;
        }
    }

    /// <inheritdoc />
    protected override void OnCommand(object message)
    {
        switch (message)
        {
            case ClusterCrawl.Submit submit:
                OnSubmit(submit);
                break;
            case ClusterCrawl.StepDone done:
                OnStepDone(done);
                break;
            case ClusterCrawl.GetResults get:
                var from = Math.Clamp(get.From, 0, _book.Log.Count);
                var count = Math.Min(_settings.MaxResultsPerReply, _book.Log.Count - from);
                Sender.Tell(new ClusterCrawl.Results(_crawlId, _book.Planets, from, [.. _book.Log.Skip(from).Take(count)],
                    _book.Finished && from + count == _book.Log.Count, _book.Crawl is not null, Akka.Cluster.Cluster.Get(Context.System).SelfAddress.ToString()));
                break;
            case ClusterCrawl.Cancel cancel when _book.Crawl is not null && !_book.Finished:
                PersistAllAsync(_book.EndAll(ErrorKind.Cancelled, $"cancelled: {cancel.Reason}").ToList(), Record);
                break;
            case Redeliver:
                Deliver();
                break;
            case ClusterCrawl.Cancel:
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void OnSubmit(ClusterCrawl.Submit submit)
    {
        if (_book.Crawl is { } crawl)
        {
            var same = crawl.Mode == submit.Mode && crawl.Hocon == submit.Hocon && crawl.Urls.SequenceEqual(submit.Urls);
            Sender.Tell(new ClusterCrawl.Accepted(_crawlId, crawl.Urls.Length,
                same ? null : "a different crawl (other URLs, job or options) was submitted under this id"));
            return;
        }

        var replyTo = Sender;
        Persist(new ClusterCrawl.Submitted(submit.Mode, submit.Hocon, submit.Urls, DateTimeOffset.UtcNow), submitted =>
        {
            _book.Apply(submitted);
            replyTo.Tell(new ClusterCrawl.Accepted(_crawlId, submitted.Urls.Length));
            _log.Info("Crawl {CrawlId} submitted: {Planets} planets", _crawlId, submitted.Urls.Length);
            Context.System.EventStream.Publish(new ClusterCrawl.LedgerStarted(_crawlId, 0, submitted.Urls.Length));
            Deliver();
        });
    }

    private void OnStepDone(ClusterCrawl.StepDone done)
    {
        if (_book.Decide(done) is not { } @event)
        {
            return; // a duplicate or a stale answer: already recorded
        }

        PersistAsync(@event, Record);
    }

    private void Record(IClusterCrawlMessage @event)
    {
        var doneBefore = _book.Finished;
        _book.Apply(@event);
        switch (@event)
        {
            case ClusterCrawl.ArticleFound found when !_book.IsDone(found.Index):
                _window.Resent(found.Index, Stopwatch.GetTimestamp());
                _hosts.Tell(_book.StepOf(_crawlId, found.Index));
                break;
            case ClusterCrawl.Finished finished:
                _window.Done(finished.Result.Index);
                Deliver();
                break;
        }

        if (!doneBefore && _book.Finished)
        {
            Timers.Cancel(TickKey);
            _log.Info("Crawl {CrawlId} finished: {Planets} planets", _crawlId, _book.Planets);
        }
    }

    private void Deliver()
    {
        if (_book.Crawl is null || _book.Finished)
        {
            return;
        }

        var redeliverAfter = (long)(_settings.RedeliverInterval.TotalSeconds * Stopwatch.Frequency);
        foreach (var index in _window.Due(_book, Stopwatch.GetTimestamp(), redeliverAfter))
        {
            _hosts.Tell(_book.StepOf(_crawlId, index));
        }

        if (!Timers.IsTimerActive(TickKey))
        {
            Timers.StartPeriodicTimer(TickKey, Redeliver.Instance, _settings.RedeliverInterval);
        }
    }

    private sealed record Redeliver
    {
        public static readonly Redeliver Instance = new();
    }
}
