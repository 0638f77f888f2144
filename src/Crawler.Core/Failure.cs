using Crawler.Http;

namespace Crawler.Core;

/// <summary>Why a request or a planet failed: one value for every failure of the crawl, from a URL that does not
/// parse to a timeout of the whole planet. The names on the wire (kind, phase) are the contract; the message is for
/// a person.</summary>
/// <param name="Kind">What went wrong.</param>
/// <param name="Message">What happened, for a person.</param>
/// <param name="Url">The URL that failed (a planet, an article, a redirect target), when there was one.</param>
/// <param name="Status">The HTTP status, when a response arrived.</param>
/// <param name="Phase">For a <see cref="ErrorKind.Timeout"/>, which limit was broken.</param>
public sealed record Failure(ErrorKind Kind, string Message, string? Url = null, int? Status = null, TimeoutPhase? Phase = null)
{
    /// <summary>The failure of a request to <paramref name="url"/> that the transport reported.</summary>
    public static Failure From(HttpFailure failure, Uri url)
    {
        ArgumentNullException.ThrowIfNull(failure);
        ArgumentNullException.ThrowIfNull(url);
        return new Failure(ErrorKinds.From(failure.Kind), failure.Message, url.ToString(), null, TimeoutPhases.From(failure.Phase));
    }

    /// <summary>This failure with <paramref name="suffix"/> added to its message.</summary>
    public Failure Explained(string suffix) => this with { Message = Message + suffix };
}
