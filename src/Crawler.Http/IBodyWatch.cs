namespace Crawler.Http;

/// <summary>What an <see cref="IBodyWatch"/> wants after looking at a body so far.</summary>
public enum BodyWatchVerdict
{
    /// <summary>Call again when more of the body has arrived.</summary>
    More,

    /// <summary>It has what it wanted: the rest of the body is read and dropped (the connection stays usable), and the
    /// reply to the request carries an empty body with <see cref="Http.ResponseReceived.BodyDropped"/> set.</summary>
    Satisfied,

    /// <summary>It has what it wanted: the reply goes at once, with an empty body and
    /// <see cref="Http.ResponseReceived.BodyDropped"/> set, and the connection is closed instead of reading the rest
    /// (requests written behind this one go out again on a new connection).</summary>
    SatisfiedClose,

    /// <summary>Stop calling it; the body is gathered as usual.</summary>
    Stop,
}

/// <summary>
/// Looks at a response's body while it is still arriving, so that its requester can act before the last byte (a
/// crawler that needs only the first link of a page): set on <see cref="Http.Send.Watch"/>. The connection calls it on
/// its own thread after each read that leaves the response incomplete, with the head and the body bytes so far
/// (de-chunked), never for a body with a content coding (those are decoded whole). It must be quick and must not
/// keep the span. A response that arrives whole in one read is never watched: its reply comes at once anyway.
/// </summary>
public interface IBodyWatch
{
    /// <summary>More of the body of <paramref name="head"/> (its status and headers, no body) arrived:
    /// <paramref name="bodySoFar"/> is all of it until now.</summary>
    BodyWatchVerdict OnPartialBody(Http.ResponseReceived head, ReadOnlySpan<byte> bodySoFar);
}
