using System.Text;
using Akka.Actor;
using Akka.Event;
using Crawler.Core.Configuration;
using Crawler.Core.Fetching;
using Crawler.Http;
using Crawler.Http.Connection;

namespace Crawler.Core.Politeness;

#pragma warning disable IDE0065 // Inside namespace Crawler.*, the name Http means the namespace Crawler.Http;
using Http = Crawler.Http.Http; // an alias in the namespace lets call sites read Http.Send, as Tcp.Connect.
#pragma warning restore IDE0065

/// <summary>
/// Fetches each origin's robots.txt once per crawl (RFC 9309), on the first <see cref="Check"/> for it, and answers
/// every check with a <see cref="Verdict"/> carrying the origin's <see cref="RobotsRules"/>, which it also stores in
/// the crawl's <see cref="RobotsCache"/>. A 2xx is parsed (its first 500 KiB), redirects are followed up to five
/// times, a 4xx allows everything, a 5xx disallows everything; a robots.txt that cannot be fetched at all allows
/// the request, which then reports the network failure itself. A Crawl-delay, capped at
/// <see cref="CrawlerSettings.MaxCrawlDelay"/>, spaces the host through the <see cref="HostGovernor"/>.
/// </summary>
public sealed class RobotsKeeper : UntypedActor
{
    private readonly CrawlerSettings _settings;
    private readonly RobotsCache _cache;
    private readonly SlowedHosts _slowed;
    private readonly IActorRef _governor;
    private readonly Func<IUntypedActorContext, Uri, IActorRef> _connectionFactory;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, List<(IActorRef Asker, long Token)>> _waiting = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<long, (string Origin, Uri Url, int Redirects)> _fetching = [];
    private readonly Dictionary<string, IActorRef> _connections = new(StringComparer.OrdinalIgnoreCase);
    private long _ids;

    /// <summary>Creates the keeper; prefer <see cref="Props"/>.</summary>
    public RobotsKeeper(CrawlerSettings settings, RobotsCache cache, SlowedHosts slowed, IActorRef governor,
        Func<IUntypedActorContext, Uri, IActorRef>? connectionFactory)
    {
        _settings = settings;
        _cache = cache;
        _slowed = slowed;
        _governor = governor;
        _connectionFactory = connectionFactory ?? ((context, url) =>
            context.ActorOf(HttpClientConnection.PropsFor(url, settings.Http), "robots-" + HttpClientConnection.ActorName(url)));
    }

    /// <inheritdoc />
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Check check:
                OnCheck(check);
                break;
            case Http.ResponseReceived response:
                OnResponse(response);
                break;
            case Http.RequestFailed failed:
                OnFailed(failed);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    /// <summary>Props for the keeper of a crawl.</summary>
    public static Props Props(CrawlerSettings settings, RobotsCache cache, SlowedHosts slowed, IActorRef governor,
        Func<IUntypedActorContext, Uri, IActorRef>? connectionFactory = null) =>
        Akka.Actor.Props.Create<RobotsKeeper>(settings, cache, slowed, governor, connectionFactory);

    /// <summary>Asks for the rules of <paramref name="Url"/>'s origin; the reply is a <see cref="Verdict"/> with the
    /// same <paramref name="Token"/>.</summary>
    /// <param name="Url">Any URL of the origin.</param>
    /// <param name="Token">The asker's correlation id.</param>
    public sealed record Check(Uri Url, long Token);

    /// <summary>The rules of the origin asked about (a local message: the rules object is shared, never serialized).</summary>
    /// <param name="Token">The asker's correlation id.</param>
    /// <param name="Rules">The origin's rules.</param>
    public sealed record Verdict(long Token, RobotsRules Rules) : INoSerializationVerificationNeeded;

    private void OnCheck(Check check)
    {
        if (_cache.TryGet(check.Url, out var rules))
        {
            Sender.Tell(new Verdict(check.Token, rules!));
            return;
        }

        var origin = RobotsCache.OriginOf(check.Url);
        if (!_waiting.TryGetValue(origin, out var askers))
        {
            askers = [];
            _waiting[origin] = askers;
            Fetch(origin, new Uri(check.Url, "/robots.txt"), 0);
        }

        askers.Add((Sender, check.Token));
    }

    private void Fetch(string origin, Uri url, int redirects)
    {
        var key = RobotsCache.OriginOf(url);
        if (!_connections.TryGetValue(key, out var connection))
        {
            connection = _connectionFactory(Context, url);
            _connections[key] = connection;
        }

        var id = ++_ids;
        _fetching[id] = (origin, url, redirects);
        connection.Tell(Http.Send.Get(id, url));
    }

    private void OnResponse(Http.ResponseReceived response)
    {
        if (!_fetching.Remove(response.RequestId, out var fetch))
        {
            return;
        }

        var status = response.StatusCode;
        if (RedirectPolicy.IsRedirect(status) && response.Header("Location") is { } location && fetch.Redirects < 5
            && Uri.TryCreate(fetch.Url, location, out var next) && (next.Scheme == Uri.UriSchemeHttp || next.Scheme == Uri.UriSchemeHttps))
        {
            Fetch(fetch.Origin, next, fetch.Redirects + 1);
            return;
        }

        var rules = status switch
        {
            >= 200 and < 300 => RobotsRules.Parse(
                Encoding.UTF8.GetString(response.Body.Span[..Math.Min(response.Body.Length, RobotsRules.MaxBytes)]),
                _settings.ProductToken, fetch.Url.ToString()),
            >= 500 => RobotsRules.DisallowAll($"{fetch.Url} (it answered {status}, so everything is disallowed: RFC 9309 §2.3.1.4)"),
            _ => RobotsRules.AllowAll,
        };
        Complete(fetch.Origin, rules);
    }

    private void OnFailed(Http.RequestFailed failed)
    {
        if (_fetching.Remove(failed.RequestId, out var fetch))
        {
            _log.Info("Could not fetch {Url} ({Kind}); requesting the page anyway", fetch.Url, failed.Kind.Name());
            Complete(fetch.Origin, RobotsRules.AllowAll);
        }
    }

    private void Complete(string origin, RobotsRules rules)
    {
        _cache.Set(origin, rules);
        if (rules.CrawlDelay is { } delay && delay > TimeSpan.Zero)
        {
            var applied = delay;
            if (delay > _settings.MaxCrawlDelay)
            {
                applied = _settings.MaxCrawlDelay;
                _log.Warning("{Origin} asks for a Crawl-delay of {Delay} s; capped at {Cap} s (crawler.robots.max-crawl-delay)",
                    origin, delay.TotalSeconds, applied.TotalSeconds);
            }

            // Marked before the verdicts go out, and told to the governor before the askers can ask it for a slot.
            var host = new Uri(origin).IdnHost;
            _slowed.Add(host);
            _governor.Tell(new HostGovernor.SpaceHost(host, applied));
        }

        if (_waiting.Remove(origin, out var askers))
        {
            foreach (var (asker, token) in askers)
            {
                asker.Tell(new Verdict(token, rules));
            }
        }
    }
}
