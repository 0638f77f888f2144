using Akka.Configuration;

namespace Crawler.Http.Configuration;

/// <summary>Reads keys of the crawler's HOCON sections (<c>crawler</c>, <c>crawler.http</c>, <c>crawler.retry</c>):
/// a missing key or a value of the wrong type or range is a <see cref="ConfigurationException"/> that names the key
/// and the value, never a parser's own exception.</summary>
internal static class SettingsReader
{
    /// <summary>Reads <paramref name="key"/> of <paramref name="section"/> (found at <paramref name="path"/>).</summary>
    /// <param name="section">The section.</param>
    /// <param name="path">Where the section is, for the message (<c>crawler.http</c>).</param>
    /// <param name="key">The key in the section.</param>
    /// <param name="read">How to read it.</param>
    /// <param name="what">What it must be, for the message (<c>a positive duration</c>).</param>
    /// <param name="valid">Which values are allowed (default: any).</param>
    /// <exception cref="ConfigurationException">The key is missing, unreadable or not valid.</exception>
    public static T Read<T>(Config section, string path, string key, Func<Config, string, T> read, string what, Func<T, bool>? valid = null)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(read);
        if (!section.HasPath(key))
        {
            throw new ConfigurationException($"{path}.{key} is missing");
        }

        T value;
        try
        {
            value = read(section, key);
        }
        catch (Exception e) when (e is not ConfigurationException)
        {
            throw Bad(section, path, key, what);
        }

        return valid is null || valid(value) ? value : throw Bad(section, path, key, what);
    }

    /// <summary>A duration greater than zero (<c>infinite</c> is not one).</summary>
    public static TimeSpan PositiveDuration(Config section, string path, string key) =>
        Read(section, path, key, (c, k) => c.GetTimeSpan(k, null, allowInfinite: false), "a positive duration", v => v > TimeSpan.Zero);

    /// <summary>A duration of zero or more.</summary>
    public static TimeSpan Duration(Config section, string path, string key) =>
        Read(section, path, key, (c, k) => c.GetTimeSpan(k, null, allowInfinite: false), "a duration of 0s or more", v => v >= TimeSpan.Zero);

    /// <summary>A whole number of zero or more.</summary>
    public static int NonNegative(Config section, string path, string key) =>
        Read(section, path, key, (c, k) => c.GetInt(k), "a whole number of at least 0", v => v >= 0);

    /// <summary><c>on</c> or <c>off</c> (also <c>true</c>/<c>false</c>, <c>yes</c>/<c>no</c>).</summary>
    public static bool Switch(Config section, string path, string key) =>
        Read(section, path, key, (c, k) => c.GetBoolean(k), "on or off");

    private static ConfigurationException Bad(Config section, string path, string key, string what)
    {
        string? text;
        try
        {
            text = section.GetString(key);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            text = null; // an object or a list where a value belongs
        }

        return new ConfigurationException($"{path}.{key} must be {what}, not '{text}'");
    }
}
