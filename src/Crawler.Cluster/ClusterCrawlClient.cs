using System.Collections.Immutable;
using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Crawler.Core;
using Crawler.Core.Coordination;

namespace Crawler.Cluster;

/// <summary>
/// A crawl on the cluster as a local crawl's coordinator looks to its user (<see cref="ClusterCrawlerExtension"/>): it takes
/// a <see cref="Crawl.StartCrawl"/> (the whole list, submitted in chunks before the first result is asked for: the
/// crawl then runs on even if this member goes) or a <see cref="Crawl.StartStreamedCrawl"/> followed by planets one by
/// one (an open crawl: each planet is acknowledged while fewer than the crawl's window are unfinished or not yet taken,
/// and added to the ledger in chunks), follows the ledger's results and sends each to its target, then
/// <see cref="Crawl.Completed"/>, and stops. <see cref="Crawl.CancelCrawl"/> cancels the crawl on the cluster; a target
/// that stops cancels it too. A cluster that does not accept the crawl within the client timeout gets the target a
/// <see cref="Crawl.CrawlRefused"/>; one that stops answering for five minutes stops the client (its watchers see it).
/// </summary>
internal sealed class ClusterCrawlClient : UntypedActor, IWithTimers
{
    private const string ResendKey = "resend";
    private const string PollKey = "poll";
    private const string FlushKey = "flush";
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan FlushDelay = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan SilenceLimit = TimeSpan.FromMinutes(5);
    private readonly IActorRef _region;
    private readonly IActorRef _target;
    private readonly string _crawlId;
    private readonly string _hocon;
    private readonly int _window;
    private readonly ClusterSettings _settings;
    private readonly Stopwatch _clock = new();
    private readonly Stopwatch _silence = new();
    private readonly Dictionary<ErrorKind, int> _failures = [];
    private CrawlMode _mode;
    private int _local;

    /// <summary>Creates the client; prefer <see cref="Props"/>.</summary>
    public ClusterCrawlClient(IActorRef region, IActorRef target, string crawlId, CrawlMode mode, string hocon, int window, ClusterSettings settings)
    {
        _region = region;
        _target = target;
        _crawlId = crawlId;
        _mode = mode;
        _hocon = hocon;
        _window = window;
        _settings = settings;
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props for the client of crawl <paramref name="crawlId"/>, reporting to <paramref name="target"/>.</summary>
    /// <param name="region">The crawl region (or its proxy).</param>
    /// <param name="target">Who gets the results, then <see cref="Crawl.Completed"/> (or <see cref="Crawl.CrawlRefused"/>).</param>
    /// <param name="crawlId">The crawl's id on the cluster.</param>
    /// <param name="mode">The job, unless the start message names one.</param>
    /// <param name="hocon">The crawl's own settings (<see cref="CrawlHocon.Of"/>).</param>
    /// <param name="window">A streamed crawl's most planets unfinished or not yet taken.</param>
    /// <param name="settings">The cluster settings.</param>
    public static Props Props(IActorRef region, IActorRef target, string crawlId, CrawlMode mode, string hocon, int window, ClusterSettings settings) =>
        Akka.Actor.Props.Create(() => new ClusterCrawlClient(region, target, crawlId, mode, hocon, window, settings));

    /// <inheritdoc />
    protected override void PreStart() => Context.Watch(_target);

    /// <inheritdoc />
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Crawl.StartCrawl start:
                _mode = start.Mode ?? _mode;
                var urls = start.Urls.IsDefault ? [] : start.Urls.Select(url => url ?? string.Empty).ToImmutableArray();
                Begin(new Feed(urls, Streamed: false, Ended: true));
                break;
            case Crawl.StartStreamedCrawl start:
                _mode = start.Mode ?? _mode;
                Begin(new Feed([], Streamed: true, Ended: false));
                Sender.Tell(Crawl.PlanetAck.Instance);
                break;
            case Crawl.CancelCrawl or Terminated:
                Context.Stop(Self); // nothing was submitted: nothing to cancel
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    /// <summary>Submits the crawl (with its first chunk) and starts following it.</summary>
    private void Begin(Feed feed)
    {
        _clock.Start();
        _silence.Start();
        var (first, rest) = feed.Split(feed.Streamed ? 0 : _settings.SubmitChunk);
        var submit = new ClusterCrawl.Submit(_crawlId, _mode, _hocon, first, More: rest.Streamed || rest.Pending > 0);
        var state = new State(rest with { Closed = !submit.More }, new Follow(0, 0), Outstanding: submit, Cancel: null, Feeder: Sender);
        Send(state);
        Become(state);
    }

    private void Become(State state) => Context.Become(message => Running(message, state));

    private void Running(object message, State state)
    {
        switch (message)
        {
            case ClusterCrawl.Accepted { Refusal: { } refusal } when state.Outstanding is ClusterCrawl.Submit:
                Refuse(refusal);
                break;
            case ClusterCrawl.Accepted { Refusal: { } refusal } when state.Outstanding is ClusterCrawl.AddPlanets add:
                // Cancelled meanwhile (here, or by crawler cancel): the planets it never took end here, as cancelled.
                Timers.Cancel(ResendKey);
                EndLocally(add.Urls, add.From, $"cancelled: {refusal}");
                Become(Cancel(state with { Outstanding = null }, refusal));
                break;
            case ClusterCrawl.Accepted when state.Outstanding is not null:
                _silence.Restart();
                Timers.Cancel(ResendKey);
                var next = state with { Outstanding = null };
                if (state.Outstanding is ClusterCrawl.Submit)
                {
                    _region.Tell(new ClusterCrawl.GetResults(_crawlId, 0)); // following starts once the crawl is known
                    next = next with { Polling = true };
                }

                // What was buffered while this chunk was out goes now: its flush timer may have fired meanwhile.
                Become(Acknowledge(Flush(next, force: true)));
                break;
            case Crawl.Planet planet when state.Cancel is { } reason:
                EndLocally([planet.Url], state.Feed.Received, $"cancelled: {reason}");
                Become(Acknowledge(state with { Feed = state.Feed with { Received = state.Feed.Received + 1 }, Feeder = Sender, AckOwed = true }));
                break;
            case Crawl.Planet planet when state.Feed.Streamed && !state.Feed.Ended:
                var fed = Acknowledge(state with { Feed = state.Feed.With(planet.Url), Feeder = Sender, AckOwed = true });
                if (fed.Feed.Pending >= _settings.SubmitChunk)
                {
                    fed = Flush(fed, force: true);
                }
                else if (!Timers.IsTimerActive(FlushKey))
                {
                    Timers.StartSingleTimer(FlushKey, FlushDue.Instance, FlushDelay);
                }

                Become(fed);
                break;
            case Crawl.StreamEnded or Crawl.StreamFailed when state.Feed.Streamed:
                Become(Flush(state with { Feed = state.Feed with { Ended = true } }, force: true));
                break;
            case FlushDue:
                Become(Flush(state, force: true));
                break;
            case CrawlCoordinator.ResultTaken:
                Become(Acknowledge(state with { Follow = state.Follow with { Taken = state.Follow.Taken + 1 } }));
                break;
            case ClusterCrawl.Results page when page.CrawlId == _crawlId:
                Become(OnResults(state, page));
                break;
            case PollDue:
                Become(Poll(state));
                break;
            case Resend when state.Outstanding is not null && _silence.Elapsed > _settings.ClientTimeout:
                Context.GetLogger().Warning("Crawl {0}: the cluster did not answer within {1} s", _crawlId, _settings.ClientTimeout.TotalSeconds);
                Context.Stop(Self); // the crawl's watchers see it stop unfinished
                break;
            case Resend when state.Outstanding is not null:
                Send(state);
                if (state.Cancel is { } again)
                {
                    _region.Tell(new ClusterCrawl.Cancel(_crawlId, again));
                }

                break;
            case Crawl.CancelCrawl cancel:
                Become(Cancel(state, cancel.Reason));
                break;
            case Terminated terminated when terminated.ActorRef.Equals(_target):
                _region.Tell(new ClusterCrawl.Cancel(_crawlId, "the crawl's results are no longer followed"));
                Context.Stop(Self);
                break;
        }
    }

    /// <summary>Acknowledges the last planet when the window has room (a streamed crawl's back-pressure: planets
    /// given and results not yet taken are at most the window).</summary>
    private State Acknowledge(State state)
    {
        if (state.AckOwed && state.Feed.Received - state.Follow.Taken < _window)
        {
            state.Feeder.Tell(Crawl.PlanetAck.Instance);
            return state with { AckOwed = false };
        }

        return state;
    }

    /// <summary>Sends the next chunk when none is out and there is one (or the end to tell).</summary>
    private State Flush(State state, bool force)
    {
        var feed = state.Feed;
        var due = force || !feed.Streamed || feed.Pending >= _settings.SubmitChunk || feed.Ended;
        if (state.Outstanding is not null || feed.Closed || !due || (feed.Pending == 0 && !feed.Ended))
        {
            return state;
        }

        var from = feed.Sent;
        var (chunk, rest) = feed.Split(_settings.SubmitChunk);
        var last = rest.Ended && rest.Pending == 0;
        var next = state with
        {
            Feed = rest with { Closed = last },
            Outstanding = new ClusterCrawl.AddPlanets(_crawlId, from, chunk, last),
        };
        Send(next);
        return next;
    }

    /// <summary>Ends <paramref name="urls"/>, planets from position <paramref name="from"/> that the ledger never took
    /// (cancelled before they were sent, or refused), with a <c>cancelled</c> result each.</summary>
    private void EndLocally(IEnumerable<string> urls, int from, string reason)
    {
        foreach (var url in urls)
        {
            _failures[ErrorKind.Cancelled] = _failures.GetValueOrDefault(ErrorKind.Cancelled) + 1;
            _target.Tell(new Crawl.PlanetFailed(from++, url, FetchStage.Planet, new Core.Failure(ErrorKind.Cancelled, reason, url), 0, 0) { CrawlId = _crawlId });
            _local++;
        }
    }

    private State OnResults(State state, ClusterCrawl.Results page)
    {
        _silence.Restart();
        if (!page.Known)
        {
            return state; // the submit is not through yet: ask again later
        }

        var follow = state.Follow;
        if (page.From == follow.From)
        {
            foreach (var result in page.Items)
            {
                if (result is Crawl.PlanetFailed failed)
                {
                    _failures[failed.Kind] = _failures.GetValueOrDefault(failed.Kind) + 1;
                }

                _target.Tell(result with { CrawlId = _crawlId });
            }

            follow = follow with { From = follow.From + page.Items.Length };
        }

        if (page.Finished && page.From + page.Items.Length == follow.From)
        {
            var failed = _failures.Values.Sum();
            var total = follow.From + _local;
            var summary = new CrawlSummary(total, total - failed, failed, _clock.Elapsed, _failures.ToDictionary());
            _target.Tell(new Crawl.Completed(summary) { CrawlId = _crawlId });
            Context.Stop(Self);
            return state;
        }

        var next = state with { Follow = follow, Polling = false };
        if (page.Items.Length > 0)
        {
            return Poll(next);
        }

        if (next.Cancel is { } reason)
        {
            _region.Tell(new ClusterCrawl.Cancel(_crawlId, reason)); // again, in case the first went to a moving shard
        }

        Timers.StartSingleTimer(PollKey, PollDue.Instance, _settings.ResultsPollInterval);
        return next;
    }

    private State Poll(State state)
    {
        if (_silence.Elapsed > SilenceLimit)
        {
            Context.GetLogger().Warning("Crawl {0}: the cluster has not answered for {1} minutes; no longer following it", _crawlId, SilenceLimit.TotalMinutes);
            Context.Stop(Self);
            return state;
        }

        _region.Tell(new ClusterCrawl.GetResults(_crawlId, state.Follow.From));
        if (!state.Polling)
        {
            Timers.StartSingleTimer(PollKey, PollDue.Instance, AnswerTimeout); // asked again if this one is lost
        }

        return state with { Polling = true };
    }

    private State Cancel(State state, string reason)
    {
        if (state.Cancel is not null)
        {
            return state;
        }

        _region.Tell(new ClusterCrawl.Cancel(_crawlId, reason));
        Timers.Cancel(FlushKey);
        EndLocally(state.Feed.Buffer, state.Feed.Sent, $"cancelled: {reason}");
        var feed = state.Feed with { Buffer = [], Sent = state.Feed.Sent + state.Feed.Pending, Closed = true };
        return Acknowledge(state with { Cancel = reason, Feed = feed });
    }

    private void Send(State state)
    {
        _region.Tell(state.Outstanding);
        Timers.StartSingleTimer(ResendKey, Resend.Instance, AnswerTimeout);
    }

    private void Refuse(string reason)
    {
        _target.Tell(new Crawl.CrawlRefused($"crawl '{_crawlId}': {reason}"));
        Context.Stop(Self);
    }

    /// <summary>The planets of the crawl on this side.</summary>
    /// <param name="Buffer">Planets not yet sent to the ledger, in order.</param>
    /// <param name="Streamed">They come one by one (an open crawl).</param>
    /// <param name="Ended">No more will come.</param>
    private sealed record Feed(ImmutableArray<string> Buffer, bool Streamed, bool Ended)
    {
        /// <summary>Planets sent to the ledger.</summary>
        public int Sent { get; init; }

        /// <summary>Planets given (sent or buffered).</summary>
        public int Received { get; init; } = Buffer.Length;

        /// <summary>The last chunk is sent (or the crawl cancelled): nothing more goes to the ledger.</summary>
        public bool Closed { get; init; }

        public int Pending => Buffer.Length;

        public Feed With(string url) => this with { Buffer = Buffer.Add(url), Received = Received + 1 };

        /// <summary>The next chunk of at most <paramref name="count"/> planets, and the feed without it.</summary>
        public (ImmutableArray<string> Chunk, Feed Remaining) Split(int count)
        {
            var chunk = Buffer[..Math.Min(count, Buffer.Length)];
            return (chunk, this with { Buffer = Buffer[chunk.Length..], Sent = Sent + chunk.Length });
        }
    }

    /// <summary>How far the results are followed.</summary>
    /// <param name="From">Results received from the ledger (and sent to the target).</param>
    /// <param name="Taken">Results the stream's consumer took.</param>
    private sealed record Follow(int From, int Taken);

    private sealed record State(Feed Feed, Follow Follow, object? Outstanding, string? Cancel, IActorRef Feeder)
    {
        public bool Polling { get; init; }

        public bool AckOwed { get; init; }
    }

    private sealed record PollDue
    {
        public static readonly PollDue Instance = new();
    }

    private sealed record Resend
    {
        public static readonly Resend Instance = new();
    }

    private sealed record FlushDue
    {
        public static readonly FlushDue Instance = new();
    }
}
