using Crawler.Http;

namespace Crawler.Core;

/// <summary>Which redirects are followed (RFC 9110 §15.4): 301, 302, 303, 307 and 308 with a <c>Location</c>,
/// relative or absolute, to an <c>http</c> URL not yet in the chain, at most <c>max-redirects</c> times. Pure.</summary>
public static class RedirectPolicy
{
    /// <summary>True for a status that redirects.</summary>
    public static bool IsRedirect(int status) => status is 301 or 302 or 303 or 307 or 308;

    /// <summary>
    /// The next URL of the chain for a redirect from the last URL of <paramref name="chain"/> to
    /// <paramref name="location"/>, or the error that ends it: <c>bad-url</c>, <c>unsupported-scheme</c>, or
    /// <c>redirects</c> for a loop or one redirect too many. <paramref name="next"/> is the resolved target whenever
    /// the Location was a URL, so that a failure can name it.
    /// </summary>
    public static bool TryFollow(IReadOnlyList<Uri> chain, string location, int maxRedirects, out Uri? next, out ErrorKind kind, out string problem)
    {
        ArgumentNullException.ThrowIfNull(chain);
        var from = chain[^1];
        next = null;
        if (!Uri.TryCreate(from, location.Trim(), out var target))
        {
            (kind, problem) = (ErrorKind.BadUrl, $"{from} redirects to '{location}', which is not a valid URL");
            return false;
        }

        next = target;
        if (!UrlPolicy.Check(target.ToString(), out _, out kind, out var urlProblem))
        {
            problem = $"{from} redirects to {urlProblem}";
            return false;
        }

        if (chain.Contains(target))
        {
            (kind, problem) = (ErrorKind.Redirects, $"redirect loop: {string.Join(" -> ", chain)} -> {target}");
            return false;
        }

        if (chain.Count > maxRedirects)
        {
            (kind, problem) = (ErrorKind.Redirects, $"more than {maxRedirects} redirects from {chain[0]} (crawler.http.max-redirects)");
            return false;
        }

        problem = string.Empty;
        return true;
    }
}
