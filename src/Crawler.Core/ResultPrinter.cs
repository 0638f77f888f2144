using System.Diagnostics;
using Akka.Actor;
using Crawler.Http;

namespace Crawler.Core;

/// <summary>Where and how a <see cref="ResultPrinter"/> writes, and whom it tells when the crawl is complete.</summary>
/// <param name="Format">Text or JSON lines.</param>
/// <param name="Output">Where results go (stdout in the console host), one as each arrives.</param>
/// <param name="SummaryOutput">Where the summary line goes (stderr in the console host).</param>
/// <param name="CompletionTarget">An actor that receives <see cref="Crawl.Completed"/>, or null.</param>
/// <param name="Completion">A task source completed with the summary, or null.</param>
/// <param name="StopSystemOnCompletion">Run CoordinatedShutdown once complete (the console host only).</param>
public sealed record PrinterOptions(
    ResultFormat Format,
    TextWriter Output,
    TextWriter SummaryOutput,
    IActorRef? CompletionTarget = null,
    TaskCompletionSource<CrawlSummary>? Completion = null,
    bool StopSystemOnCompletion = false);

/// <summary>
/// Writes each <see cref="Crawl.PlanetResult"/> as it arrives. Told the number of planets by
/// <see cref="Crawl.CrawlStarted"/>, it writes the summary once every planet has reported, sends
/// <see cref="Crawl.Completed"/> to its completion target and completes its task, stops the ActorSystem only when
/// <see cref="PrinterOptions.StopSystemOnCompletion"/> is on (never when embedded), and then stops itself.
/// </summary>
public sealed class ResultPrinter : UntypedActor
{
    private readonly PrinterOptions _options;
    private readonly Stopwatch _clock = new();
    private readonly Dictionary<ErrorKind, int> _failures = [];
    private CrawlMode _mode;
    private int _expected = -1;
    private int _received;
    private int _ok;
    private bool _completed;

    /// <summary>Creates the printer; prefer <see cref="Props"/>.</summary>
    public ResultPrinter(PrinterOptions options)
    {
        _options = options;
    }

    /// <inheritdoc />
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Crawl.CrawlStarted started:
                OnStarted(started);
                break;
            case Crawl.PlanetResult result:
                OnResult(result);
                break;
            case Crawl.CrawlFinished finished:
                _expected = finished.PlanetCount;
                CompleteIfDone();
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    /// <summary>Props for a printer with <paramref name="options"/>.</summary>
    public static Props Props(PrinterOptions options) => Akka.Actor.Props.Create<ResultPrinter>(options);

    /// <inheritdoc />
    protected override void PostStop()
    {
        // Stopped before the crawl completed (the system is shutting down): nobody may wait forever.
        if (!_completed)
        {
            _options.Completion?.TrySetCanceled();
        }
    }

    private void OnStarted(Crawl.CrawlStarted started)
    {
        _mode = started.Mode;
        _expected = started.PlanetCount; // -1 (a streamed crawl) until CrawlFinished
        _clock.Restart();
        CompleteIfDone();
    }

    private void OnResult(Crawl.PlanetResult result)
    {
        _options.Output.Write(ResultFormatter.Format(result, _mode, _options.Format));
        _options.Output.Flush();
        _received++;
        if (result is Crawl.PlanetFailed failed)
        {
            _failures[failed.Kind] = _failures.GetValueOrDefault(failed.Kind) + 1;
        }
        else
        {
            _ok++;
        }

        CompleteIfDone();
    }

    private void CompleteIfDone()
    {
        if (_completed || _expected < 0 || _received < _expected)
        {
            return;
        }

        _completed = true;
        var summary = new CrawlSummary(_received, _ok, _received - _ok, _clock.Elapsed, new Dictionary<ErrorKind, int>(_failures));
        _options.SummaryOutput.WriteLine(ResultFormatter.Summary(summary, _mode));
        _options.SummaryOutput.Flush();
        _options.CompletionTarget?.Tell(new Crawl.Completed(summary));
        _options.Completion?.TrySetResult(summary);
        if (_options.StopSystemOnCompletion)
        {
            _ = CoordinatedShutdown.Get(Context.System).Run(CoordinatedShutdown.ClrExitReason.Instance);
        }

        Context.Stop(Self);
    }
}
