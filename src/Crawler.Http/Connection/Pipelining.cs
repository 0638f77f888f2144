namespace Crawler.Http.Connection;

/// <summary>What a connection and the actor that watches its origin (its host owner) tell each other about a server
/// that does not answer pipelined requests.</summary>
internal static class Pipelining
{
    /// <summary>The connection's server answered the first response of a pipelined batch and then nothing within
    /// <see cref="Configuration.HttpClientSettings.PipeliningStallTimeout"/>: the connection goes on one request at a
    /// time, and its unanswered requests go out again on a new socket. Sent to the connection's observer.</summary>
    internal sealed record Refused
    {
        public static readonly Refused Instance = new();
    }

    /// <summary>Go on one request at a time: another connection to the same origin found that its server does not
    /// answer pipelined requests. Requests already in flight stay there.</summary>
    internal sealed record OneAtATime
    {
        public static readonly OneAtATime Instance = new();
    }
}
