using System.Diagnostics;
using Akka.Actor;

namespace Crawler.Http.Connection;

/// <summary>One request a connection has accepted: the command, whom to answer, and where its time went.</summary>
/// <param name="Send">The command.</param>
/// <param name="ReplyTo">Who gets the one reply.</param>
/// <param name="Sequence">The connection's own number for it (its timer key).</param>
/// <param name="Streamed">Its body goes to the requester in parts as it arrives (<see cref="Streaming"/>).</param>
internal sealed record PendingRequest(Http.Send Send, IActorRef ReplyTo, long Sequence, bool Streamed = false)
{
    /// <summary>When it was accepted (a <see cref="Stopwatch"/> timestamp).</summary>
    public long Accepted { get; } = Stopwatch.GetTimestamp();

    /// <summary>Its position on the socket it was last written to (1 = the first request on that socket).</summary>
    public int IndexOnConnection { get; set; }

    /// <summary>When it was last written.</summary>
    public long Written { get; set; }

    /// <summary>When the first byte of its response arrived (0: not yet).</summary>
    public long FirstByte { get; set; }

    /// <summary>True once it was sent again after a reused socket closed without answering it.</summary>
    public bool Resent { get; set; }

    /// <summary>Set when the proxy refused it (its answer was the proxy's, not the origin's).</summary>
    public HttpFailure? Refusal { get; set; }

    /// <summary>True when it was last written while an earlier request on the socket waited for its response.</summary>
    public bool Pipelined { get; set; }

    /// <summary>The key of its request timer.</summary>
    public string TimerKey { get; } = $"request-{Sequence}";
}

/// <summary>
/// The requests of one connection actor, in order: those accepted and not yet written, and those written and not yet
/// answered (the in-flight FIFO, like akka-http's response contexts). Up to <c>depth</c> are in flight at once (1
/// without pipelining; RFC 9112 §9.3.2 with it), and responses answer them in order. When the socket closes, the
/// in-flight requests go back to the front of the queue, in their order, for the next socket. Pure: no Akka but the
/// reply-to reference it carries.
/// </summary>
internal sealed class RequestPipeline(int depth)
{
    private int _depth = depth;

    private readonly LinkedList<PendingRequest> _queued = new();
    private readonly LinkedList<PendingRequest> _inFlight = new();
    private long _sequence;
    private int _written;
    private bool _proven;

    /// <summary>Requests accepted and not yet written.</summary>
    public int Queued => _queued.Count;

    /// <summary>Requests written and not yet answered.</summary>
    public int InFlight => _inFlight.Count;

    /// <summary>True when nothing is waiting or in flight.</summary>
    public bool IsEmpty => _queued.Count == 0 && _inFlight.Count == 0;

    /// <summary>How many requests may be in flight at once.</summary>
    public int Depth => _depth;

    /// <summary>From now on one request at a time (the server does not answer pipelined requests); requests already in
    /// flight stay there.</summary>
    public void OneAtATime() => _depth = 1;

    /// <summary>The request whose response is being read, or null.</summary>
    public PendingRequest? Head => _inFlight.First?.Value;

    /// <summary>Takes a request at the end of the queue.</summary>
    public PendingRequest Accept(Http.Send send, IActorRef replyTo, bool streamed = false)
    {
        var request = new PendingRequest(send, replyTo, ++_sequence, streamed);
        _queued.AddLast(request);
        return request;
    }

    /// <summary>The server answered <paramref name="request"/>: when it had been written behind another in the same
    /// batch, the server pipelines, and requests may from now on join a batch still in flight.</summary>
    public void Answered(PendingRequest request) => _proven |= request.Pipelined;

    /// <summary>True once the server answered a request written behind another of its batch.</summary>
    public bool Proven => _proven;

    /// <summary>Moves queued requests into flight while there is room, in order, and returns them (to be written
    /// now, in that order). Until the server has answered a pipelined request, a batch goes out only when nothing is in
    /// flight: a server that does not pipeline answers the first request of each read and drops the rest, so requests
    /// written behind a batch still in flight would be answered in place of the dropped ones (the wrong response for
    /// a request); one batch in one write reaches it in one read, and its stall is seen.</summary>
    public List<PendingRequest> TakeWritable()
    {
        if (!_proven && _depth > 1 && _inFlight.Count > 0)
        {
            return [];
        }

        var taken = new List<PendingRequest>(Math.Min(_queued.Count, _depth));
        while (_queued.First is { } next && _inFlight.Count < _depth)
        {
            _queued.RemoveFirst();
            var request = next.Value;
            request.IndexOnConnection = ++_written;
            request.Written = Stopwatch.GetTimestamp();
            request.FirstByte = 0;
            request.Pipelined = _inFlight.Count > 0;
            _inFlight.AddLast(request);
            taken.Add(request);
        }

        return taken;
    }

    /// <summary>The head's response is done (answered or failed): it leaves the pipeline.</summary>
    public PendingRequest CompleteHead()
    {
        var head = _inFlight.First!.Value;
        _inFlight.RemoveFirst();
        return head;
    }

    /// <summary>A new socket: requests written on the old one and not answered go first, in their order, and the
    /// count of requests per socket starts again.</summary>
    public void Requeue()
    {
        for (var node = _inFlight.Last; node is not null; node = node.Previous)
        {
            _queued.AddFirst(node.Value);
        }

        _inFlight.Clear();
        _written = 0;
    }

    /// <summary>A reused socket closed before a byte of the head's response came: the idempotent GET or HEAD is
    /// written once more on a new socket (RFC 9112 §9.3.1). False when the head was the socket's first request or
    /// was already resent.</summary>
    public bool MarkHeadForResend()
    {
        if (Head is not { } head || head.IndexOnConnection <= 1 || head.Resent)
        {
            return false;
        }

        head.Resent = true;
        return true;
    }

    /// <summary>Takes out the request with <paramref name="sequence"/>, wherever it is; <paramref name="inFlight"/>
    /// says whether it had been written.</summary>
    public PendingRequest? Remove(long sequence, out bool inFlight)
    {
        inFlight = true;
        if (Find(_inFlight, sequence) is { } written)
        {
            _inFlight.Remove(written);
            return written.Value;
        }

        inFlight = false;
        if (Find(_queued, sequence) is { } queued)
        {
            _queued.Remove(queued);
            return queued.Value;
        }

        return null;
    }

    /// <summary>Takes out every queued request (not those in flight).</summary>
    public List<PendingRequest> DrainQueued()
    {
        var all = _queued.ToList();
        _queued.Clear();
        return all;
    }

    /// <summary>Takes out every request, in flight first.</summary>
    public List<PendingRequest> DrainAll()
    {
        var all = _inFlight.Concat(_queued).ToList();
        _inFlight.Clear();
        _queued.Clear();
        return all;
    }

    private static LinkedListNode<PendingRequest>? Find(LinkedList<PendingRequest> list, long sequence)
    {
        for (var node = list.First; node is not null; node = node.Next)
        {
            if (node.Value.Sequence == sequence)
            {
                return node;
            }
        }

        return null;
    }
}
