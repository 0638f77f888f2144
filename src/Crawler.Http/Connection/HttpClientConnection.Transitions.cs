using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using Akka.IO;
using Crawler.Http.Configuration;
using Crawler.Http.Writing;

namespace Crawler.Http.Connection;

/// <summary>The transitions of <see cref="HttpClientConnection"/>: what each event does to the socket, the pipeline
/// and the timers, and which state comes next.</summary>
internal sealed partial class HttpClientConnection
{
    // ---- Transitions: each returns the next state (null: stay) --------------------------------------------------

    private Receive StartConnecting()
    {
        Timers.Cancel(IdleTimerKey);
        Timers.StartSingleTimer(ConnectTimerKey, ConnectTimedOut.Instance, _settings.ConnectTimeout);
        _timings.Resolving();
        // An IPv6 literal's zone comes percent-encoded in the URL (fe80::1%25eth0, RFC 6874): its interface is named
        // by the decoded form.
        if (IPAddress.TryParse(Uri.UnescapeDataString(_connectHost.Trim('[', ']')), out var address))
        {
            return Connect(address);
        }

        _log.Debug("Resolving {Host}", _connectHost);
        _dnsManager.Tell(new Akka.IO.Dns.Resolve(_connectHost));
        _resolvePending = true;
        return Resolving();
    }

    private Receive OnResolved(Akka.IO.Dns.Resolved resolved)
    {
        var address = resolved.IsSuccess ? resolved.Ipv4.Concat(resolved.Ipv6).FirstOrDefault() : null;
        if (address is not null)
        {
            return Connect(address);
        }

        Timers.Cancel(ConnectTimerKey);
        FailConnect(ConnectFailures.HasNetwork()
            ? FailureTexts.Unresolved(_connectHost, resolved.Exception is SocketException socket ? socket.Message : "no address found")
            : FailureTexts.NoNetworkToResolve(_connectHost));
        return _disconnected;
    }

    private Receive Connect(IPAddress address)
    {
        _timings.Connecting();
        var remote = new IPEndPoint(address, _connectPort);
        if (_log.IsDebugEnabled)
        {
            _log.Debug("Connecting to {Origin} at {Remote}{Via}", Origin, remote, _proxy is null ? string.Empty : " (its proxy)");
        }

        var attempt = ++_connectAttempts;
        _tcpManager.Tell(new Tcp.Connect(remote, null, [new ConnectWatch(Self, attempt)], _settings.ConnectTimeout, false));
        _connectPending = true;
        return Connecting(remote, attempt);
    }

    private Receive OnConnected(IActorRef tcp, IPEndPoint remote)
    {
        _timings.Connected();
        tcp.Tell(new Tcp.Register(Self, keepOpenOnPeerClosed: false, useResumeWriting: false));
        if (_log.IsDebugEnabled)
        {
            _log.Debug("Connected to {Origin} at {Remote}", Origin, remote);
        }

        if (_tls && _proxy is not null)
        {
            // A tunnel through the proxy first; TLS to the origin inside it.
            var tunnel = new ProxyTunnel(_host, _port, ProxySettings.Display(_proxy));
            _open = new PlainTransport(tcp);
            tcp.Tell(Tcp.Write.Create(Akka.IO.ByteString.FromBytes(tunnel.Request(_proxyAuthorization))));
            return Tunneling(tcp, remote, tunnel);
        }

        if (_tls)
        {
            return StartTls(tcp, remote);
        }

        Timers.Cancel(ConnectTimerKey);
        var link = new Link(new PlainTransport(tcp), remote);
        _open = link.Transport;
        WriteRequests(link);
        return Connected(link);
    }

    /// <summary>The TLS handshake with the origin, over the socket (or the proxy's tunnel): SNI and validation against
    /// the origin's name.</summary>
    private Receive StartTls(IActorRef tcp, IPEndPoint remote)
    {
        var tls = new TlsTransport(tcp, ++_sessions);
        var handshaking = new Link(tls, remote);
        _open = tls;
        tls.Handshake(_host, _settings.Tls, _settings.ConnectTimeout, Self);
        return Handshaking(handshaking, tls);
    }

    /// <summary>A failure to reach where the socket goes: the origin's own, or, through a proxy, a <c>proxy</c> failure
    /// that says what went wrong with it (never blamed on the origin).</summary>
    private void FailConnect(HttpFailure failure) =>
        FailQueued(_proxy is null ? failure : FailureTexts.ProxyUnreachable(ProxySettings.Display(_proxy), Origin, failure));

    private Receive OnConnectFailed(Exception? cause, IPEndPoint remote)
    {
        Timers.Cancel(ConnectTimerKey);
        if (ConnectFailures.LostItsCause(cause))
        {
            // Akka.IO 1.5.74 retries a failed connect and then reports it without its socket error, so refused,
            // unreachable and no-route look the same; one plain connect asks the OS which it was.
            ConnectFailures.DiagnoseAsync(remote, ConnectTarget, _settings.ConnectTimeout).PipeTo(Self);
            return Diagnosing();
        }

        FailConnect(ConnectFailures.Classify(cause, ConnectTarget, remote, _settings.ConnectTimeout));
        return _disconnected;
    }

    /// <summary>Response bytes: parsed into as many responses as they complete (pipelined responses may arrive
    /// together). Bytes nobody asked for mean the socket can no longer be trusted to frame a response.</summary>
    private Receive? OnBytes(Link link, ByteString data)
    {
        if (_pipeline.Head is not { } head)
        {
            _log.Warning("Closing the connection to {Origin}: it sent bytes while no request was waiting", Origin);
            return Closed(link, Tcp.Abort.Instance);
        }

        // The read timer is not restarted on every read (each restart is a scheduler operation, and a body arrives in
        // many frames): the last read is noted, and the timer, when it fires, looks at it.
        if (!link.ReceivedAny)
        {
            link.ReceivedAny = true;
            Timers.StartSingleTimer(ReadTimerKey, ReadTimedOut.Instance, _settings.ReadIdleTimeout);
        }

        link.LastRead = Stopwatch.GetTimestamp();
        if (_stallWatched)
        {
            _stallWatched = false;
            Timers.Cancel(StallTimerKey); // the next response began
        }

        if (head.FirstByte == 0)
        {
            head.FirstByte = link.LastRead;
        }

        _reader.Append(data);
        while (_pipeline.Head is { } reading)
        {
            var outcome = _reader.Next(reading.Send, reading.Streamed);
            if (reading.Streamed)
            {
                Stream(link, reading, outcome);
            }

            switch (outcome.Status)
            {
                case ReadStatus.Complete:
                    _pipeline.Answered(reading);
                    Answer(reading, outcome);
                    if (!outcome.KeepAlive)
                    {
                        // The server ends the socket here (or the request's watch took its response before the end):
                        // requests written behind this one were never answered and go out again on a new socket
                        // (they are idempotent GETs and HEADs).
                        return Closed(link, outcome.CutShort ? Tcp.Abort.Instance : Tcp.Close.Instance);
                    }

                    ExpectNextResponse(link);
                    WriteRequests(link);
                    if (!_reader.HasBufferedBytes)
                    {
                        WatchForStall();
                        return null;
                    }

                    continue;
                case ReadStatus.Broken:
                    ReplyHead(reading.Send.Failed(outcome.Failure!));
                    return Closed(link, Tcp.Abort.Instance);
                default:
                    return null;
            }
        }

        return null;
    }

    /// <summary>A streamed request: its head and body parts go to the requester as they are read; with
    /// <see cref="Streaming.Window"/> parts unacknowledged the socket stops being read.</summary>
    private void Stream(Link link, PendingRequest reading, ReadOutcome outcome)
    {
        if (reading.Refusal is not null)
        {
            return; // the proxy's own answer: not the origin's body
        }

        if (outcome.Head is { } refused && ProxyRefusal(refused) is { } refusal)
        {
            reading.Refusal = refusal;
            return;
        }

        if (outcome.Head is { } head)
        {
            Timers.Cancel(reading.TimerKey); // a download takes as long as it takes; the read-idle timeout still holds
            reading.ReplyTo.Tell(new Streaming.Started(head with { Timings = _timings.Of(reading) }));
        }

        foreach (var part in outcome.Parts ?? [])
        {
            reading.ReplyTo.Tell(new Streaming.Part(reading.Send.RequestId, part));
            link.Unacknowledged++;
        }

        if (link.Unacknowledged >= Streaming.Window && !link.Suspended)
        {
            link.Suspended = true;
            link.Transport.Tcp.Tell(Tcp.SuspendReading.Instance);
        }
    }

    /// <summary>Through a proxy in absolute form, the proxy's own refusal: 407, or an error it made itself (squid's
    /// <c>X-Squid-Error</c>, RFC 9209's <c>Proxy-Status</c>); null for a response of the origin.</summary>
    private HttpFailure? ProxyRefusal(Http.ResponseReceived response) =>
        _proxy is null || _tls || response.StatusCode < 400 ? null
        : response.StatusCode == 407 || response.Header("X-Squid-Error") is not null || response.Header("Proxy-Status") is not null
            ? FailureTexts.ProxyRefused(ProxySettings.Display(_proxy), Origin, response.StatusCode, response.ReasonPhrase,
                response.Header("X-Squid-Error") ?? response.Header("Proxy-Status"))
            : null;

    /// <summary>The requester took a part: at half the window the socket is read again.</summary>
    private static void OnStreamAck(Link link)
    {
        link.Unacknowledged = Math.Max(0, link.Unacknowledged - 1);
        if (link.Suspended && link.Unacknowledged <= Streaming.Window / 2)
        {
            link.Suspended = false;
            link.LastRead = Stopwatch.GetTimestamp(); // the quiet time was ours, not the server's
            link.Transport.Tcp.Tell(Tcp.ResumeReading.Instance);
        }
    }

    /// <summary>Until the server has answered a pipelined request, a pipelined request left at the head after a response
    /// must begin within <see cref="Configuration.HttpClientSettings.PipeliningStallTimeout"/>.</summary>
    private void WatchForStall()
    {
        // Not the depth of now: an origin told one-at-a-time after this batch was written still owes its answers.
        if (!_pipeline.Proven && _pipeline.Head is { Pipelined: true } next)
        {
            _stallWatched = true;
            Timers.StartSingleTimer(StallTimerKey, new PipelineStalled(next.Sequence), _settings.PipeliningStallTimeout);
        }
    }

    /// <summary>The server answered the first of a pipelined batch and then nothing (gunicorn does, holding the socket
    /// open): from now on one request at a time, the observer is told, and the unanswered requests go out again on a
    /// new socket.</summary>
    private Receive? OnPipelineStalled(Link link, PipelineStalled stalled)
    {
        _stallWatched = false;
        if (_pipeline.Proven || _pipeline.Head is not { FirstByte: 0 } head || head.Sequence != stalled.Sequence)
        {
            return null;
        }

        _log.Debug("{Origin} answered the first of a pipelined batch and then nothing for {Wait}: one request at a time from now on",
            Origin, _settings.PipeliningStallTimeout);
        _pipeline.OneAtATime();
        _observer?.Tell(Pipelining.Refused.Instance);
        return Closed(link, Tcp.Abort.Instance);
    }

    /// <summary>The peer closed the socket: a close-delimited response ends here; a reused socket that closed before
    /// answering gets its request written once more on a new one (RFC 9112 §9.3.1); anything else is cut off.</summary>
    private Receive OnEnd(Link link)
    {
        if (_pipeline.Head is not { } head)
        {
            _log.Debug("The connection to {Origin} was closed while idle", Origin);
            return Closed(link, null);
        }

        var outcome = _reader.End(head.Send);
        if (outcome.Status == ReadStatus.NoResponse && _pipeline.MarkHeadForResend())
        {
            _log.Debug("The reused connection to {Origin} closed before answering; retrying {Url} on a new one", Origin, head.Send.Url);
            return Closed(link, null);
        }

        if (head.Streamed && outcome.Status == ReadStatus.Complete)
        {
            Stream(link, head, outcome);
        }

        Answer(head, outcome);
        return Closed(link, null);
    }

    /// <summary>The socket failed under a request: one that got no byte back on a reused socket is resent once, any
    /// other fails with <paramref name="failure"/>.</summary>
    private Receive OnBroken(Link link, HttpFailure failure)
    {
        if (_pipeline.Head is { } head && (_reader.IsResponseStarted || !_pipeline.MarkHeadForResend()))
        {
            ReplyHead(head.Send.Failed(failure));
        }
        else if (_pipeline.Head is null)
        {
            _log.Debug("The connection to {Origin} was closed while idle", Origin);
        }

        return Closed(link, null);
    }

    private Receive? OnReadTimedOut(Link link)
    {
        if (_pipeline.Head is not { } head)
        {
            return null;
        }

        var quiet = Stopwatch.GetElapsedTime(link.LastRead);
        if (link.Suspended)
        {
            // The requester holds reading back (a streamed body it has not taken yet): not the server's silence.
            Timers.StartSingleTimer(ReadTimerKey, ReadTimedOut.Instance, _settings.ReadIdleTimeout);
            return null;
        }

        if (link.ReceivedAny && quiet < _settings.ReadIdleTimeout)
        {
            Timers.StartSingleTimer(ReadTimerKey, ReadTimedOut.Instance, _settings.ReadIdleTimeout - quiet);
            return null;
        }

        ReplyHead(head.Send.Failed(link.ReceivedAny
            ? FailureTexts.BodyStalled(Origin, _settings.ReadIdleTimeout)
            : FailureTexts.NoFirstByte(Origin, _settings.FirstByteTimeout)));
        return Closed(link, Tcp.Abort.Instance);
    }

    /// <summary>A request ran out of time. One in flight may still get its response, so the socket can no longer be
    /// trusted to match the others: it is aborted, and the requests written on it go out again on a new one.</summary>
    private Receive? OnRequestTimedOut(RequestTimedOut timedOut, Link? link)
    {
        var reading = _pipeline.Head?.Sequence == timedOut.Sequence && _reader.IsResponseStarted;
        if (_pipeline.Remove(timedOut.Sequence, out var inFlight) is not { } request)
        {
            return null;
        }

        if (inFlight && link is not null)
        {
            request.ReplyTo.Tell(request.Send.Failed(FailureTexts.RequestTimedOutInFlight(Origin, _settings.RequestTimeout, reading))
                with { Timings = _timings.OfFailed(request) });
            return Closed(link, Tcp.Abort.Instance);
        }

        request.ReplyTo.Tell(request.Send.Failed(FailureTexts.RequestTimedOutQueued(Origin, _settings.RequestTimeout, connecting: link is null))
            with { Timings = _timings.OfFailed(request) });
        if (_pipeline.IsEmpty && link is null)
        {
            Timers.Cancel(ConnectTimerKey);
            return _disconnected;
        }

        return null;
    }

    /// <summary>Done with the socket: closed with <paramref name="command"/> (null: it is already closed); the queue
    /// carries on over a new one, or the actor waits for the next request.</summary>
    private Receive Closed(Link link, Tcp.CloseCommand? command)
    {
        link.Transport.Close(command);
        _open = null;
        Timers.Cancel(ReadTimerKey);
        Timers.Cancel(IdleTimerKey);
        _reader.Reset();
        _pipeline.Requeue();
        return _pipeline.Queued > 0 ? StartConnecting() : _disconnected;
    }

    /// <summary><see cref="Http.Shutdown"/>: every request fails as stopped, the socket is aborted, and the actor stops
    /// once Akka.IO has answered what it owes (or after <see cref="ShutdownTimeout"/>).</summary>
    private void ShutDown()
    {
        Timers.CancelAll();
        FailAll(FailureTexts.Stopped(Origin));
        var socket = _open?.Tcp;
        _open?.Close(Tcp.Abort.Instance);
        _open = null;
        if (socket is null && !_connectPending && !_resolvePending)
        {
            Context.Stop(Self);
            return;
        }

        Timers.StartSingleTimer(ShutdownTimerKey, ShutdownTimedOut.Instance, ShutdownTimeout);
        Become(ShuttingDown(socket));
    }

    private Receive ShuttingDown(IActorRef? socket) => message =>
    {
        switch (message)
        {
            case Tcp.ConnectionClosed when Sender.Equals(socket):
                socket = null;
                break;
            case Tcp.Connected:
                _connectPending = false;
                socket = Sender;
                Sender.Tell(Tcp.Abort.Instance);
                break;
            case Tcp.CommandFailed { Cmd: Tcp.Connect }:
                _connectPending = false;
                break;
            case Akka.IO.Dns.Resolved:
                _resolvePending = false;
                break;
            case ShutdownTimedOut:
                Context.Stop(Self);
                return true;
            case Http.Send or Streaming.Get:
                Sender.Tell(AsRequest(message).Send!.Failed(FailureTexts.Stopped(Origin)));
                return true;
            default:
                return true; // everything else of the connection's life is over
        }

        if (socket is null && !_connectPending && !_resolvePending)
        {
            Context.Stop(Self);
        }

        return true;
    };

    // ---- Requests and replies -------------------------------------------------------------------------------------

    /// <summary>The request a message asks for, and whether its body is streamed; (null, false) for other messages.</summary>
    private static (Http.Send? Send, bool Streamed) AsRequest(object message) => message switch
    {
        Http.Send send => (send, false),
        Streaming.Get get => (get.Send, true),
        _ => (null, false),
    };

    /// <summary>Queues the request and starts its timer; false when it was refused at once.</summary>
    private bool Accept(Http.Send send, bool streamed)
    {
        if (!IsOwnOrigin(send.Url))
        {
            Sender.Tell(send.Failed(FailureTexts.NotOnOrigin(send.Url, Origin)));
            return false;
        }

        var request = _pipeline.Accept(send, Sender, streamed);
        Timers.StartSingleTimer(request.TimerKey, new RequestTimedOut(request.Sequence), _settings.RequestTimeout);
        return true;
    }

    /// <summary>Writes what the pipeline lets through, as one write; with nothing in flight the socket idles.</summary>
    private void WriteRequests(Link link)
    {
        var writable = _pipeline.TakeWritable();
        if (_pipeline.InFlight == 0)
        {
            Timers.StartSingleTimer(IdleTimerKey, IdleTimedOut.Instance, _settings.KeepAliveTimeout);
            return;
        }

        Timers.Cancel(IdleTimerKey);
        if (writable.Count == 0)
        {
            return;
        }

        var bytes = new ArrayBufferWriter<byte>(256 * writable.Count);
        foreach (var request in writable)
        {
            _reader.Expect(request.Send.Method);
            var proxied = _proxy is not null && !_tls;
            HttpRequestWriter.Write(bytes, new HttpRequestSpec(request.Send.Method, request.Send.Url, _settings.UserAgent,
                _settings.Accept, KeepAlive: true, _settings.AcceptEncoding, AbsoluteForm: proxied,
                ProxyAuthorization: proxied ? _proxyAuthorization : string.Empty));
            if (_log.IsDebugEnabled)
            {
                _log.Debug("{Method} {Url} (request {Count} on this connection)", request.Send.Method, request.Send.Url, request.IndexOnConnection);
            }
        }

        link.Transport.Write(bytes.WrittenMemory.ToArray(), Self);
        if (!Timers.IsTimerActive(ReadTimerKey))
        {
            link.ReceivedAny = false;
            Timers.StartSingleTimer(ReadTimerKey, ReadTimedOut.Instance, _settings.FirstByteTimeout);
        }
    }

    /// <summary>After a response: the next one in flight gets a fresh first-byte timer.</summary>
    private void ExpectNextResponse(Link link)
    {
        if (_pipeline.Head is not null)
        {
            link.ReceivedAny = false;
            Timers.StartSingleTimer(ReadTimerKey, ReadTimedOut.Instance, _settings.FirstByteTimeout);
        }
        else
        {
            Timers.Cancel(ReadTimerKey);
        }
    }

    /// <summary>Answers the head with the outcome of reading its response.</summary>
    private void Answer(PendingRequest head, ReadOutcome outcome) =>
        ReplyHead(outcome switch
        {
            { Failure: { } failure } => head.Send.Failed(failure),
            _ when head.Refusal is { } refusal => head.Send.Failed(refusal),
            { Response: { } refused } when ProxyRefusal(refused) is { } refusal => head.Send.Failed(refusal),
            { Response: { } response } => response with { Timings = _timings.Of(head) },
            _ => new Streaming.Ended(head.Send.RequestId, _timings.Of(head)),
        });

    /// <summary>Answers the request whose response was being read and takes it out of the pipeline.</summary>
    private void ReplyHead(object reply)
    {
        var head = _pipeline.CompleteHead();
        if (reply is Http.RequestFailed { Timings: null } failed)
        {
            reply = failed with { Timings = _timings.OfFailed(head) };
        }

        Timers.Cancel(head.TimerKey);
        if (_pipeline.InFlight == 0)
        {
            Timers.Cancel(ReadTimerKey);
        }

        head.ReplyTo.Tell(reply);
    }

    private void FailQueued(HttpFailure failure)
    {
        foreach (var request in _pipeline.DrainQueued())
        {
            Timers.Cancel(request.TimerKey);
            request.ReplyTo.Tell(request.Send.Failed(failure) with { Timings = _timings.OfFailed(request) });
        }
    }

    /// <summary>Fails every request, queued or in flight (their timers are gone with the connection's).</summary>
    private void FailAll(HttpFailure failure)
    {
        foreach (var request in _pipeline.DrainAll())
        {
            request.ReplyTo.Tell(request.Send.Failed(failure));
        }
    }

    private bool IsOwnOrigin(Uri url) =>
        url.IsAbsoluteUri && url.Scheme == (_tls ? Uri.UriSchemeHttps : Uri.UriSchemeHttp) && url.Port == _port
        && string.Equals(url.IdnHost, _host, StringComparison.OrdinalIgnoreCase);

    /// <summary>One open socket: its transport, its address, and the read timer's view of the response being read.</summary>
    private sealed class Link(Transport transport, IPEndPoint remote)
    {
        public Transport Transport { get; } = transport;

        public IPEndPoint Remote { get; } = remote;

        public bool ReceivedAny { get; set; }

        public long LastRead { get; set; }

        /// <summary>Streamed body parts sent and not yet acknowledged.</summary>
        public int Unacknowledged { get; set; }

        /// <summary>True while reading is suspended for a requester that is behind.</summary>
        public bool Suspended { get; set; }
    }

    private sealed record RequestTimedOut(long Sequence);

    private sealed record PipelineStalled(long Sequence);

    private sealed record ShutdownTimedOut
    {
        public static readonly ShutdownTimedOut Instance = new();
    }

    private sealed record ConnectTimedOut
    {
        public static readonly ConnectTimedOut Instance = new();
    }

    private sealed record IdleTimedOut
    {
        public static readonly IdleTimedOut Instance = new();
    }

    private sealed record ReadTimedOut
    {
        public static readonly ReadTimedOut Instance = new();
    }
}
