using Crawler.Http.Parsing;

namespace Crawler.Http.Connection;

/// <summary>Every failure an <see cref="HttpClientConnection"/> reports, with the words a person reads: which host,
/// which address, which limit. The kinds and phases are the contract; these texts are for people.</summary>
internal static class FailureTexts
{
    public static HttpFailure ProxyUnreachable(string proxy, string origin, HttpFailure cause) =>
        new(HttpFailureKind.Proxy, $"the proxy {proxy} (for {origin}) could not be reached: {cause.Kind.Name()}: {cause.Message}");

    public static HttpFailure ProxyRefused(string proxy, string origin, int status, string reason, string? detail) =>
        new(HttpFailureKind.Proxy, $"the proxy {proxy} answered {status} {reason} for {origin}{(detail is null ? string.Empty : $" ({detail})")}");

    public static HttpFailure NotOnOrigin(Uri url, string origin) => new(HttpFailureKind.BadUrl, $"{url} is not on {origin}");

    public static HttpFailure Stopped(string origin) => new(HttpFailureKind.Cancelled, $"the connection to {origin} was stopped");

    public static HttpFailure Unresolved(string host, string reason) => new(HttpFailureKind.Dns, $"could not resolve host {host}: {reason}");

    public static HttpFailure NoNetworkToResolve(string host) =>
        new(HttpFailureKind.Unreachable, $"network unreachable: could not resolve host {host} because the machine has no network (no interface but loopback is up)");

    public static HttpFailure ResolveTimedOut(string host, TimeSpan limit) =>
        HttpFailure.Timeout(HttpTimeoutPhase.Connect, $"timeout: could not resolve {host} within {Seconds(limit)} (connect phase)");

    public static HttpFailure ConnectTimedOut(string origin, object? remote, TimeSpan limit) =>
        HttpFailure.Timeout(HttpTimeoutPhase.Connect, $"timeout: could not connect to {origin} ({remote}) within {Seconds(limit)} (connect phase)");

    public static HttpFailure HandshakeTimedOut(string origin, TimeSpan limit) =>
        HttpFailure.Timeout(HttpTimeoutPhase.Connect,
            $"timeout: the TLS handshake with {origin} did not finish within {Seconds(limit)} (connect phase)");

    public static HttpFailure HandshakeFailed(string origin, string reason) => new(HttpFailureKind.Tls, $"TLS handshake with {origin} failed: {reason}");

    public static HttpFailure TlsBroke(string origin, string reason) => new(HttpFailureKind.Reset, $"the TLS connection to {origin} failed ({reason})");

    public static HttpFailure ResetOnAccept(string origin, string cause) =>
        new(HttpFailureKind.Reset, $"the connection to {origin} was reset as soon as it was accepted ({cause})");

    public static HttpFailure ResetByPeer(string origin, string? cause) => new(HttpFailureKind.Reset, $"the connection to {origin} was reset ({cause})");

    public static HttpFailure ClosedUnderRequest(string origin) =>
        new(HttpFailureKind.Reset, $"the connection to {origin} was closed before the response arrived");

    public static HttpFailure WriteFailed(string origin) => new(HttpFailureKind.Reset, $"the request could not be written to {origin}");

    public static string Unparsable(HttpParseError error, string origin, long offset) =>
        $"{error.Describe()} (from {origin}, at byte {offset} of the response)";

    public static string EndedEarly(string origin) => $"the response from {origin} ended early";

    public static HttpFailure NoFirstByte(string origin, TimeSpan limit) =>
        HttpFailure.Timeout(HttpTimeoutPhase.FirstByte, $"timeout: {origin} sent no byte of the response within {Seconds(limit)} (first-byte phase)");

    public static HttpFailure BodyStalled(string origin, TimeSpan limit) =>
        HttpFailure.Timeout(HttpTimeoutPhase.Body, $"timeout: {origin} sent the response stalled: no byte for {Seconds(limit)} (body phase)");

    /// <summary>A request that ran out of time on the socket (<paramref name="reading"/>: its response had started).</summary>
    public static HttpFailure RequestTimedOutInFlight(string origin, TimeSpan limit, bool reading) =>
        HttpFailure.Timeout(HttpTimeoutPhase.Request, $"timeout: no complete response from {origin} within {Seconds(limit)} " +
            $"(request phase, {(reading ? "while reading the response" : "waiting for the response")})");

    /// <summary>A request that ran out of time before it was written (<paramref name="connecting"/>: no socket yet).</summary>
    public static HttpFailure RequestTimedOutQueued(string origin, TimeSpan limit, bool connecting) =>
        HttpFailure.Timeout(HttpTimeoutPhase.Request, $"timeout: no response from {origin} within {Seconds(limit)} " +
            $"(request phase, {(connecting ? "while connecting" : "waiting for the connection")})");

    private static string Seconds(TimeSpan span) => $"{span.TotalSeconds:0.###} s";
}
