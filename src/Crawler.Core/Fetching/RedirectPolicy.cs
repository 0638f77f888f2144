namespace Crawler.Core.Fetching;

/// <summary>Which redirects are followed (RFC 9110 §15.4): 301, 302, 303, 307 and 308 with a <c>Location</c>,
/// relative or absolute, to an <c>http</c> URL not yet in the chain, at most <c>max-redirects</c> times. Pure.</summary>
internal static class RedirectPolicy
{
    /// <summary>True for a status that redirects.</summary>
    public static bool IsRedirect(int status) => status is 301 or 302 or 303 or 307 or 308;

    /// <summary>
    /// The next URL of the chain for a redirect (with <paramref name="status"/>) from the last URL of
    /// <paramref name="chain"/> to <paramref name="location"/>, or the failure that ends it: <c>bad-url</c>,
    /// <c>unsupported-scheme</c>, or <c>redirects</c> for a loop or one redirect too many. The failure names the resolved
    /// target whenever the Location was a URL.
    /// </summary>
    public static bool TryFollow(IReadOnlyList<Uri> chain, string location, int status, int maxRedirects, out Uri? next, out Failure? failure)
    {
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(location);
        var from = chain[^1];
        next = null;
        failure = null;
        if (!Uri.TryCreate(from, location.Trim(), out var target))
        {
            failure = new Failure(ErrorKind.BadUrl, $"{from} redirects to '{location}', which is not a valid URL", location, status);
            return false;
        }

        next = target;
        if (!UrlPolicy.Check(target.ToString(), out _, out var refused))
        {
            failure = refused! with { Message = $"{from} redirects to {refused.Message}", Status = status };
        }
        else if (chain.Contains(target))
        {
            failure = new Failure(ErrorKind.Redirects, $"redirect loop: {string.Join(" -> ", chain)} -> {target}", target.ToString(), status);
        }
        else if (chain.Count > maxRedirects)
        {
            failure = new Failure(ErrorKind.Redirects, $"more than {maxRedirects} redirects from {chain[0]} (crawler.http.max-redirects)",
                target.ToString(), status);
        }

        return failure is null;
    }
}
