namespace Crawler.Http;

/// <summary>Why a request got no complete response: one value for every failure of the transport.</summary>
/// <param name="Kind">What went wrong, as one of the stable kinds.</param>
/// <param name="Message">What happened, for a person: which host, which address, what the server did.</param>
/// <param name="Phase">For a <see cref="HttpFailureKind.Timeout"/>, which limit was broken; otherwise null.</param>
public sealed record HttpFailure(HttpFailureKind Kind, string Message, HttpTimeoutPhase? Phase = null)
{
    /// <summary>A timeout in <paramref name="phase"/>.</summary>
    public static HttpFailure Timeout(HttpTimeoutPhase phase, string message) => new(HttpFailureKind.Timeout, message, phase);

    /// <summary>This failure with <paramref name="suffix"/> added to its message.</summary>
    public HttpFailure Explained(string suffix) => this with { Message = Message + suffix };
}
