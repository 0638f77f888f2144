using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Stage;
using Crawler.Core.Coordination;

namespace Crawler.Core.Embedding;

/// <summary>
/// A crawl as a stream stage: planet URLs in, one <see cref="Crawl.PlanetResult"/> per planet out, in the order they
/// finish. Each materialization starts a paced <see cref="CrawlCoordinator"/> (under <c>/system</c>) and talks to it
/// through the stage's actor: a planet is pulled only when the coordinator acknowledges the last one, and the
/// coordinator starts a planet only while the planets running and the results not yet pushed downstream are fewer than
/// max-planets-in-flight, so a slow consumer slows the crawl and at most that many results wait in the stage.
/// </summary>
/// <remarks>
/// Upstream completion ends the input, not the stage: the stage completes after the last result. An upstream failure
/// ends the input too and, after the results of the planets already read, fails the stage with the source's exception.
/// Downstream cancellation cancels the crawl; the stage drops its cancelled results and stops once the crawl has.
/// </remarks>
internal sealed class CrawlStage : GraphStageWithMaterializedValue<FlowShape<string, Crawl.PlanetResult>, StreamedCrawl>
{
    private readonly ExtendedActorSystem _system;
    private readonly Func<IActorRef, string, Props> _coordinator;
    private readonly string? _crawlId;
    private readonly Action<StreamedCrawl> _started;

    /// <param name="system">Where the crawl's coordinator lives.</param>
    /// <param name="coordinator">The coordinator's Props, given the actor its results go to and the crawl's id.</param>
    /// <param name="crawlId">The crawl's id, or null for a new one per materialization.</param>
    /// <param name="started">Told of each materialization's crawl when its stage starts (the extension waits for
    /// running streams at shutdown).</param>
    public CrawlStage(ExtendedActorSystem system, Func<IActorRef, string, Props> coordinator, string? crawlId, Action<StreamedCrawl> started)
    {
        _system = system;
        _coordinator = coordinator;
        _crawlId = crawlId;
        _started = started;
        Shape = new FlowShape<string, Crawl.PlanetResult>(In, Out);
    }

    public Inlet<string> In { get; } = new("crawl.planets");

    public Outlet<Crawl.PlanetResult> Out { get; } = new("crawl.results");

    public override FlowShape<string, Crawl.PlanetResult> Shape { get; }

    protected override Attributes InitialAttributes { get; } = Attributes.CreateName("crawl");

    public override ILogicAndMaterializedValue<StreamedCrawl> CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var handle = new StreamedCrawl(string.IsNullOrWhiteSpace(_crawlId) ? CrawlCoordinator.NewCrawlId() : _crawlId);
        return new LogicAndMaterializedValue<StreamedCrawl>(new Logic(this, handle), handle);
    }

    private sealed class Logic : GraphStageLogic
    {
        private static long _runs;
        private readonly CrawlStage _stage;
        private readonly StreamedCrawl _handle;
        private readonly Queue<Crawl.PlanetResult> _ready = new();
        private StageActor _self = null!;
        private IActorRef _crawl = ActorRefs.Nobody;
        private Exception? _sourceFailure;
        private bool _crawlDone;
        private bool _consumerGone;

        public Logic(CrawlStage stage, StreamedCrawl handle) : base(stage.Shape)
        {
            _stage = stage;
            _handle = handle;
            SetHandler(stage.In, onPush: OnPlanet, onUpstreamFinish: OnPlanetsEnded, onUpstreamFailure: OnPlanetsFailed);
            SetHandler(stage.Out, onPull: PushReady, onDownstreamFinish: OnConsumerGone);
        }

        public override void PreStart()
        {
            SetKeepGoing(true); // the crawl outlives its input, and a cancelled crawl's last results are awaited
            _stage._started(_handle);
            _self = GetStageActor(OnMessage);
            _crawl = _stage._system.SystemActorOf(_stage._coordinator(_self.Ref, _handle.CrawlId),
                $"crawler-stream-{Interlocked.Increment(ref _runs)}");
            _self.Watch(_crawl);
            _crawl.Tell(new Crawl.StartStreamedCrawl(), _self.Ref);
            _handle.Attach(_crawl);
        }

        public override void PostStop()
        {
            if (!_crawlDone)
            {
                _crawl.Tell(new Crawl.CancelCrawl("the stream of its results stopped"));
                _handle.Stopped();
            }

            _handle.StageHasStopped();
        }

        private void OnMessage((IActorRef Sender, object Message) received)
        {
            switch (received.Message)
            {
                case Crawl.PlanetAck when !IsClosed(_stage.In) && !HasBeenPulled(_stage.In):
                    Pull(_stage.In);
                    break;
                case Crawl.PlanetResult result when !_consumerGone:
                    _ready.Enqueue(result);
                    PushReady();
                    break;
                case Crawl.Completed completed:
                    _crawlDone = true;
                    _handle.Completed(completed.Summary);
                    PushReady();
                    break;
                case Crawl.CrawlRefused refused:
                    _crawlDone = true;
                    _handle.Stopped();
                    FailStage(new InvalidOperationException(refused.Reason));
                    break;
                case Terminated terminated when terminated.ActorRef.Equals(_crawl) && !_crawlDone:
                    _handle.Stopped();
                    if (_consumerGone)
                    {
                        CompleteStage();
                    }
                    else
                    {
                        FailStage(new InvalidOperationException($"crawl {_handle.CrawlId} stopped before it completed (its ActorSystem is shutting down, or its cluster stopped answering)"));
                    }

                    break;
            }
        }

        private void OnPlanet() => _crawl.Tell(new Crawl.Planet(Grab(_stage.In)), _self.Ref);

        private void OnPlanetsEnded() => _crawl.Tell(Crawl.StreamEnded.Instance, _self.Ref);

        private void OnPlanetsFailed(Exception cause)
        {
            _sourceFailure = cause;
            _crawl.Tell(new Crawl.StreamFailed(cause.Message) { Cause = cause }, _self.Ref);
        }

        /// <summary>Pushes the next result if downstream wants one (and tells the crawl it was taken); after the last
        /// one, completes the stage, or fails it with the source's exception.</summary>
        private void PushReady()
        {
            if (_consumerGone)
            {
                if (_crawlDone)
                {
                    CompleteStage();
                }

                return;
            }

            if (_ready.Count > 0 && IsAvailable(_stage.Out))
            {
                Push(_stage.Out, _ready.Dequeue());
                _crawl.Tell(CrawlCoordinator.ResultTaken.Instance, _self.Ref);
            }

            if (_crawlDone && _ready.Count == 0)
            {
                if (_sourceFailure is { } failure)
                {
                    FailStage(failure);
                }
                else
                {
                    CompleteStage();
                }
            }
        }

        private void OnConsumerGone(Exception cause)
        {
            _consumerGone = true;
            _ready.Clear();
            if (!IsClosed(_stage.In))
            {
                Cancel(_stage.In);
            }

            if (_crawlDone)
            {
                CompleteStage();
            }
            else
            {
                _crawl.Tell(new Crawl.CancelCrawl("the stream's consumer cancelled"), _self.Ref);
            }
        }
    }
}
