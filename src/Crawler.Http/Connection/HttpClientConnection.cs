using System.Diagnostics;
using System.Net;
using Akka.Actor;
using Akka.Event;
using Akka.IO;
using Crawler.Http.Configuration;

namespace Crawler.Http.Connection;

/// <summary>
/// An HTTP/1.1 client for one origin (scheme, host and port) on an Akka.IO TCP connection. It accepts
/// <see cref="Http.Send"/> from any actor and answers each with exactly one <see cref="Http.ResponseReceived"/> or
/// <see cref="Http.RequestFailed"/>. Requests go over a keep-alive socket, opened on demand (name resolution through
/// Akka's DNS extension, then <see cref="Tcp.Connect"/>, then TLS for https) and reopened when the server closed it;
/// one at a time, or up to <see cref="HttpClientSettings.PipeliningDepth"/> back to back with pipelining on. The actor
/// is glue: the order of requests is <see cref="RequestPipeline"/>'s, reading responses <see cref="ResponseReader"/>'s,
/// the socket a <see cref="Transport"/>, the words of each failure <see cref="FailureTexts"/>'.
/// </summary>
/// <remarks>
/// States, as in Akka.IO's own connection actors, each a method that takes its data as parameters:
/// <see cref="Disconnected"/> → <see cref="Resolving"/> → <see cref="Connecting"/> (→ <see cref="Diagnosing"/> when
/// Akka.IO lost the cause of a failed connect) → <see cref="Handshaking"/> (https) → <see cref="Connected"/>, and back
/// to <see cref="Resolving"/> or <see cref="Disconnected"/> when the socket closes. Every request has its own timer
/// (<see cref="HttpClientSettings.RequestTimeout"/>); resolving, connecting and the handshake share the connect timer;
/// a read timer covers the first byte and the gaps in a body, since Akka.IO has no read timeout of its own. Stopping the
/// actor closes its socket and answers every request still waiting as <c>cancelled</c>.
/// </remarks>
internal sealed partial class HttpClientConnection : ActorBase, IWithTimers, IDisposable
{
    private const string ConnectTimerKey = "connect";
    private const string IdleTimerKey = "keep-alive";
    private const string ReadTimerKey = "read";
    private const string ShutdownTimerKey = "shutdown";
    private const string StallTimerKey = "pipelining-stall";
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(2);

    private readonly string _host;
    private readonly int _port;
    private readonly bool _tls;
    private readonly HttpClientSettings _settings;
    private readonly IActorRef _tcpManager;
    private readonly IActorRef _dnsManager;
    private readonly IActorRef? _observer;

    // The forward proxy of this origin (null: direct), where the socket goes, and its credentials.
    private readonly Uri? _proxy;
    private readonly string _connectHost;
    private readonly int _connectPort;
    private readonly string _proxyAuthorization;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly RequestPipeline _pipeline;
    private readonly ResponseReader _reader;
    private readonly ConnectionTimings _timings = new();
    private readonly Receive _disconnected;
    private long _sessions;

    // Pipelining: the stall timer is watching the pipelined request at the head.
    private bool _stallWatched;

    // The socket of the current state, kept only so that PostStop can let it go.
    private Transport? _open;

    // What Akka.IO still owes an answer to: a Connect, a name lookup. A shutdown waits for them.
    private bool _connectPending;
    private long _connectAttempts;
    private bool _resolvePending;

    /// <summary>Creates the actor; prefer <see cref="Props(string, int, HttpClientSettings, IActorRef?, IActorRef?, bool, IActorRef?)"/>.</summary>
    public HttpClientConnection(string host, int port, HttpClientSettings settings, IActorRef? tcpManager, IActorRef? dnsManager, bool tls,
        IActorRef? observer)
    {
        _observer = observer;
        _proxy = settings.Proxy.For(tls, host);
        _connectHost = _proxy?.IdnHost ?? host;
        _connectPort = _proxy?.Port ?? port;
        _proxyAuthorization = _proxy is null ? string.Empty : ProxySettings.Authorization(_proxy) ?? string.Empty;
        _host = host;
        _port = port;
        _tls = tls;
        _settings = settings;
        _tcpManager = tcpManager ?? Context.System.Tcp();
        _dnsManager = dnsManager ?? Akka.IO.Dns.Instance.Apply(Context.System).Manager;
        _pipeline = new RequestPipeline(settings.Pipelining ? settings.PipeliningDepth : 1);
        _reader = new ResponseReader(settings.Limits, Origin);
        _disconnected = Disconnected();
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props for the connection to <paramref name="host"/>:<paramref name="port"/>, over TLS when
    /// <paramref name="tls"/>. The TCP and DNS managers default to the system's Akka.IO extensions; tests pass probes.
    /// <paramref name="observer"/>, when given, is told <see cref="Pipelining.Refused"/>.</summary>
    public static Props Props(string host, int port, HttpClientSettings settings, IActorRef? tcpManager = null,
        IActorRef? dnsManager = null, bool tls = false, IActorRef? observer = null) =>
        DirectProps.Of(() => new HttpClientConnection(host, port, settings, tcpManager, dnsManager, tls, observer));

    /// <summary>Props for the connection to the origin of <paramref name="url"/> (http or https).</summary>
    public static Props PropsFor(Uri url, HttpClientSettings settings, IActorRef? observer = null)
    {
        ArgumentNullException.ThrowIfNull(url);
        return Props(url.IdnHost, url.Port, settings, tls: url.Scheme == Uri.UriSchemeHttps, observer: observer);
    }

    /// <summary>An actor name for the connection to <paramref name="url"/>'s origin, e.g. <c>http-example.org-80</c>.</summary>
    public static string ActorName(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return ActorNames.Safe($"{url.Scheme}-{url.IdnHost}-{url.Port}");
    }

    /// <inheritdoc />
    protected override void PreStart() => ConnectionMetrics.Opened();

    /// <inheritdoc />
    protected override void PostStop()
    {
        ConnectionMetrics.Closed();
        // No Close: Akka.IO's connection watches this actor and closes the socket when it stops. A Close sent now would
        // be answered, to this stopped actor, with Closed: a dead letter in the host's log.
        _open?.Close(Tcp.Close.Instance);
        FailAll(FailureTexts.Stopped(Origin));
    }

    /// <summary>Returns the pooled read buffer; Akka calls this after the actor stopped.</summary>
    public void Dispose() => _reader.Dispose();

    /// <inheritdoc />
    protected override bool Receive(object message) => _disconnected(message);

    private string Origin => $"{_host}:{_port}";

    /// <summary>Where the socket goes: the origin, or its proxy.</summary>
    private string ConnectTarget => _proxy is null ? Origin : $"the proxy {ProxySettings.Display(_proxy)}";

    // ---- States ---------------------------------------------------------------------------------------------------

    private Receive Disconnected() => message =>
    {
        if (AsRequest(message) is var (send, streamed) && send is not null)
        {
            if (Accept(send, streamed))
            {
                Become(StartConnecting());
            }

            return true;
        }

        return Late(message);
    };

    private Receive Resolving() => message =>
    {
        switch (message)
        {
            case Akka.IO.Dns.Resolved resolved when resolved.Name == _connectHost:
                _resolvePending = false;
                Become(OnResolved(resolved));
                return true;
            case ConnectTimedOut:
                FailConnect(FailureTexts.ResolveTimedOut(_connectHost, _settings.ConnectTimeout));
                Become(_disconnected);
                return true;
            default:
                return WhileConnecting(message);
        }
    };

    private Receive Connecting(IPEndPoint remote, long attempt) => message =>
    {
        switch (message)
        {
            case ConnectWatch.Broken broken when broken.Attempt == attempt:
                // Akka.IO's connection actor dies of it and will answer nothing more.
                _connectPending = false;
                Timers.Cancel(ConnectTimerKey);
                FailConnect(FailureTexts.ResetOnAccept(ConnectTarget, broken.Reason));
                Become(_disconnected);
                return true;
            case Tcp.Connected:
                _connectPending = false;
                Become(OnConnected(Sender, remote));
                return true;
            case Tcp.CommandFailed { Cmd: Tcp.Connect } failed:
                _connectPending = false;
                Become(OnConnectFailed(failed.Cause.GetOrElse(null!), remote));
                return true;
            case ConnectTimedOut:
                // Akka.IO's own connect timeout should fire first; this one covers a connect that never answers.
                FailConnect(FailureTexts.ConnectTimedOut(ConnectTarget, remote, _settings.ConnectTimeout));
                Become(_disconnected);
                return true;
            default:
                return WhileConnecting(message);
        }
    };

    /// <summary>Waits for the plain-socket diagnosis of a connect failure whose cause Akka.IO lost.</summary>
    private Receive Diagnosing() => message =>
    {
        switch (message)
        {
            case ConnectFailures.Diagnosis diagnosis:
                FailConnect(diagnosis.Failure);
                Become(_disconnected);
                return true;
            default:
                return WhileConnecting(message);
        }
    };

    /// <summary>Asks the proxy for a tunnel to the origin (<c>CONNECT</c>) and waits for its answer; a 2xx starts TLS to
    /// the origin inside the tunnel, anything else fails the queued requests as <c>proxy</c>. The connect timer keeps
    /// running.</summary>
    private Receive Tunneling(IActorRef tcp, IPEndPoint remote, ProxyTunnel tunnel) => message =>
    {
        if (message is Tcp.Received or Tcp.ConnectionClosed && !Sender.Equals(tcp))
        {
            return true;
        }

        switch (message)
        {
            case Tcp.Received received:
                switch (tunnel.Read(received.Data.ToArray()))
                {
                    case ProxyTunnel.Outcome.Open:
                        Become(StartTls(tcp, remote));
                        break;
                    case ProxyTunnel.Outcome.Refused:
                        Timers.Cancel(ConnectTimerKey);
                        FailQueued(tunnel.Failure!);
                        tcp.Tell(Tcp.Abort.Instance);
                        _open = null;
                        Become(_pipeline.Queued > 0 ? StartConnecting() : _disconnected);
                        break;
                }

                return true;
            case Tcp.ConnectionClosed:
                Timers.Cancel(ConnectTimerKey);
                FailQueued(tunnel.Closed());
                _open = null;
                Become(_pipeline.Queued > 0 ? StartConnecting() : _disconnected);
                return true;
            case ConnectTimedOut:
                FailQueued(tunnel.TimedOut(_settings.ConnectTimeout));
                tcp.Tell(Tcp.Abort.Instance);
                _open = null;
                Become(_disconnected);
                return true;
            default:
                return WhileConnecting(message);
        }
    };

    /// <summary>Runs the TLS handshake over the new socket; the connect timer keeps running, since the handshake is
    /// part of the connect phase.</summary>
    private Receive Handshaking(Link link, TlsTransport tls) => message =>
    {
        if (IsStale(message, link))
        {
            return true;
        }

        switch (message)
        {
            case Tcp.Received received:
                tls.Received(received.Data);
                return true;
            case Tcp.ConnectionClosed:
                tls.PeerClosed(); // the handshake fails with it, and says so
                return true;
            case TlsSession.Handshaken handshaken:
                _timings.Secured();
                Timers.Cancel(ConnectTimerKey);
                if (_log.IsDebugEnabled)
                {
                    _log.Debug("TLS with {Origin}: {Description}", Origin, handshaken.Description);
                }

                tls.StartReading(Self);
                Become(Connected(link));
                WriteRequests(link);
                return true;
            case TlsSession.Failed failed:
                Timers.Cancel(ConnectTimerKey);
                FailQueued(failed.TimedOut
                    ? FailureTexts.HandshakeTimedOut(Origin, _settings.ConnectTimeout)
                    : FailureTexts.HandshakeFailed(Origin, failed.Reason));
                Become(Closed(link, Tcp.Abort.Instance));
                return true;
            case ConnectTimedOut:
                FailQueued(FailureTexts.ConnectTimedOut(Origin, link.Remote, _settings.ConnectTimeout));
                Become(Closed(link, Tcp.Abort.Instance));
                return true;
            default:
                return WhileConnecting(message);
        }
    };

    /// <summary>A socket is open: requests are written as they come (and as the pipeline has room), responses read as
    /// bytes arrive; with nothing in flight the socket idles until the keep-alive timeout.</summary>
    private Receive Connected(Link link) => message =>
    {
        if (IsStale(message, link))
        {
            return true;
        }

        switch (message)
        {
            case Http.Send or Streaming.Get:
                var (send, streamed) = AsRequest(message);
                if (Accept(send!, streamed))
                {
                    WriteRequests(link);
                }

                return true;
            case Streaming.Ack:
                OnStreamAck(link);
                return true;
            case Tcp.Received received:
                if (link.Transport.Received(received.Data) is { } plaintext)
                {
                    Go(OnBytes(link, plaintext));
                }

                return true;
            case TlsSession.Decrypted decrypted:
                Go(OnBytes(link, decrypted.Data));
                return true;
            case Tcp.PeerClosed:
                if (link.Transport.PeerClosed())
                {
                    Become(OnEnd(link));
                }

                return true;
            case TlsSession.Ended:
                Become(OnEnd(link));
                return true;
            case TlsSession.Failed failed:
                Become(OnBroken(link, FailureTexts.TlsBroke(Origin, failed.Reason)));
                return true;
            case TlsSession.Written:
                return true;
            case Tcp.ErrorClosed closed:
                Become(OnBroken(link, FailureTexts.ResetByPeer(Origin, closed.Cause)));
                return true;
            case Tcp.ConnectionClosed:
                Become(OnBroken(link, FailureTexts.ClosedUnderRequest(Origin)));
                return true;
            case Tcp.CommandFailed { Cmd: Tcp.WriteCommand }:
                Become(OnBroken(link, FailureTexts.WriteFailed(Origin)));
                return true;
            case ReadTimedOut:
                Go(OnReadTimedOut(link));
                return true;
            case IdleTimedOut:
                _log.Debug("Closing the idle connection to {Origin}", Origin);
                Become(Closed(link, Tcp.Close.Instance));
                return true;
            case RequestTimedOut timedOut:
                Go(OnRequestTimedOut(timedOut, link));
                return true;
            case PipelineStalled stalled:
                Go(OnPipelineStalled(link, stalled));
                return true;
            default:
                return Late(message);
        }
    };

    /// <summary>What every state before <see cref="Connected"/> does alike: it queues requests (they are written once
    /// the socket is up) and times them out; the rest is <see cref="Late"/>.</summary>
    private bool WhileConnecting(object message)
    {
        switch (message)
        {
            case Http.Send or Streaming.Get:
                var (send, streamed) = AsRequest(message);
                Accept(send!, streamed);
                return true;
            case RequestTimedOut timedOut:
                Go(OnRequestTimedOut(timedOut, null));
                return true;
            default:
                return Late(message);
        }
    }

    /// <summary>What every state ignores or refuses: a connect that completed after its attempt was given up (aborted),
    /// and the late events of an earlier socket, session, timer or lookup.</summary>
    private bool Late(object message)
    {
        switch (message)
        {
            case Http.Shutdown:
                ShutDown();
                return true;
            case Pipelining.OneAtATime:
                _pipeline.OneAtATime();
                return true;
            case Tcp.Connected:
                _connectPending = false;
                Sender.Tell(Tcp.Abort.Instance);
                return true;
            case Tcp.CommandFailed { Cmd: Tcp.Connect }:
                _connectPending = false;
                return true;
            case Akka.IO.Dns.Resolved:
                _resolvePending = false;
                return true;
            case Tcp.Event or TlsSession.IEvent or IdleTimedOut or ConnectTimedOut or ReadTimedOut or RequestTimedOut or PipelineStalled or Streaming.Ack
                or Akka.IO.Dns.Resolved or ConnectFailures.Diagnosis:
                return true;
            default:
                return false;
        }
    }

    /// <summary>An event of a socket or TLS session that is no longer this state's.</summary>
    private bool IsStale(object message, Link link) => message switch
    {
        Tcp.Received or Tcp.ConnectionClosed => !Sender.Equals(link.Transport.Tcp),
        TlsSession.IEvent session => !link.Transport.IsOwn(session),
        _ => false,
    };

    private void Go(Receive? next)
    {
        if (next is not null)
        {
            Become(next);
        }
    }
}
