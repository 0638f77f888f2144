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
/// answer is dropped (<see cref="CrawlBook.Decide(ClusterCrawl.StepDone)"/>). An open crawl takes its planets in chunks
/// (<see cref="ClusterCrawl.AddPlanets"/>), each persisted before it is acknowledged. The crawl's own settings give its
/// window (max-planets-in-flight, sequential) and its deadline, counted from its submit: at the deadline every
/// unfinished planet ends as a <c>timeout</c> (deadline phase), also after a failover.
/// </summary>
internal sealed class CrawlLedger : UntypedPersistentActor, IWithTimers
{
    private const string TickKey = "redeliver";
    private const string DeadlineKey = "deadline";
    private readonly CrawlBook _book = new();
    private readonly ClusterSettings _settings;
    private StepWindow? _window;
    private readonly string _crawlId;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly HashSet<string> _hostsOut = [];
    private readonly Stopwatch _sinceContact = Stopwatch.StartNew();
    private bool _ending;
    private IActorRef _hosts = ActorRefs.Nobody;

    /// <summary>Creates the ledger of the crawl named by its entity id; prefer <see cref="Props"/>.</summary>
    public CrawlLedger(string crawlId, ClusterSettings settings)
    {
        _crawlId = crawlId;
        _settings = settings;
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
                Started();
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
            case ClusterCrawl.AddPlanets add:
                OnAdd(add);
                break;
            case ClusterCrawl.StepDone done:
                OnStepDone(done);
                break;
            case ClusterCrawl.StepMoved moved when _book.Decide(moved) is { } redirected:
                PersistAsync(redirected, Record);
                break;
            case ClusterCrawl.StepMoved:
                break; // stale or a duplicate: the planet has moved past that step
            case ClusterCrawl.GetResults get:
                _sinceContact.Restart();
                var from = Math.Clamp(get.From, 0, _book.Log.Count);
                var count = Math.Min(_settings.MaxResultsPerReply, _book.Log.Count - from);
                Sender.Tell(new ClusterCrawl.Results(_crawlId, _book.Planets, from, [.. _book.Log.Skip(from).Take(count)],
                    _book.Finished && from + count == _book.Log.Count, _book.Crawl is not null, Akka.Cluster.Cluster.Get(Context.System).SelfAddress.ToString())
                {
                    Mode = _book.Crawl?.Mode ?? CrawlMode.Planets,
                });
                break;
            case ClusterCrawl.Cancel cancel when _book.Crawl is not null && !_book.Finished:
                End(_book.EndAll(ErrorKind.Cancelled, $"cancelled: {cancel.Reason}"));
                break;
            case DeadlineReached when _book.Crawl is not null && !_book.Finished:
                var deadline = CrawlHocon.Settings(_book.Crawl.Hocon, Context.System).Deadline!.Value;
                End(_book.EndAll(ErrorKind.Timeout,
                    $"timeout: the crawl reached its deadline of {deadline.TotalSeconds:0.###} s before this planet finished (deadline phase)",
                    TimeoutPhase.Deadline));
                break;
            case DeadlineReached:
                break;
            case Redeliver when _book.Crawl is not null && !_book.Closed && _sinceContact.Elapsed > _settings.OpenCrawlTimeout:
                _log.Warning("Crawl {CrawlId} is open but no client has asked about it for {Seconds} s: cancelled", _crawlId,
                    (int)_settings.OpenCrawlTimeout.TotalSeconds);
                End(_book.EndAll(ErrorKind.Cancelled, "cancelled: the client that streamed its planets went away (crawler.cluster.open-crawl-timeout)"));
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
        if (_book.Crawl is not null)
        {
            Sender.Tell(new ClusterCrawl.Accepted(_crawlId, _book.Planets,
                _book.IsSameSubmit(submit) ? null : "a different crawl (other URLs, job or options) was submitted under this id"));
            return;
        }

        var replyTo = Sender;
        Persist(new ClusterCrawl.Submitted(submit.Mode, submit.Hocon, submit.Urls, DateTimeOffset.UtcNow, submit.More), submitted =>
        {
            _book.Apply(submitted);
            replyTo.Tell(new ClusterCrawl.Accepted(_crawlId, _book.Planets));
            _log.Info("Crawl {CrawlId} submitted: {Planets} planets{More}", _crawlId, _book.Planets, submitted.More ? " (more to come)" : string.Empty);
            Context.System.EventStream.Publish(new ClusterCrawl.LedgerStarted(_crawlId, 0, _book.Planets));
            Started();
        });
    }

    private void OnAdd(ClusterCrawl.AddPlanets add)
    {
        _sinceContact.Restart();
        var (added, refusal) = _book.Decide(add);
        var replyTo = Sender;
        if (added is null)
        {
            replyTo.Tell(new ClusterCrawl.Accepted(_crawlId, _book.Planets, refusal));
            return;
        }

        Persist(added, @event =>
        {
            Record(@event);
            replyTo.Tell(new ClusterCrawl.Accepted(_crawlId, _book.Planets));
            Deliver();
        });
    }

    /// <summary>The crawl is known (submitted, or recovered): its window, its deadline, its first deliveries.</summary>
    private void Started()
    {
        var crawl = CrawlHocon.Settings(_book.Crawl!.Hocon, Context.System);
        _window = new StepWindow(CrawlHocon.Window(crawl, _settings.MaxStepsInFlight));
        if (crawl.Deadline is { } deadline && !_book.Finished)
        {
            var left = _book.Crawl.At + deadline - DateTimeOffset.UtcNow;
            Timers.StartSingleTimer(DeadlineKey, DeadlineReached.Instance, left > TimeSpan.Zero ? left : TimeSpan.Zero);
        }

        Deliver();
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
            case ClusterCrawl.ArticleFound or ClusterCrawl.Redirected when IndexOf(@event) is var index && !_book.IsDone(index):
                _window?.Resent(index, Stopwatch.GetTimestamp());
                Send(index); // the next step, on its own host's desk
                break;
            case ClusterCrawl.Finished finished:
                _window?.Done(finished.Result.Index);
                Deliver();
                break;
        }

        if (!doneBefore && _book.Finished)
        {
            Timers.Cancel(TickKey);
            Timers.Cancel(DeadlineKey);
            _log.Info("Crawl {CrawlId} finished: {Planets} planets", _crawlId, _book.Planets);
        }
    }

    /// <summary>Records the events that end the crawl early, then tells the desks it had steps out at to drop them.</summary>
    private void End(IEnumerable<IClusterCrawlMessage> events)
    {
        if (_ending)
        {
            return; // its events are being written
        }

        _ending = true;
        var all = events.ToList();
        PersistAllAsync(all, Record);
        DeferAsync(all.Count, _ =>
        {
            foreach (var host in _hostsOut)
            {
                _hosts.Tell(new ClusterCrawl.DropCrawl(_crawlId, host));
            }

            _hostsOut.Clear();
        });
    }

    /// <summary>Delivers planet <paramref name="index"/>'s current step to its host's desk.</summary>
    private void Send(int index)
    {
        var step = _book.StepOf(_crawlId, index);
        _hostsOut.Add(step.Host);
        _hosts.Tell(step);
    }

    private static int IndexOf(IClusterCrawlMessage @event) => @event switch
    {
        ClusterCrawl.ArticleFound found => found.Index,
        ClusterCrawl.Redirected moved => moved.Index,
        _ => -1,
    };

    private void Deliver()
    {
        if (_book.Crawl is null || _book.Finished || _window is null)
        {
            return;
        }

        var redeliverAfter = (long)(_settings.RedeliverInterval.TotalSeconds * Stopwatch.Frequency);
        foreach (var index in _window.Due(_book, Stopwatch.GetTimestamp(), redeliverAfter))
        {
            Send(index);
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

    private sealed record DeadlineReached
    {
        public static readonly DeadlineReached Instance = new();
    }
}
