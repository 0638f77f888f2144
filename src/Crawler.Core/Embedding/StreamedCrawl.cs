using Akka.Actor;

namespace Crawler.Core.Embedding;

/// <summary>
/// A crawl whose results are a stream, as <see cref="ICrawler.ResultsFlow"/>
/// materializes it: the crawl's id, its summary once every planet has reported, and a way to end it early.
/// </summary>
public sealed class StreamedCrawl
{
    private readonly TaskCompletionSource<CrawlSummary> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stageStopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _gate = new();
    private IActorRef? _coordinator;
    private string? _cancelReason;

    internal StreamedCrawl(string crawlId) => CrawlId = crawlId;

    /// <summary>The crawl's id, which every result of it carries.</summary>
    public string CrawlId { get; }

    /// <summary>The summary, once every planet has reported (cancelled planets included). It is cancelled if the crawl
    /// stopped without completing (its stream failed first, or the ActorSystem stopped).</summary>
    public Task<CrawlSummary> Completion => _completion.Task;

    /// <summary>Ends the crawl now: unfinished planets are emitted as <c>cancelled</c> results, then the stream
    /// completes. Before the stream has started, the crawl is cancelled as soon as it starts.</summary>
    public void Cancel(string reason = "the crawl was cancelled")
    {
        IActorRef? coordinator;
        lock (_gate)
        {
            _cancelReason ??= reason;
            coordinator = _coordinator;
        }

        coordinator?.Tell(new Crawl.CancelCrawl(reason));
    }

    /// <summary>Awaits <see cref="Completion"/>.</summary>
    public System.Runtime.CompilerServices.TaskAwaiter<CrawlSummary> GetAwaiter() => Completion.GetAwaiter();

    /// <summary>The crawl's coordinator has started: a cancel asked for before goes to it now.</summary>
    internal void Attach(IActorRef coordinator)
    {
        string? reason;
        lock (_gate)
        {
            _coordinator = coordinator;
            reason = _cancelReason;
        }

        if (reason is not null)
        {
            coordinator.Tell(new Crawl.CancelCrawl(reason));
        }
    }

    internal void Completed(CrawlSummary summary) => _completion.TrySetResult(summary);

    internal void Stopped() => _completion.TrySetCanceled();

    /// <summary>Done when the stage has stopped: its last result was pushed downstream (or the stream failed).</summary>
    internal Task StageStopped => _stageStopped.Task;

    internal void StageHasStopped() => _stageStopped.TrySetResult();
}
