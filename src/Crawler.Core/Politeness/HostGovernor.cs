using System.Diagnostics;
using Akka.Actor;
using Crawler.Core.Configuration;

namespace Crawler.Core.Politeness;

/// <summary>
/// Politeness and retry control for one crawl, per host. A first attempt to a healthy host only tells it
/// (<see cref="Requested"/>); to a host in <see cref="SlowedHosts"/> it asks for a slot (<see cref="Acquire"/>). A retry
/// always asks: it is granted only within the host's retry budget
/// (<c>budget-min + budget-ratio × requests</c>), after the larger of the backoff, the Retry-After and the host's
/// spacing; and a <see cref="SlowDown"/> (a 429 or 503) spaces the host's requests further for the rest of the crawl,
/// never closer. One instance per crawl, a child of the coordinator, shared by its fetchers.
/// </summary>
public sealed class HostGovernor : UntypedActor
{
    private readonly RetrySettings _settings;
    private readonly TimeSpan _minHostDelay;
    private readonly SlowedHosts _slowed;
    private readonly Func<TimeSpan> _now;
    private readonly Dictionary<string, HostState> _hosts = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Creates the governor; prefer <see cref="Props"/>.</summary>
    public HostGovernor(RetrySettings settings, SlowedHosts slowed, Func<TimeSpan>? now, TimeSpan minHostDelay)
    {
        _settings = settings;
        _minHostDelay = minHostDelay;
        _slowed = slowed;
        var clock = Stopwatch.StartNew();
        _now = now ?? (() => clock.Elapsed);
    }

    /// <inheritdoc />
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Requested requested:
                Host(requested.Host).Requests++;
                break;
            case Acquire acquire:
                OnAcquire(acquire);
                break;
            case AcquireRetry retry:
                OnAcquireRetry(retry);
                break;
            case SlowDown slowDown:
                OnSlowDown(slowDown);
                break;
            case SpaceHost space:
                var host = Host(space.Host);
                _slowed.Add(space.Host);
                if (space.Spacing > host.Spacing)
                {
                    host.Spacing = space.Spacing;
                }

                break;
            default:
                Unhandled(message);
                break;
        }
    }

    /// <summary>Props for a governor that marks slowed hosts in <paramref name="slowed"/> and spaces every host at least
    /// <paramref name="minHostDelay"/>; <paramref name="now"/> is a monotonic clock (tests pass their own).</summary>
    public static Props Props(RetrySettings settings, SlowedHosts slowed, Func<TimeSpan>? now = null, TimeSpan minHostDelay = default) =>
        Akka.Actor.Props.Create<HostGovernor>(settings, slowed, now, minHostDelay);

    /// <summary>Tells the governor that a first attempt went to <paramref name="Host"/> without asking (the host is not
    /// slowed down); it counts towards the host's retry budget. No reply.</summary>
    /// <param name="Host">The host the request went to.</param>
    public sealed record Requested(string Host);

    /// <summary>Asks for a slot for the first attempt of a request to a slowed-down <paramref name="Host"/>. The reply
    /// is a <see cref="Granted"/> with the same <paramref name="Token"/>.</summary>
    /// <param name="Host">The host the request goes to.</param>
    /// <param name="Token">The asker's correlation id.</param>
    public sealed record Acquire(string Host, long Token);

    /// <summary>Asks to retry a request to <paramref name="Host"/>. The reply is a <see cref="Granted"/> (wait its
    /// delay, then send) or a <see cref="Denied"/> when the host's retry budget is spent.</summary>
    /// <param name="Host">The host the request goes to.</param>
    /// <param name="Token">The asker's correlation id.</param>
    /// <param name="Backoff">The asker's backoff for this retry.</param>
    /// <param name="RetryAfter">The server's Retry-After, if it gave one.</param>
    public sealed record AcquireRetry(string Host, long Token, TimeSpan Backoff, TimeSpan? RetryAfter);

    /// <summary>Go ahead after <paramref name="Delay"/>.</summary>
    /// <param name="Token">The correlation id of the request.</param>
    /// <param name="Delay">How long to wait before sending.</param>
    public sealed record Granted(long Token, TimeSpan Delay);

    /// <summary>No retry: <paramref name="Reason"/> says why.</summary>
    /// <param name="Token">The correlation id of the request.</param>
    /// <param name="Reason">For a person.</param>
    public sealed record Denied(long Token, string Reason);

    /// <summary>Spaces the requests to <paramref name="Host"/> at least <paramref name="Spacing"/> apart for the rest of the
    /// crawl (a robots.txt Crawl-delay). The spacing never shrinks. No reply.</summary>
    /// <param name="Host">The host.</param>
    /// <param name="Spacing">The least time between two of its requests.</param>
    public sealed record SpaceHost(string Host, TimeSpan Spacing);

    /// <summary>Tells the governor that <paramref name="Host"/> answered 429 or 503 (no reply).</summary>
    /// <param name="Host">The host.</param>
    /// <param name="RetryAfter">Its Retry-After, if it gave one.</param>
    public sealed record SlowDown(string Host, TimeSpan? RetryAfter);

    private void OnAcquire(Acquire acquire)
    {
        var host = Host(acquire.Host);
        host.Requests++;
        Sender.Tell(new Granted(acquire.Token, Reserve(host, TimeSpan.Zero)));
    }

    private void OnAcquireRetry(AcquireRetry retry)
    {
        var host = Host(retry.Host);
        var budget = _settings.BudgetMin + (_settings.BudgetRatio * host.Requests);
        if (host.Retries + 1 > budget)
        {
            Sender.Tell(new Denied(retry.Token,
                $"the retry budget of {retry.Host} is spent: {host.Retries} retries for {host.Requests} requests"));
            return;
        }

        host.Retries++;
        host.Requests++;
        var wait = retry.RetryAfter is { } after && after > retry.Backoff ? after : retry.Backoff;
        Sender.Tell(new Granted(retry.Token, Reserve(host, wait)));
    }

    private void OnSlowDown(SlowDown slowDown)
    {
        var host = Host(slowDown.Host);
        var now = _now();
        _slowed.Add(slowDown.Host);

        // Doubles at most once per spacing interval: a burst of 503s to requests that were already in flight is one
        // signal, not twenty.
        var spacing = host.Spacing < _settings.SlowDown ? _settings.SlowDown
            : now >= host.LastSlowDown + host.Spacing ? host.Spacing * 2
            : host.Spacing;
        host.LastSlowDown = now;
        if (slowDown.RetryAfter is { } after && after > spacing)
        {
            spacing = after;
        }

        host.Spacing = spacing < _settings.MaxHostDelay ? spacing : _settings.MaxHostDelay;

        // A Retry-After holds the whole host back, but never longer than max-host-delay: an hour asked for one page
        // must not stall every other page of the host.
        var pause = slowDown.RetryAfter is { } wait && wait < _settings.MaxHostDelay ? wait : host.Spacing;
        var notBefore = now + (slowDown.RetryAfter is null ? host.Spacing : pause);
        if (notBefore > host.NextSlot)
        {
            host.NextSlot = notBefore;
        }
    }

    /// <summary>The delay of a request that may not start before <paramref name="atLeast"/> from now, and books
    /// the host's next slot after it when the host is spaced.</summary>
    private TimeSpan Reserve(HostState host, TimeSpan atLeast)
    {
        var now = _now();
        var start = now + atLeast;
        if (host.NextSlot > start)
        {
            start = host.NextSlot;
        }

        if (host.Spacing > TimeSpan.Zero)
        {
            host.NextSlot = start + host.Spacing;
        }

        return start - now;
    }

    private HostState Host(string name)
    {
        if (!_hosts.TryGetValue(name, out var state))
        {
            state = new HostState { Spacing = _minHostDelay };
            _hosts[name] = state;
        }

        return state;
    }

    private sealed class HostState
    {
        public long Requests { get; set; }

        public long Retries { get; set; }

        public TimeSpan Spacing { get; set; }

        public TimeSpan NextSlot { get; set; }

        public TimeSpan LastSlowDown { get; set; }
    }
}
