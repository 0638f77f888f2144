using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Stage;
using Crawler.Core;
using Crawler.Core.Embedding;

namespace Crawler.TestKit;

/// <summary>
/// <see cref="FakeCrawler.ResultsFlow"/>: one scripted result per planet, each <see cref="FakeCrawler.ResultDelay"/>
/// after it was pulled (one at a time), with the real flow's back-pressure (a planet is pulled only when a result
/// was asked for), cancel (the planet waiting becomes <c>cancelled</c>, the stream completes) and materialized
/// <see cref="StreamedCrawl"/>.
/// </summary>
internal sealed class FakeCrawlStage : GraphStageWithMaterializedValue<FlowShape<string, Crawl.PlanetResult>, StreamedCrawl>
{
    private readonly FakeCrawler _crawler;
    private readonly CrawlOptions? _options;

    public FakeCrawlStage(FakeCrawler crawler, CrawlOptions? options)
    {
        _crawler = crawler;
        _options = options;
        Shape = new FlowShape<string, Crawl.PlanetResult>(In, Out);
    }

    public Inlet<string> In { get; } = new("fake-crawl.planets");

    public Outlet<Crawl.PlanetResult> Out { get; } = new("fake-crawl.results");

    public override FlowShape<string, Crawl.PlanetResult> Shape { get; }

    public override ILogicAndMaterializedValue<StreamedCrawl> CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var crawl = _crawler.Record(_options, nameof(FakeCrawler.ResultsFlow), []);
        var handle = new StreamedCrawl(crawl.CrawlId);
        return new LogicAndMaterializedValue<StreamedCrawl>(new Logic(this, crawl, handle), handle);
    }

    private sealed class Logic : TimerGraphStageLogic
    {
        private readonly FakeCrawlStage _stage;
        private readonly FakeCrawl _crawl;
        private readonly StreamedCrawl _handle;
        private readonly List<Crawl.PlanetResult> _sent = [];
        private (string Url, int Index)? _waiting;
        private bool _completed;

        public Logic(FakeCrawlStage stage, FakeCrawl crawl, StreamedCrawl handle) : base(stage.Shape)
        {
            _stage = stage;
            _crawl = crawl;
            _handle = handle;
            SetHandler(stage.In, onPush: OnPlanet, onUpstreamFinish: () =>
            {
                if (_waiting is null)
                {
                    Finish();
                }
            });
            SetHandler(stage.Out, onPull: () => Pull(stage.In));
        }

        public override void PreStart()
        {
            var self = GetStageActor(OnMessage);
            _handle.Attach(self.Ref);
        }

        public override void PostStop()
        {
            if (!_completed)
            {
                _handle.Stopped();
            }
        }

        protected override void OnTimer(object timerKey)
        {
            if (_waiting is { } waiting)
            {
                Emit(_stage._crawler.ResultOf(_crawl, waiting.Url, waiting.Index));
            }
        }

        private void OnPlanet()
        {
            var url = Grab(_stage.In) ?? string.Empty;
            _crawl.Add(url);
            _waiting = (url, _sent.Count);
            if (_stage._crawler.ResultDelay <= TimeSpan.Zero)
            {
                OnTimer("result");
            }
            else
            {
                ScheduleOnce("result", _stage._crawler.ResultDelay);
            }
        }

        private void Emit(Crawl.PlanetResult result)
        {
            _waiting = null;
            _sent.Add(result);
            Push(_stage.Out, result);
            if (IsClosed(_stage.In))
            {
                Finish();
            }
        }

        private void OnMessage((IActorRef Sender, object Message) received)
        {
            if (received.Message is not Crawl.CancelCrawl cancel)
            {
                return;
            }

            CancelTimer("result");
            Cancel(_stage.In);
            if (_waiting is { } waiting)
            {
                Emit(FakeCrawler.Cancelled(waiting.Url, waiting.Index, _crawl.CrawlId, cancel.Reason));
            }

            Finish();
        }

        private void Finish()
        {
            if (_completed)
            {
                return;
            }

            _completed = true;
            _handle.Completed(CrawlSummary.Of(_sent, TimeSpan.Zero));
            CompleteStage();
        }
    }
}
