using System.Globalization;
using Crawler.Core.Configuration;

namespace Crawler.Core.Fetching;

/// <summary>Which failures are worth another attempt, and how long to wait first. Pure.</summary>
internal static class RetryPolicy
{
    /// <summary>True for a transient failure: a timeout of one request, a reset, a refused connect within the
    /// refused window, or one of the statuses 408, 429, 502, 503, 504. Never dns, other statuses, protocol,
    /// too-large, redirects, extraction or URL errors.</summary>
    public static bool IsTransient(Failure failure, TimeSpan sinceFirstAttempt, RetrySettings settings)
    {
        ArgumentNullException.ThrowIfNull(failure);
        ArgumentNullException.ThrowIfNull(settings);
        return failure.Kind switch
        {
            ErrorKind.Timeout => failure.Phase is not (TimeoutPhase.Planet or TimeoutPhase.Deadline),
            ErrorKind.Reset => true,
            ErrorKind.Refused => sinceFirstAttempt <= settings.RefusedWindow,
            ErrorKind.HttpStatus => failure.Status is 408 or 429 or 502 or 503 or 504,
            _ => false,
        };
    }

    /// <summary>True for the statuses that ask a client to slow down (429 Too Many Requests, 503 Service Unavailable).</summary>
    public static bool AsksToSlowDown(int? status) => status is 429 or 503;

    /// <summary>The wait before retry number <paramref name="retry"/> (1-based): backoff × 2^(retry-1), at most
    /// max-backoff, times a jitter in [0.5, 1.5).</summary>
    public static TimeSpan Backoff(int retry, RetrySettings settings, double jitter)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var exponential = settings.Backoff.TotalMilliseconds * Math.Pow(2, Math.Max(0, retry - 1));
        var capped = Math.Min(exponential, settings.MaxBackoff.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (0.5 + jitter));
    }

    /// <summary>Parses a Retry-After value (RFC 9110 §10.2.3): delay-seconds or an HTTP-date; null when absent or
    /// unreadable. A date in the past is zero.</summary>
    public static TimeSpan? ParseRetryAfter(string? value, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var text = value.Trim();
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return TimeSpan.FromSeconds(Math.Min(seconds, int.MaxValue));
        }

        if (DateTimeOffset.TryParseExact(text, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date)
            || DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out date))
        {
            var wait = date - now;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }
}
