using Akka.Configuration;
using Crawler.Http;
using Crawler.Http.Configuration;

namespace Crawler.Core.Configuration;

/// <summary>Retry and politeness settings (<c>crawler.retry</c>); every key is documented in reference.conf.</summary>
/// <param name="MaxRetries">Retries after the first attempt of one request.</param>
/// <param name="Backoff">The first retry's delay (doubles each retry, with ±50% jitter).</param>
/// <param name="MaxBackoff">The longest backoff.</param>
/// <param name="MaxRetryAfter">The longest Retry-After honoured.</param>
/// <param name="RefusedWindow">How soon after the planet's first attempt a refused connect is still retried.</param>
/// <param name="BudgetMin">Retries to one host always allowed.</param>
/// <param name="BudgetRatio">Further retries allowed per request made to the host.</param>
/// <param name="SlowDown">The first spacing of a host that answered 429 or 503.</param>
/// <param name="MaxHostDelay">The largest spacing of a host.</param>
public sealed record RetrySettings(
    int MaxRetries,
    TimeSpan Backoff,
    TimeSpan MaxBackoff,
    TimeSpan MaxRetryAfter,
    TimeSpan RefusedWindow,
    int BudgetMin,
    double BudgetRatio,
    TimeSpan SlowDown,
    TimeSpan MaxHostDelay)
{
    /// <summary>Reads a <c>crawler.retry</c> section.</summary>
    /// <exception cref="ConfigurationException">A key is missing or bad; the message names it.</exception>
    public static RetrySettings Create(Config retry)
    {
        ArgumentNullException.ThrowIfNull(retry);
        const string Path = "crawler.retry";
        TimeSpan Positive(string key) => SettingsReader.PositiveDuration(retry, Path, key);
        TimeSpan Duration(string key) => SettingsReader.Duration(retry, Path, key);
        int NonNegative(string key) => SettingsReader.NonNegative(retry, Path, key);
        return new RetrySettings(
            NonNegative("max-retries"),
            Positive("backoff"),
            Positive("max-backoff"),
            Duration("max-retry-after"),
            Duration("refused-window"),
            NonNegative("budget-min"),
            SettingsReader.Read(retry, Path, "budget-ratio", (c, k) => c.GetDouble(k), "a number of at least 0", v => v >= 0),
            Positive("slow-down"),
            Positive("max-host-delay"));
    }
}
