using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Crawler.Core;

namespace Crawler.Journal;

/// <summary>
/// The durable record of one job (persistence id <c>crawl-NAME</c>): which planets are done and their results. A run
/// opens it with <see cref="Open"/> (answered once it has recovered, with what it holds and how the run compares);
/// each final result is written with <see cref="Record"/> and acknowledged with <see cref="Recorded"/> only once it is
/// in the journal, so that whatever was printed survives a SIGKILL. A duplicate result (a planet crawled twice around
/// a crash) is acknowledged and not kept twice.
/// </summary>
internal sealed class JobLedger : UntypedPersistentActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private JobState _state = JobState.Empty;

    /// <summary>Creates the ledger of job <paramref name="name"/>; prefer <see cref="Props"/>.</summary>
    public JobLedger(string name) => PersistenceId = PersistenceIdOf(name);

    /// <inheritdoc />
    public override string PersistenceId { get; }

    /// <summary>Props for the ledger of job <paramref name="name"/>.</summary>
    public static Props Props(string name) => Akka.Actor.Props.Create(() => new JobLedger(name));

    /// <summary>The persistence id of job <paramref name="name"/>: <c>crawl-NAME</c>.</summary>
    public static string PersistenceIdOf(string name) => "crawl-" + name;

    /// <summary>The job's name in <paramref name="persistenceId"/>, or null when it is not a job's.</summary>
    public static string? NameOf(string persistenceId) =>
        persistenceId.StartsWith("crawl-", StringComparison.Ordinal) ? persistenceId["crawl-".Length..] : null;

    /// <inheritdoc />
    protected override void OnRecover(object message)
    {
        if (message is IJobEvent @event)
        {
            _state = _state.Apply(@event);
        }
    }

    /// <inheritdoc />
    protected override void OnCommand(object message)
    {
        switch (message)
        {
            case Open open:
                OnOpen(open);
                break;
            case Record record:
                var replyTo = Sender;
                PersistAsync(new PlanetRecorded(record.Result), recorded =>
                {
                    _state = _state.Apply(recorded);
                    replyTo.Tell(new Recorded(record.Result));
                });
                break;
            case DeleteMessagesSuccess:
                break;
            case DeleteMessagesFailure failure:
                _log.Warning(failure.Cause, "Job {Id}: the events before its fresh start could not be deleted (they are ignored)", PersistenceId);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void OnOpen(Open open)
    {
        var match = _state.Compare(open.Start);
        if (match is not (JobMatch.New or JobMatch.Same) && !open.Fresh)
        {
            Sender.Tell(new Opened(_state, match)); // not started: the caller says why and stops
            return;
        }

        if (match == JobMatch.Same && !open.Fresh)
        {
            Sender.Tell(new Opened(_state, match));
            return;
        }

        var replyTo = Sender;
        var before = LastSequenceNr;
        Persist(open.Start, started =>
        {
            _state = _state.Apply(started);
            if (before > 0)
            {
                DeleteMessages(before); // what a fresh start replaced: it would be ignored on recovery anyway
            }

            replyTo.Tell(new Opened(_state, JobMatch.New));
        });
    }

    /// <summary>Opens the job for a run that starts as <paramref name="Start"/> says; <paramref name="Fresh"/> forgets what
    /// the journal holds and starts over. Answered with <see cref="Opened"/>.</summary>
    public sealed record Open(JobStarted Start, bool Fresh);

    /// <summary>The answer to <see cref="Open"/>: the job as the journal has it now and how the run compared.
    /// <see cref="JobMatch.New"/> and <see cref="JobMatch.Same"/> opened it; any other match left it as it was.</summary>
    public sealed record Opened(JobState State, JobMatch Match);

    /// <summary>Writes one planet's final result (its index is the planet's place in the job).</summary>
    public sealed record Record(Crawl.PlanetResult Result);

    /// <summary>The result is in the journal.</summary>
    public sealed record Recorded(Crawl.PlanetResult Result);
}
