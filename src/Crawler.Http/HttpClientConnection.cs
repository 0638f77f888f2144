using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using Akka.IO;
using Crawler.Http.Parsing;
using Crawler.Http.Tls;
using Crawler.Http.Writing;

namespace Crawler.Http;

/// <summary>
/// An HTTP/1.1 client for one origin (scheme, host and port) on an Akka.IO TCP connection. It accepts
/// <see cref="Http.Send"/> from any actor and answers each with exactly one <see cref="Http.ResponseReceived"/> or
/// <see cref="Http.RequestFailed"/>. Requests are sent one at a time over a keep-alive connection, opened on
/// demand (name resolution through Akka's DNS extension, then <see cref="Tcp.Connect"/>) and reopened when the
/// server closed it. The actor is glue: parsing is <see cref="HttpResponseParser"/>'s, writing
/// <see cref="HttpRequestWriter"/>'s.
/// </summary>
/// <remarks>
/// States, as in Akka.IO's own connection actors: <see cref="Disconnected"/> → <see cref="Resolving"/> →
/// <see cref="Connecting"/> → <see cref="Ready"/> ⇄ <see cref="AwaitingResponse"/>. Every request carries its own
/// timer (<see cref="HttpClientSettings.RequestTimeout"/>), and resolving plus connecting share the connect timer,
/// since Akka.IO has no read timeout of its own. Stopping the actor closes its socket.
/// </remarks>
public sealed class HttpClientConnection : ActorBase, IWithTimers, IDisposable
{
    private const string ConnectTimerKey = "connect";
    private const string IdleTimerKey = "keep-alive";
    private const string ReadTimerKey = "read";

    private readonly string _host;
    private readonly int _port;
    private readonly bool _tls;
    private TlsSession? _session;
    private long _sessions;
    private readonly HttpClientSettings _settings;
    private readonly IActorRef _tcpManager;
    private readonly IActorRef _dnsManager;
    private long _sequence;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly LinkedList<InFlight> _queue = new();
    private readonly HttpResponseParser _parser;
    private readonly ReadBuffer _buffer = new();
    private readonly ResponseBuilder _response = new();
    private readonly LinkedList<InFlight> _inFlight = new();
    private IActorRef? _connection;
    private IPEndPoint? _remote;
    private int _requestsOnConnection;
    private bool _receivedAny;
    private long _lastRead;

    // When the current connection's phases began and ended (Stopwatch timestamps), charged to the first request on it.
    private long _resolveStarted;
    private long _connectStarted;
    private long _connected;
    private long _secured;

    /// <summary>Creates the actor; prefer <see cref="Props(string, int, HttpClientSettings, IActorRef?, IActorRef?, bool)"/>.</summary>
    public HttpClientConnection(string host, int port, HttpClientSettings settings, IActorRef? tcpManager, IActorRef? dnsManager, bool tls)
    {
        _host = host;
        _port = port;
        _tls = tls;
        _settings = settings;
        _tcpManager = tcpManager ?? Context.System.Tcp();
        _dnsManager = dnsManager ?? Akka.IO.Dns.Instance.Apply(Context.System).Manager;
        _parser = new HttpResponseParser(settings.Limits);
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props for the connection to <paramref name="host"/>:<paramref name="port"/>, over TLS when
    /// <paramref name="tls"/>. The TCP and DNS managers default to the system's Akka.IO extensions; tests pass probes.</summary>
    public static Props Props(string host, int port, HttpClientSettings settings, IActorRef? tcpManager = null,
        IActorRef? dnsManager = null, bool tls = false) =>
        Akka.Actor.Props.Create<HttpClientConnection>(host, port, settings, tcpManager, dnsManager, tls);

    /// <summary>Props for the connection to the origin of <paramref name="url"/> (http or https).</summary>
    public static Props PropsFor(Uri url, HttpClientSettings settings)
    {
        ArgumentNullException.ThrowIfNull(url);
        return Props(url.IdnHost, url.Port, settings, tls: url.Scheme == Uri.UriSchemeHttps);
    }

    /// <summary>An actor name for the connection to <paramref name="url"/>'s origin, e.g. <c>http-example.org-80</c>.</summary>
    public static string ActorName(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return ActorNames.Safe($"{url.Scheme}-{url.IdnHost}-{url.Port}");
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        _connection?.Tell(Tcp.Close.Instance);
        _session?.Dispose();
        foreach (var request in _inFlight.Concat(_queue))
        {
            request.ReplyTo.Tell(request.Send.Failed(ErrorKind.Cancelled, $"the connection to {Origin} was stopped"));
        }

        _queue.Clear();
        _inFlight.Clear();
    }

    /// <summary>Returns the pooled read buffer; Akka calls this after the actor stopped.</summary>
    public void Dispose() => _buffer.Dispose();

    /// <inheritdoc />
    protected override bool Receive(object message) => Disconnected(message);

    private string Origin => $"{_host}:{_port}";

    // ---- States -------------------------------------------------------------------------------------------

    private bool Disconnected(object message)
    {
        switch (message)
        {
            case Http.Send send:
                if (Accept(send))
                {
                    StartConnecting();
                }

                return true;
            default:
                return Common(message);
        }
    }

    private bool Resolving(object message)
    {
        switch (message)
        {
            case Http.Send send:
                Accept(send);
                return true;
            case Akka.IO.Dns.Resolved resolved when resolved.Name == _host:
                OnResolved(resolved);
                return true;
            case ConnectTimedOut:
                FailAll(ErrorKind.Timeout, $"timeout: could not resolve {_host} within {Seconds(_settings.ConnectTimeout)} (connect phase)",
                    TimeoutPhase.Connect);
                Become(Disconnected);
                return true;
            default:
                return Common(message);
        }
    }

    private bool Connecting(object message)
    {
        switch (message)
        {
            case Http.Send send:
                Accept(send);
                return true;
            case Tcp.Connected:
                _connected = _secured = Stopwatch.GetTimestamp();
                _connection = Sender;
                _requestsOnConnection = 0;
                _connection.Tell(new Tcp.Register(Self, keepOpenOnPeerClosed: false, useResumeWriting: false));
                if (_log.IsDebugEnabled)
                {
                    _log.Debug("Connected to {Origin} at {Remote}", Origin, _remote);
                }

                if (_tls)
                {
                    // The connect timer keeps running: the handshake is part of the connect phase.
                    _session = new TlsSession(_connection, ++_sessions);
                    _session.AuthenticateAsync(_host, _settings.Tls, _settings.ConnectTimeout).PipeTo(Self);
                    Become(Handshaking);
                    return true;
                }

                Timers.Cancel(ConnectTimerKey);
                WriteRequests();
                return true;
            case Tcp.CommandFailed { Cmd: Tcp.Connect } failed:
                OnConnectFailed(failed.Cause.GetOrElse(null!));
                return true;
            case ConnectTimedOut:
                // Akka.IO's own connect timeout should fire first; this one covers a connect that never answers.
                FailConnectTimeout();
                Become(Disconnected);
                return true;
            default:
                return Common(message);
        }
    }

    /// <summary>Runs the TLS handshake over the new connection.</summary>
    private bool Handshaking(object message)
    {
        if (IsStale(message) || IsStaleSession(message))
        {
            return true;
        }

        switch (message)
        {
            case Http.Send send:
                Accept(send);
                return true;
            case Tcp.Received received:
                _session!.Feed(received.Data);
                return true;
            case Tcp.ConnectionClosed:
                _session!.EndOfStream(); // the handshake fails with it, and says so
                return true;
            case TlsSession.Handshaken handshaken:
                _secured = Stopwatch.GetTimestamp();
                Timers.Cancel(ConnectTimerKey);
                if (_log.IsDebugEnabled)
                {
                    _log.Debug("TLS with {Origin}: {Description}", Origin, handshaken.Description);
                }

                _ = _session!.ReadLoopAsync(Self);
                WriteRequests();
                return true;
            case TlsSession.Failed failed:
                Timers.Cancel(ConnectTimerKey);
                if (failed.TimedOut)
                {
                    FailAll(ErrorKind.Timeout, $"timeout: the TLS handshake with {Origin} did not finish within {Seconds(_settings.ConnectTimeout)} (connect phase)",
                        TimeoutPhase.Connect);
                }
                else
                {
                    FailAll(ErrorKind.Tls, $"TLS handshake with {Origin} failed: {failed.Reason}");
                }

                CloseConnection(Tcp.Abort.Instance);
                return true;
            case ConnectTimedOut:
                FailConnectTimeout();
                CloseConnection(Tcp.Abort.Instance);
                return true;
            default:
                return Common(message);
        }
    }

    private void FailConnectTimeout() =>
        FailAll(ErrorKind.Timeout, $"timeout: could not connect to {Origin} ({_remote}) within {Seconds(_settings.ConnectTimeout)} (connect phase)",
            TimeoutPhase.Connect);

    /// <summary>Waits for the plain-socket diagnosis of a connect failure whose cause Akka.IO lost.</summary>
    private bool Diagnosing(object message)
    {
        switch (message)
        {
            case Http.Send send:
                Accept(send);
                return true;
            case ConnectFailures.Diagnosis diagnosis:
                FailAll(diagnosis.Kind, diagnosis.Message, diagnosis.Kind == ErrorKind.Timeout ? TimeoutPhase.Connect : null);
                Become(Disconnected);
                return true;
            default:
                return Common(message);
        }
    }

    private bool Ready(object message)
    {
        if (IsStale(message) || IsStaleSession(message))
        {
            return true;
        }

        switch (message)
        {
            case Http.Send send:
                Accept(send);
                WriteRequests();
                return true;
            case Tcp.Received received when _session is not null:
                _session.Feed(received.Data);
                return true;
            case Tcp.PeerClosed when _session is not null:
                _session.EndOfStream(); // the read loop drains what is left, then reports the end
                return true;
            case TlsSession.Ended:
            case TlsSession.Failed:
                Disconnect();
                return true;
            case Tcp.Received:
            case TlsSession.Decrypted:
                // Bytes nobody asked for: the connection can no longer be trusted to frame a response.
                _log.Warning("Closing the connection to {Origin}: it sent bytes while no request was waiting", Origin);
                CloseConnection(Tcp.Abort.Instance);
                return true;
            case Tcp.ConnectionClosed:
                _log.Debug("The connection to {Origin} was closed while idle", Origin);
                Disconnect();
                return true;
            case IdleTimedOut:
                _log.Debug("Closing the idle connection to {Origin}", Origin);
                CloseConnection(Tcp.Close.Instance);
                return true;
            default:
                return Common(message);
        }
    }

    private bool AwaitingResponse(object message)
    {
        if (IsStale(message) || IsStaleSession(message))
        {
            return true;
        }

        switch (message)
        {
            case Http.Send send:
                if (Accept(send))
                {
                    WriteRequests();
                }

                return true;
            case Tcp.Received received when _session is not null:
                _session.Feed(received.Data);
                return true;
            case Tcp.PeerClosed when _session is not null:
                _session.EndOfStream(); // the read loop drains what is left, then reports the end
                return true;
            case TlsSession.Decrypted decrypted:
                OnReceived(decrypted.Data);
                return true;
            case TlsSession.Ended:
                OnPeerClosed();
                return true;
            case TlsSession.Failed failed:
                OnConnectionError($"the TLS connection to {Origin} failed ({failed.Reason})");
                return true;
            case TlsSession.Written:
                return true;
            case Tcp.Received received:
                OnReceived(received.Data);
                return true;
            case ReadTimedOut:
                OnReadTimedOut();
                return true;
            case Tcp.PeerClosed:
                OnPeerClosed();
                return true;
            case Tcp.ErrorClosed closed:
                OnConnectionError($"the connection to {Origin} was reset ({closed.Cause})");
                return true;
            case Tcp.ConnectionClosed:
                OnConnectionError($"the connection to {Origin} was closed before the response arrived");
                return true;
            case Tcp.CommandFailed { Cmd: Tcp.WriteCommand }:
                OnConnectionError($"the request could not be written to {Origin}");
                return true;
            default:
                return Common(message);
        }
    }

    private bool Common(object message)
    {
        switch (message)
        {
            case RequestTimedOut timedOut:
                OnRequestTimedOut(timedOut.Sequence);
                return true;
            case Tcp.Connected:
                // A connect that completed after its attempt was given up: not wanted.
                Sender.Tell(Tcp.Abort.Instance);
                return true;
            case Tcp.Event when IsStale(message):
            case TlsSession.Handshaken or TlsSession.Decrypted or TlsSession.Ended or TlsSession.Failed or TlsSession.Written:
            case IdleTimedOut:
            case ConnectTimedOut:
            case ReadTimedOut:
            case Akka.IO.Dns.Resolved:
                return true; // late messages of an earlier connection or an earlier state
            default:
                return false;
        }
    }

    /// <summary>An event of a connection that is no longer ours (closed, replaced or given up).</summary>
    private bool IsStale(object message) =>
        message is Tcp.Received or Tcp.ConnectionClosed && !Sender.Equals(_connection);

    /// <summary>A message of a TLS session that is no longer ours.</summary>
    private bool IsStaleSession(object message) => message switch
    {
        TlsSession.Handshaken m => m.Session != _session?.Id,
        TlsSession.Decrypted m => m.Session != _session?.Id,
        TlsSession.Ended m => m.Session != _session?.Id,
        TlsSession.Failed m => m.Session != _session?.Id,
        TlsSession.Written m => m.Session != _session?.Id,
        _ => false,
    };

    // ---- Transitions -------------------------------------------------------------------------------------

    /// <summary>Queues the request and starts its timer; false when it was refused at once.</summary>
    private bool Accept(Http.Send send)
    {
        if (!IsOwnOrigin(send.Url))
        {
            Sender.Tell(send.Failed(ErrorKind.BadUrl, $"{send.Url} is not on {Origin}"));
            return false;
        }

        var request = new InFlight(send, Sender, ++_sequence);
        _queue.AddLast(request);
        Timers.StartSingleTimer(request.TimerKey, new RequestTimedOut(request.Sequence), _settings.RequestTimeout);
        return true;
    }

    private void StartConnecting()
    {
        Timers.Cancel(IdleTimerKey);
        Timers.StartSingleTimer(ConnectTimerKey, ConnectTimedOut.Instance, _settings.ConnectTimeout);
        _resolveStarted = Stopwatch.GetTimestamp();
        if (IPAddress.TryParse(_host.Trim('[', ']'), out var address))
        {
            Connect(address);
            return;
        }

        _log.Debug("Resolving {Host}", _host);
        _dnsManager.Tell(new Akka.IO.Dns.Resolve(_host));
        Become(Resolving);
    }

    private void OnConnectFailed(Exception? cause)
    {
        Timers.Cancel(ConnectTimerKey);
        if (ConnectFailures.LostItsCause(cause) && _remote is not null)
        {
            // Akka.IO 1.5.74 retries a failed connect and then reports it without its socket error, so refused,
            // unreachable and no-route look the same; one plain connect asks the OS which it was.
            ConnectFailures.DiagnoseAsync(_remote, Origin, _settings.ConnectTimeout).PipeTo(Self);
            Become(Diagnosing);
            return;
        }

        var (kind, text) = ConnectFailures.Classify(cause, Origin, _remote, _settings.ConnectTimeout);
        FailAll(kind, text, kind == ErrorKind.Timeout ? TimeoutPhase.Connect : null);
        Become(Disconnected);
    }

    private void OnResolved(Akka.IO.Dns.Resolved resolved)
    {
        var address = resolved.IsSuccess ? resolved.Ipv4.Concat(resolved.Ipv6).FirstOrDefault() : null;
        if (address is null)
        {
            Timers.Cancel(ConnectTimerKey);
            var reason = resolved.Exception is SocketException socket ? socket.Message : "no address found";
            FailAll(ErrorKind.Dns, $"could not resolve host {_host}: {reason}");
            Become(Disconnected);
            return;
        }

        Connect(address);
    }

    private void Connect(IPAddress address)
    {
        _connectStarted = Stopwatch.GetTimestamp();
        _remote = new IPEndPoint(address, _port);
        if (_log.IsDebugEnabled)
        {
            _log.Debug("Connecting to {Origin} at {Remote}", Origin, _remote);
        }

        _tcpManager.Tell(new Tcp.Connect(_remote, null, null, _settings.ConnectTimeout, false));
        Become(Connecting);
    }

    /// <summary>Writes waiting requests: one at a time, or, with pipelining on, up to pipelining-depth back to back
    /// (RFC 9112 §9.3.2), their responses matched in order. With nothing in flight the connection idles.</summary>
    private void WriteRequests()
    {
        var depth = _settings.Pipelining ? _settings.PipeliningDepth : 1;
        var head = new ArrayBufferWriter<byte>(256);
        var wroteAny = false;
        while (_queue.First is { } next && _inFlight.Count < depth)
        {
            _queue.RemoveFirst();
            var request = next.Value with { IndexOnConnection = ++_requestsOnConnection, Written = Stopwatch.GetTimestamp() };
            _inFlight.AddLast(request);
            _parser.EnqueueRequest(request.Send.Method);
            HttpRequestWriter.Write(head, new HttpRequestSpec(request.Send.Method, request.Send.Url, _settings.UserAgent,
                _settings.Accept, KeepAlive: true, _settings.AcceptEncoding));
            if (_inFlight.Count == 1)
            {
                _response.Start(request.Send);
            }

            wroteAny = true;
            if (_log.IsDebugEnabled)
            {
                _log.Debug("{Method} {Url} (request {Count} on this connection)", request.Send.Method, request.Send.Url, _requestsOnConnection);
            }
        }

        if (_inFlight.Count == 0)
        {
            Timers.StartSingleTimer(IdleTimerKey, IdleTimedOut.Instance, _settings.KeepAliveTimeout);
            Become(Ready);
            return;
        }

        Timers.Cancel(IdleTimerKey);
        if (wroteAny)
        {
            var bytes = head.WrittenMemory.ToArray();
            if (_session is not null)
            {
                _session.WriteAsync(bytes).PipeTo(Self);
            }
            else
            {
                _connection!.Tell(Tcp.Write.Create(ByteString.FromBytes(bytes))); // the array is ours alone
            }

            if (!Timers.IsTimerActive(ReadTimerKey))
            {
                _receivedAny = false;
                Timers.StartSingleTimer(ReadTimerKey, ReadTimedOut.Instance, _settings.FirstByteTimeout);
            }
        }

        Become(AwaitingResponse);
    }

    private void OnReceived(ByteString data)
    {
        // The read timer is not restarted on every read (each restart is a scheduler operation, and a body arrives
        // in many frames): the last read is noted, and the timer, when it fires, looks at it.
        if (!_receivedAny)
        {
            _receivedAny = true;
            Timers.StartSingleTimer(ReadTimerKey, ReadTimedOut.Instance, _settings.ReadIdleTimeout);
        }

        _lastRead = Stopwatch.GetTimestamp();
        if (_inFlight.First is { } reading && reading.Value.FirstByte == 0)
        {
            reading.Value.FirstByte = _lastRead;
        }
        _buffer.EnsureAvailable(data.Count);
        var free = _buffer.AvailableSpan;
        data.CopyTo(ref free);
        _buffer.Commit(data.Count);
        ParseBuffered();
    }

    /// <summary>Parses what the buffer holds: pipelined responses may arrive together.</summary>
    private void ParseBuffered()
    {
        while (_inFlight.Count > 0)
        {
            var response = _response;
            var status = _parser.Parse(_buffer.ActiveSpan, ref response, out var consumed);
            _buffer.Discard(consumed);
            if (!OnParsed(status) || status != ParseStatus.ResponseComplete || _buffer.ActiveLength == 0)
            {
                return;
            }
        }
    }

    private void OnPeerClosed()
    {
        var response = _response;
        var status = _parser.Complete(_buffer.ActiveSpan, ref response, out var consumed);
        _buffer.Discard(consumed);
        if (status == ParseStatus.Error && _parser.Error == HttpParseError.NoResponse && RetryOnFreshConnection())
        {
            return;
        }

        OnParsed(status, closed: true);
    }

    /// <summary>Acts on the parser's status; true when the connection is still reading responses.</summary>
    private bool OnParsed(ParseStatus status, bool closed = false)
    {
        switch (status)
        {
            case ParseStatus.ResponseComplete:
                var keepAlive = _response.KeepAlive && !closed;
                ReplyDecoded(_response.ToMessage());
                if (!keepAlive)
                {
                    // The server ends the connection here: requests already written behind this one were never
                    // answered, and are sent again on a new connection (they are idempotent GETs and HEADs).
                    CloseConnection(closed ? null : Tcp.Close.Instance);
                    return false;
                }

                if (_inFlight.First is { } next)
                {
                    _response.Start(next.Value.Send);
                    _receivedAny = false;
                    Timers.StartSingleTimer(ReadTimerKey, ReadTimedOut.Instance, _settings.FirstByteTimeout);
                }
                else
                {
                    Timers.Cancel(ReadTimerKey);
                }

                WriteRequests();
                return _inFlight.Count > 0;
            case ParseStatus.Error:
                var error = _parser.Error;
                var kind = error.IsLimitBreach() ? ErrorKind.TooLarge : ErrorKind.Protocol;
                ReplyHead(Head.Send.Failed(kind, $"{error.Describe()} (from {Origin}, at byte {_parser.ErrorOffset} of the response)"));
                CloseConnection(closed ? null : Tcp.Abort.Instance);
                return false;
            default:
                if (closed)
                {
                    // Complete never asks for more data; keep the promise of one reply anyway.
                    ReplyHead(Head.Send.Failed(ErrorKind.Protocol, $"the response from {Origin} ended early"));
                    CloseConnection(null);
                }

                return !closed;
        }
    }

    /// <summary>Replies with the response, its content codings removed, or with the failure to remove them.</summary>
    private void ReplyDecoded(Http.ResponseReceived response)
    {
        var decoded = ContentDecoding.Decode(response.Body, response.Header("Content-Encoding"), _settings.Limits.MaxBodyBytes);
        if (decoded.Error is { } kind)
        {
            ReplyHead(Head.Send.Failed(kind, $"{decoded.Message} (from {Origin})"));
        }
        else
        {
            ReplyHead(response with { Body = decoded.Body, Timings = TimingsOf(Head) });
        }
    }

    private void OnConnectionError(string text)
    {
        if (!_parser.IsResponseStarted && RetryOnFreshConnection())
        {
            return;
        }

        ReplyHead(Head.Send.Failed(ErrorKind.Reset, text));
        CloseConnection(null);
    }

    /// <summary>A keep-alive connection the server closed just as the request went out: no byte of the response
    /// came back, so the idempotent GET is sent once more on a new connection (RFC 9112 §9.3.1).</summary>
    private bool RetryOnFreshConnection()
    {
        if (_inFlight.First is not { } head || head.Value.IndexOnConnection <= 1 || head.Value.Resent)
        {
            return false;
        }

        _log.Debug("The reused connection to {Origin} closed before answering; retrying {Url} on a new one", Origin, head.Value.Send.Url);
        head.Value = head.Value with { Resent = true };
        CloseConnection(null);
        return true;
    }

    private void OnReadTimedOut()
    {
        var quiet = Stopwatch.GetElapsedTime(_lastRead);
        if (_receivedAny && quiet < _settings.ReadIdleTimeout)
        {
            Timers.StartSingleTimer(ReadTimerKey, ReadTimedOut.Instance, _settings.ReadIdleTimeout - quiet);
            return;
        }

        var (phase, limit, what) = _receivedAny
            ? (TimeoutPhase.Body, _settings.ReadIdleTimeout, "the response stalled: no byte for")
            : (TimeoutPhase.FirstByte, _settings.FirstByteTimeout, "no byte of the response within");
        ReplyHead(Head.Send.TimedOut(phase, $"timeout: {Origin} sent {what} {Seconds(limit)} ({phase.Name()} phase)"));
        CloseConnection(Tcp.Abort.Instance);
    }

    private void OnRequestTimedOut(long sequence)
    {
        for (var node = _inFlight.First; node is not null; node = node.Next)
        {
            if (node.Value.Sequence == sequence)
            {
                // Its response may still come, so the connection cannot be trusted to match the others: abort it,
                // and the other requests written on it go out again on a new one.
                var state = node == _inFlight.First && _parser.IsResponseStarted ? "while reading the response" : "waiting for the response";
                _inFlight.Remove(node);
                Timers.Cancel(node.Value.TimerKey);
                node.Value.ReplyTo.Tell(node.Value.Send.TimedOut(TimeoutPhase.Request,
                    $"timeout: no complete response from {Origin} within {Seconds(_settings.RequestTimeout)} (request phase, {state})"));
                CloseConnection(Tcp.Abort.Instance);
                return;
            }
        }

        for (var node = _queue.First; node is not null; node = node.Next)
        {
            if (node.Value.Sequence == sequence)
            {
                _queue.Remove(node);
                var state = _connection is null ? "while connecting" : "waiting for the connection";
                node.Value.ReplyTo.Tell(node.Value.Send.TimedOut(TimeoutPhase.Request,
                    $"timeout: no response from {Origin} within {Seconds(_settings.RequestTimeout)} (request phase, {state})"));
                if (_queue.Count == 0 && _inFlight.Count == 0 && _connection is null)
                {
                    Timers.Cancel(ConnectTimerKey);
                    Become(Disconnected);
                }

                return;
            }
        }
    }

    /// <summary>The phases of a request that has just been answered.</summary>
    private RequestTimings TimingsOf(InFlight request)
    {
        var now = Stopwatch.GetTimestamp();
        var firstByte = request.FirstByte == 0 ? now : request.FirstByte;
        TimeSpan Between(long from, long to) => to > from ? Stopwatch.GetElapsedTime(from, to) : TimeSpan.Zero;

        // The first request on a connection waited for it: resolve, connect and handshake are its phases.
        if (request.IndexOnConnection == 1 && _resolveStarted >= request.Accepted)
        {
            return new RequestTimings(request.Accepted, Between(request.Accepted, _resolveStarted), Between(_resolveStarted, _connectStarted),
                Between(_connectStarted, _connected), Between(_connected, _secured), Between(request.Written, firstByte), Between(firstByte, now));
        }

        return new RequestTimings(request.Accepted, Between(request.Accepted, request.Written), TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero,
            Between(request.Written, firstByte), Between(firstByte, now));
    }

    /// <summary>The request whose response is being read.</summary>
    private InFlight Head => _inFlight.First!.Value;

    /// <summary>Answers the request whose response was being read and takes it out of the pipeline.</summary>
    private void ReplyHead(object reply)
    {
        var head = Head;
        _inFlight.RemoveFirst();
        Timers.Cancel(head.TimerKey);
        if (_inFlight.Count == 0)
        {
            Timers.Cancel(ReadTimerKey);
        }

        head.ReplyTo.Tell(reply);
    }

    /// <summary>Closes the socket (null: it is already closed) and carries on with the queue on a new one.</summary>
    private void CloseConnection(Tcp.CloseCommand? command)
    {
        if (command is not null)
        {
            _connection?.Tell(command);
        }

        Disconnect();
    }

    private void Disconnect()
    {
        Timers.Cancel(ReadTimerKey);
        if (_session is not null)
        {
            // TLS can end while TCP stays open (close_notify, or a failed read): close TCP too.
            _connection?.Tell(Tcp.Close.Instance);
            _session.Dispose();
            _session = null;
        }

        _connection = null;
        _buffer.Clear();
        _parser.Reset();
        Timers.Cancel(IdleTimerKey);

        // Requests written but not answered go first on the next connection, in their order.
        for (var node = _inFlight.Last; node is not null; node = node.Previous)
        {
            _queue.AddFirst(node.Value);
        }

        _inFlight.Clear();

        if (_queue.Count > 0)
        {
            StartConnecting();
        }
        else
        {
            Become(Disconnected);
        }
    }

    private void FailAll(ErrorKind kind, string text, TimeoutPhase? phase = null)
    {
        foreach (var request in _queue)
        {
            Timers.Cancel(request.TimerKey);
            request.ReplyTo.Tell(new Http.RequestFailed(request.Send, kind, text, phase));
        }

        _queue.Clear();
    }

    private bool IsOwnOrigin(Uri url) =>
        url.IsAbsoluteUri && url.Scheme == (_tls ? Uri.UriSchemeHttps : Uri.UriSchemeHttp) && url.Port == _port
        && string.Equals(url.IdnHost, _host, StringComparison.OrdinalIgnoreCase);

    private static string Seconds(TimeSpan span) => $"{span.TotalSeconds:0.###} s";

    private sealed record InFlight(Http.Send Send, IActorRef ReplyTo, long Sequence, int IndexOnConnection = 0, bool Resent = false)
    {
        public long Accepted { get; } = Stopwatch.GetTimestamp();

        public long Written { get; init; }

        public long FirstByte { get; set; }

        public string TimerKey { get; } = $"request-{Sequence}";
    }

    private sealed record RequestTimedOut(long Sequence);

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
