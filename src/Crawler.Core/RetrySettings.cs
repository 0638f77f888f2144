using Akka.Configuration;

namespace Crawler.Core;

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
        return new RetrySettings(
            Read(retry, "max-retries", c => c.GetInt("max-retries"), v => v >= 0),
            Read(retry, "backoff", c => c.GetTimeSpan("backoff", null, false), v => v > TimeSpan.Zero),
            Read(retry, "max-backoff", c => c.GetTimeSpan("max-backoff", null, false), v => v > TimeSpan.Zero),
            Read(retry, "max-retry-after", c => c.GetTimeSpan("max-retry-after", null, false), v => v >= TimeSpan.Zero),
            Read(retry, "refused-window", c => c.GetTimeSpan("refused-window", null, false), v => v >= TimeSpan.Zero),
            Read(retry, "budget-min", c => c.GetInt("budget-min"), v => v >= 0),
            Read(retry, "budget-ratio", c => c.GetDouble("budget-ratio"), v => v >= 0),
            Read(retry, "slow-down", c => c.GetTimeSpan("slow-down", null, false), v => v > TimeSpan.Zero),
            Read(retry, "max-host-delay", c => c.GetTimeSpan("max-host-delay", null, false), v => v > TimeSpan.Zero));
    }

    private static T Read<T>(Config config, string key, Func<Config, T> read, Func<T, bool> valid)
    {
        if (!config.HasPath(key))
        {
            throw new ConfigurationException($"crawler.retry.{key} is missing");
        }

        T value;
        try
        {
            value = read(config);
        }
        catch (Exception e) when (e is not ConfigurationException)
        {
            throw new ConfigurationException($"crawler.retry.{key} has a bad value: '{config.GetString(key)}'");
        }

        return valid(value) ? value : throw new ConfigurationException($"crawler.retry.{key} is out of range: '{config.GetString(key)}'");
    }
}
