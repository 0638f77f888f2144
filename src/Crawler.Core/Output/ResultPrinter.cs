using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Crawler.Core.Embedding;
using Crawler.Http;

namespace Crawler.Core.Output;

/// <summary>Where and how a <see cref="ResultPrinter"/> writes, and whom it tells when the crawl is complete.</summary>
/// <param name="Format">Text or JSON lines.</param>
/// <param name="Output">Where results go (stdout in the console host), one as each arrives.</param>
/// <param name="SummaryOutput">Where the summary line goes (stderr in the console host).</param>
/// <param name="CompletionTarget">An actor that receives <see cref="Crawl.Completed"/>, or null.</param>
/// <param name="Completion">A task source completed with the summary, or null.</param>
/// <param name="StopSystemOnCompletion">Run CoordinatedShutdown once complete (the console host only).</param>
/// <param name="TimelinePath">Write a timeline of every request here (<c>.svg</c>, or <c>.html</c>) at the end.</param>
/// <param name="Progress">Show a progress line on <paramref name="SummaryOutput"/> (a terminal) for crawls longer than
/// two seconds.</param>
internal sealed record PrinterOptions(
    ResultFormat Format,
    TextWriter Output,
    TextWriter SummaryOutput,
    IActorRef? CompletionTarget = null,
    TaskCompletionSource<CrawlSummary>? Completion = null,
    bool StopSystemOnCompletion = false,
    string? TimelinePath = null,
    bool Progress = false)
{
    /// <summary>An actor that receives each <see cref="Crawl.PlanetResult"/> as it arrives, or null.</summary>
    public IActorRef? ResultTarget { get; init; }

    /// <summary>A task source completed with every result and the summary, or null (results are then not kept).</summary>
    public TaskCompletionSource<CrawlReport>? Report { get; init; }

    /// <summary>Options for a printer that writes nothing: results go to <paramref name="target"/> (each
    /// <see cref="Crawl.PlanetResult"/>, then one <see cref="Crawl.Completed"/>) and/or into <paramref name="report"/>.</summary>
    public static PrinterOptions Silent(IActorRef? target, TaskCompletionSource<CrawlReport>? report = null) =>
        new(ResultFormat.Json, TextWriter.Null, TextWriter.Null, target) { ResultTarget = target, Report = report };
}

/// <summary>
/// The coordinator's child that writes each <see cref="Crawl.PlanetResult"/> as it arrives (told the mode and, for a
/// batch, the number of planets by <see cref="Crawl.CrawlStarted"/>, for the progress line). On
/// <see cref="Crawl.CrawlFinished"/>, which the coordinator sends after the last result, it writes the summary, sends
/// <see cref="Crawl.Completed"/> to its completion target and completes its task, stops the ActorSystem only when
/// <see cref="PrinterOptions.StopSystemOnCompletion"/> is on (never when embedded), and then stops itself. It watches
/// the actors it reports to: when one stops, it asks its parent, the coordinator, to cancel the crawl, and reports
/// nothing more to them.
/// </summary>
internal sealed class ResultPrinter : UntypedActor, IWithTimers
{
    private readonly PrinterOptions _options;
    private readonly Stopwatch _clock = new();
    private readonly Dictionary<ErrorKind, int> _failures = [];
    private CrawlMode _mode;
    private string _crawlId = string.Empty;
    private int _expected = -1;
    private int _received;
    private int _ok;
    private bool _completed;
    private bool _targetsGone;
    private long _origin;
    private int _pages;
    private bool _progressShown;
    private long _progressDrawn;
    private PageCounter? _requests;
    private readonly List<Timeline.Entry> _timeline = [];
    private readonly List<Crawl.PlanetResult> _results = [];

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
            case Crawl.CrawlFinished:
                Complete();
                break;
            case ShowProgress:
                WriteProgress();
                break;
            case Terminated terminated when !_targetsGone:
                // Nobody takes the results any more: the crawl is cancelled, and its last results go nowhere (not to dead letters).
                _targetsGone = true;
                Context.Parent.Tell(new Crawl.CancelCrawl($"its results target {terminated.ActorRef.Path} stopped"));
                break;
            case Terminated:
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props for a printer with <paramref name="options"/>.</summary>
    public static Props Props(PrinterOptions options) => Akka.Actor.Props.Create<ResultPrinter>(options);

    /// <summary>The actors that take the results are watched: when one stops, the crawl is cancelled.</summary>
    protected override void PreStart()
    {
        foreach (var target in new[] { _options.ResultTarget, _options.CompletionTarget }.OfType<IActorRef>().Distinct())
        {
            Context.Watch(target);
        }
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        // Stopped before the crawl completed (the system is shutting down): nobody may wait forever.
        if (!_completed)
        {
            _options.Completion?.TrySetCanceled();
            _options.Report?.TrySetCanceled();
        }
    }

    private void OnStarted(Crawl.CrawlStarted started)
    {
        _mode = started.Mode;
        _crawlId = started.CrawlId;
        _expected = started.PlanetCount; // -1 for a stream: its length is known at the end
        _clock.Restart();
        _origin = Stopwatch.GetTimestamp();
        _requests = started.Pages;
        if (_options.Progress)
        {
            Timers.StartPeriodicTimer("progress", ShowProgress.Instance, TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(500));
        }
    }

    private void OnResult(Crawl.PlanetResult result)
    {
        var redraw = _progressShown;
        ClearProgress();
        if (_options.Output != TextWriter.Null)
        {
            _options.Output.Write(ResultFormatter.Format(result, _mode, _options.Format));
            _options.Output.Flush();
        }

        if (!_targetsGone)
        {
            _options.ResultTarget?.Tell(result);
        }

        if (_options.Report is not null)
        {
            _results.Add(result);
        }

        _received++;
        _pages += result.Timings.Count(t => t.Error is null && !t.Robots);
        if (_options.TimelinePath is not null)
        {
            _timeline.AddRange(result.Timings.Select(t => new Timeline.Entry(result.Index, t.Url, t.Timings, t.Error, t.Robots)));
        }
        if (result is Crawl.PlanetFailed failed)
        {
            _failures[failed.Kind] = _failures.GetValueOrDefault(failed.Kind) + 1;
        }
        else
        {
            _ok++;
        }

        // The line comes back under the result at once (at most ten times a second), instead of staying blank until
        // the next tick while results stream in.
        if (redraw && Stopwatch.GetElapsedTime(_progressDrawn) >= TimeSpan.FromMilliseconds(100))
        {
            WriteProgress();
        }
    }

    private void Complete()
    {
        if (_completed)
        {
            return;
        }

        _completed = true;
        Timers.CancelAll();
        ClearProgress();
        WriteTimeline();
        var summary = new CrawlSummary(_received, _ok, _received - _ok, _clock.Elapsed, new Dictionary<ErrorKind, int>(_failures));
        if (_options.SummaryOutput != TextWriter.Null)
        {
            _options.SummaryOutput.WriteLine(ResultFormatter.Summary(summary, _mode));
            _options.SummaryOutput.Flush();
        }

        if (!_targetsGone)
        {
            _options.CompletionTarget?.Tell(new Crawl.Completed(summary) { CrawlId = _crawlId });
        }

        _options.Completion?.TrySetResult(summary);
        _options.Report?.TrySetResult(new CrawlReport(summary, [.. _results.OrderBy(r => r.Index)]) { CrawlId = _crawlId });
        if (_options.StopSystemOnCompletion)
        {
            _ = CoordinatedShutdown.Get(Context.System).Run(CoordinatedShutdown.ClrExitReason.Instance);
        }

        Context.Stop(Self);
    }

    /// <summary>"planets done / to go / failed, requests ended, requests per second", rewritten in place on a terminal.
    /// Requests are counted as each ends (<see cref="PageCounter"/>), so the rate is live while planets are still
    /// waiting for their second page.</summary>
    private void WriteProgress()
    {
        var failed = _received - _ok;
        var seconds = Math.Max(_clock.Elapsed.TotalSeconds, 0.001);
        var total = _expected >= 0 ? $"/{_expected}" : string.Empty;
        var toGo = _expected >= 0 ? (_expected - _received).ToString(CultureInfo.InvariantCulture) : "?";
        var pages = _requests?.Count ?? _pages;
        _options.SummaryOutput.Write(string.Create(CultureInfo.InvariantCulture,
            $"\r{_received}{total} done, {toGo} to go, {failed} failed, {pages} pages, {pages / seconds:0} pages/s   "));
        _options.SummaryOutput.Flush();
        _progressShown = true;
        _progressDrawn = Stopwatch.GetTimestamp();
    }

    private void ClearProgress()
    {
        if (_progressShown)
        {
            _options.SummaryOutput.Write("\r" + new string(' ', 72) + "\r");
            _progressShown = false;
        }
    }

    private void WriteTimeline()
    {
        if (_options.TimelinePath is not { } path)
        {
            return;
        }

        try
        {
            File.WriteAllText(path, path.EndsWith(".html", StringComparison.OrdinalIgnoreCase)
                ? Timeline.Html(_timeline, _origin)
                : Timeline.Svg(_timeline, _origin));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _options.SummaryOutput.WriteLine($"crawler: cannot write the timeline to '{path}': {e.Message}");
        }
    }

    private sealed record ShowProgress
    {
        public static readonly ShowProgress Instance = new();
    }
}
