using Akka.Actor;
using Crawler.Core.Configuration;
using Crawler.Core.Coordination;
using Crawler.Core.Output;

namespace Crawler.Core.Embedding;

/// <summary>
/// The entry point for embedding a crawl in an ActorSystem: Props for the printer and the coordinator, and
/// <see cref="Start"/>, which wires them and returns the crawl's summary as a task. The host system keeps running
/// unless <see cref="CrawlerSettings.StopSystemOnCompletion"/> is on.
/// </summary>
internal static class CrawlerProps
{
    private static long _runs;

    /// <summary>The settings of <paramref name="system"/> (its <c>crawler</c> section over the embedded defaults).</summary>
    public static CrawlerSettings Settings(ActorSystem system) => CrawlerSettings.Create(system);

    /// <summary>Props for a coordinator of a crawl in <paramref name="system"/> whose printer is made from
    /// <paramref name="printer"/> (see <see cref="Printer"/>).</summary>
    public static Props Coordinator(ActorSystem system, CrawlerSettings settings, Props printer) =>
        CrawlCoordinator.Props(settings, CrawlerExtension.Get(system).Hosts, printer);

    /// <summary>Props for a printer.</summary>
    public static Props Printer(PrinterOptions options) => ResultPrinter.Props(options);

    /// <summary>
    /// Starts a crawl of <paramref name="start"/> in <paramref name="system"/> (the actor <c>crawl-coordinator-N</c>,
    /// with its printer as a child). Its <see cref="CrawlHandle.Completion"/> gives the summary once every planet has
    /// reported (it is cancelled if the printer is stopped first, when the system shuts down), and
    /// <see cref="CrawlHandle.Cancel"/> ends the crawl early with <c>cancelled</c> results. <paramref name="wrapPrinter"/>
    /// puts an actor between the coordinator and the printer (a resumed job's journal), given the printer's Props.
    /// </summary>
    public static CrawlHandle Start(ActorSystem system, Crawl.StartCrawl start, CrawlerSettings settings,
        ResultFormat format, TextWriter output, TextWriter summaryOutput, string? timelinePath = null, bool progress = false,
        Func<Props, Props>? wrapPrinter = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(settings);
        SchedulerWarmUp.Ensure(system);
        var (printer, completion) = PrinterFor(settings, format, output, summaryOutput, timelinePath, progress);
        var printerProps = ResultPrinter.Props(printer);
        var coordinator = system.ActorOf(Coordinator(system, settings, wrapPrinter?.Invoke(printerProps) ?? printerProps), $"crawl-coordinator-{Interlocked.Increment(ref _runs)}");
        coordinator.Tell(start);
        return new CrawlHandle(completion.Task, coordinator);
    }

    /// <summary>A printer writing to <paramref name="output"/>, and the task source it completes with the summary.</summary>
    internal static (PrinterOptions Options, TaskCompletionSource<CrawlSummary> Completion) PrinterFor(CrawlerSettings settings,
        ResultFormat format, TextWriter output, TextWriter summaryOutput, string? timelinePath, bool progress)
    {
        var completion = new TaskCompletionSource<CrawlSummary>(TaskCreationOptions.RunContinuationsAsynchronously);
        return (new PrinterOptions(format, output, summaryOutput, null, completion, settings.StopSystemOnCompletion, timelinePath, progress),
            completion);
    }
}

/// <summary>A running crawl started by <see cref="CrawlerProps.Start"/>.</summary>
/// <param name="Completion">The summary, once every planet has reported.</param>
/// <param name="Coordinator">The crawl's coordinator.</param>
internal sealed record CrawlHandle(Task<CrawlSummary> Completion, IActorRef Coordinator)
{
    /// <summary>Ends the crawl now: unfinished planets are reported as <c>cancelled</c>, then the summary.</summary>
    public void Cancel(string reason) => Coordinator.Tell(new Crawl.CancelCrawl(reason));

    /// <summary>Awaits <see cref="Completion"/>.</summary>
    public System.Runtime.CompilerServices.TaskAwaiter<CrawlSummary> GetAwaiter() => Completion.GetAwaiter();
}
