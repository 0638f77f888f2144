using System.Collections.Immutable;
using Akka.Actor;
using Akka.Event;
using Crawler.Core;

namespace Crawler.Journal;

/// <summary>
/// The printer of a resumed job, between its coordinator (which crawls only the planets not yet done, indexed from 0)
/// and the real printer (its child, which sees the whole job): it announces the whole job, replays the results the
/// journal already holds, maps each new result to its planet's index in the job, and passes it on only once the
/// <see cref="JobLedger"/> has written it (a result cut short by a cancel or the deadline is passed on unwritten, to be
/// crawled again next time). The end of the crawl is passed on after the last write. When the ledger stops (the
/// journal failed), results still waiting are passed on and the rest are printed unwritten: nothing is lost from the
/// output.
/// </summary>
internal sealed class JournalPrinter : UntypedActor
{
    private readonly IActorRef _ledger;
    private readonly ImmutableArray<int> _indices;
    private readonly int _total;
    private readonly IReadOnlyCollection<Crawl.PlanetResult> _done;
    private readonly Props _printerProps;
    private readonly Dictionary<int, Crawl.PlanetResult> _writing = [];
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private IActorRef _printer = ActorRefs.Nobody;
    private bool _ledgerGone;
    private bool _finished;

    /// <summary>Creates the printer; prefer <see cref="Props"/>.</summary>
    public JournalPrinter(IActorRef ledger, ImmutableArray<int> indices, int total, IReadOnlyCollection<Crawl.PlanetResult> done, Props printer)
    {
        _ledger = ledger;
        _indices = indices;
        _total = total;
        _done = done;
        _printerProps = printer;
    }

    /// <summary>Props for the printer of a run that crawls the job's planets <paramref name="indices"/> (in order) of
    /// <paramref name="total"/>, whose <paramref name="done"/> results the journal holds, written by
    /// <paramref name="ledger"/>, printed by a child made from <paramref name="printer"/>.</summary>
    public static Props Props(IActorRef ledger, ImmutableArray<int> indices, int total, IReadOnlyCollection<Crawl.PlanetResult> done, Props printer) =>
        Akka.Actor.Props.Create(() => new JournalPrinter(ledger, indices, total, done, printer));

    /// <inheritdoc />
    protected override void PreStart()
    {
        _printer = Context.ActorOf(_printerProps, "printer");
        Context.Watch(_printer);
        Context.Watch(_ledger);
    }

    /// <inheritdoc />
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Crawl.CrawlStarted started:
                _printer.Tell(started with { PlanetCount = _total });
                foreach (var result in _done)
                {
                    _printer.Tell(result with { CrawlId = started.CrawlId });
                }

                break;
            case Crawl.PlanetResult result:
                OnResult(result with { Index = result.Index >= 0 && result.Index < _indices.Length ? _indices[result.Index] : result.Index });
                break;
            case JobLedger.Recorded recorded when _writing.Remove(recorded.Result.Index):
                _printer.Tell(recorded.Result);
                FinishIfDone();
                break;
            case Crawl.CrawlFinished:
                _finished = true;
                FinishIfDone();
                break;
            case Terminated terminated when terminated.ActorRef.Equals(_printer):
                Context.Stop(Self);
                break;
            case Terminated terminated when terminated.ActorRef.Equals(_ledger):
                OnLedgerGone();
                break;
            case Crawl.CancelCrawl:
                Context.Parent.Forward(message); // the printer's readers went away: the coordinator ends the crawl
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void OnResult(Crawl.PlanetResult result)
    {
        if (_ledgerGone || !JobState.IsFinal(result))
        {
            _printer.Tell(result);
            return;
        }

        _writing[result.Index] = result;
        _ledger.Tell(new JobLedger.Record(result));
    }

    private void OnLedgerGone()
    {
        if (_ledgerGone)
        {
            return;
        }

        _ledgerGone = true;
        _log.Warning("The job's journal stopped; {Count} results waiting and all later ones are printed but not saved", _writing.Count);
        foreach (var result in _writing.Values.OrderBy(r => r.Index))
        {
            _printer.Tell(result);
        }

        _writing.Clear();
        FinishIfDone();
    }

    private void FinishIfDone()
    {
        if (_finished && _writing.Count == 0)
        {
            _printer.Tell(new Crawl.CrawlFinished(_total));
            _finished = false; // once
        }
    }
}
