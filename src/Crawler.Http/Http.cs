using System.Net.Http;
using Akka.Actor;
using Crawler.Http.Configuration;

namespace Crawler.Http;

/// <summary>
/// The protocol of a connection actor (<see cref="ConnectionProps"/>): one command, <see cref="Send"/>, and its two
/// replies, <see cref="ResponseReceived"/> and <see cref="RequestFailed"/>. Call sites read <c>Http.Send</c>, as
/// Akka's read <c>Tcp.Connect</c>.
/// </summary>
public static class Http
{
    /// <summary>Props for a connection actor to the origin of <paramref name="url"/> (<c>http</c>, or <c>https</c> with
    /// TLS): send it <see cref="Send"/> commands for URLs of that origin, end it with <see cref="Shutdown"/>. It opens
    /// the connection on the first request, keeps it alive, and pipelines when <paramref name="settings"/> allow.</summary>
    public static Props ConnectionProps(Uri url, HttpClientSettings settings) => Connection.HttpClientConnection.PropsFor(url, settings);

    /// <summary>
    /// Asks the connection to perform one request. Sent to the connection actor (<see cref="ConnectionProps"/>) of the
    /// URL's origin. Exactly one reply goes back to the sender: a <see cref="ResponseReceived"/> with the same
    /// <paramref name="RequestId"/> when a complete response arrived (whatever its status), or a
    /// <see cref="RequestFailed"/> carrying this command when it did not.
    /// </summary>
    /// <param name="RequestId">The sender's correlation id, echoed by the reply.</param>
    /// <param name="Url">An absolute <c>http</c> URL on the connection's origin.</param>
    /// <param name="Method">GET or HEAD.</param>
    /// <remarks>A connection actor is a child of its user on the same node, so a Send is a local message: it may carry a
    /// <see cref="Watch"/>, a local object, and is not checked by <c>serialize-messages</c>.</remarks>
    public sealed record Send(long RequestId, Uri Url, HttpMethod Method) : INoSerializationVerificationNeeded
    {
        /// <summary>Looks at the body while it arrives (see <see cref="IBodyWatch"/>); null for none.</summary>
        public IBodyWatch? Watch { get; init; }

        /// <summary>A GET of <paramref name="url"/>.</summary>
        public static Send Get(long requestId, Uri url) => new(requestId, url, HttpMethod.Get);

        /// <summary>The failure reply to this command (which it carries without its <see cref="Watch"/>).</summary>
        public RequestFailed Failed(HttpFailure failure) => new(Watch is null ? this : this with { Watch = null }, failure);

        /// <summary>The failure reply to this command.</summary>
        public RequestFailed Failed(HttpFailureKind kind, string message) => Failed(new HttpFailure(kind, message));

        /// <summary>The timeout reply to this command.</summary>
        public RequestFailed TimedOut(HttpTimeoutPhase phase, string message) => Failed(HttpFailure.Timeout(phase, message));
    }

    /// <summary>A complete response to <see cref="Send"/> with the same <paramref name="RequestId"/>. The body is
    /// de-chunked and owned by this message.</summary>
    /// <param name="RequestId">The id of the <see cref="Send"/> this answers.</param>
    /// <param name="Url">The URL that was requested.</param>
    /// <param name="StatusCode">The final status (interim 1xx responses are skipped).</param>
    /// <param name="ReasonPhrase">The reason phrase as sent (may be empty).</param>
    /// <param name="Headers">The header fields in wire order, duplicates kept.</param>
    /// <param name="Body">The body bytes after de-chunking and content decoding.</param>
    /// <param name="Version">The HTTP version of the status line.</param>
    public sealed record ResponseReceived(
        long RequestId,
        Uri Url,
        int StatusCode,
        string ReasonPhrase,
        IReadOnlyList<KeyValuePair<string, string>> Headers,
        ReadOnlyMemory<byte> Body,
        Parsing.HttpVersion Version = Parsing.HttpVersion.Http11) : INoSerializationVerificationNeeded
    {
        /// <summary>Where the request's time went (null when the connection did not record it).</summary>
        public RequestTimings? Timings { get; init; }

        /// <summary>True when the request's <see cref="Send.Watch"/> was satisfied before the body ended: the rest of
        /// the body was read and dropped, and <see cref="Body"/> is empty.</summary>
        public bool BodyDropped { get; init; }

        /// <summary>The first value of a header, by case-insensitive name, or null.</summary>
        public string? Header(string name)
        {
            foreach (var (key, value) in Headers)
            {
                if (key.Equals(name, StringComparison.OrdinalIgnoreCase))
                {
                    return value;
                }
            }

            return null;
        }

        /// <summary>Hides the body.</summary>
        public override string ToString() => $"ResponseReceived(id: {RequestId}, status: {StatusCode}, bytes: {Body.Length})";
    }

    /// <summary>
    /// Ends a connection actor (instead of stopping it): requests still queued or in flight fail as stopped, the socket
    /// is aborted, and the actor stops once Akka.IO has answered everything it was asked (the abort, a connect under
    /// way, a name lookup), or after two seconds at most. Stopping it instead leaves Akka.IO's answers as dead letters.
    /// No reply.
    /// </summary>
    public sealed record Shutdown
    {
        private Shutdown()
        {
        }

        /// <summary>The single instance.</summary>
        public static Shutdown Instance { get; } = new();
    }

    /// <summary>The failure reply to <see cref="Send"/>: no complete response arrived.</summary>
    /// <param name="Request">The command that failed.</param>
    /// <param name="Failure">What went wrong: the kind, the message, and for a timeout its phase.</param>
    public sealed record RequestFailed(Send Request, HttpFailure Failure)
    {
        /// <summary>Where the request's time went until it failed (null when the connection did not record it).</summary>
        public RequestTimings? Timings { get; init; }

        /// <summary>The id of the failed request.</summary>
        public long RequestId => Request.RequestId;

        /// <summary>The failure's kind.</summary>
        public HttpFailureKind Kind => Failure.Kind;

        /// <summary>The failure's message.</summary>
        public string Message => Failure.Message;

        /// <summary>For a timeout, its phase.</summary>
        public HttpTimeoutPhase? Phase => Failure.Phase;
    }
}
