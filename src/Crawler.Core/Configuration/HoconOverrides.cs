using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Akka.Configuration;

namespace Crawler.Core.Configuration;

/// <summary>
/// Builds HOCON that sets keys from typed values: the one translator of options into configuration, shared by
/// <see cref="Embedding.CrawlOptions"/>, the console host's command line and Crawler.Hosting's configuration sections.
/// A null value sets nothing (the key keeps the value under it). Strings are quoted (JSON escaping is valid HOCON),
/// durations are written in whole milliseconds (rounded up) or <c>infinite</c>, switches as <c>on</c>/<c>off</c>.
/// </summary>
internal sealed class HoconOverrides
{
    private static readonly JsonSerializerOptions QuoteOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly List<string> _lines = [];

    /// <summary>The number of keys set.</summary>
    public int Count => _lines.Count;

    /// <summary>A HOCON quoted string.</summary>
    public static string Quote(string value) => JsonSerializer.Serialize(value, QuoteOptions);

    /// <summary>A HOCON path of <paramref name="segments"/>, each quoted (so that no segment is read as a path).</summary>
    public static string Path(IEnumerable<string> segments) => string.Join('.', segments.Select(Quote));

    /// <summary>Sets <paramref name="key"/> to the string <paramref name="value"/>.</summary>
    public HoconOverrides Text(string key, string? value) => value is null ? this : Set(key, Quote(value));

    /// <summary>Sets <paramref name="key"/> to <c>on</c> or <c>off</c>.</summary>
    public HoconOverrides Switch(string key, bool? value) => value is { } on ? Set(key, on ? "on" : "off") : this;

    /// <summary>Sets <paramref name="key"/> to a whole number.</summary>
    public HoconOverrides Number(string key, long? value) => value is { } n ? Set(key, n.ToString(CultureInfo.InvariantCulture)) : this;

    /// <summary>Sets <paramref name="key"/> to a duration (whole milliseconds, rounded up; or <c>infinite</c>).</summary>
    public HoconOverrides Duration(string key, TimeSpan? value) => value is { } span
        ? Set(key, span == Timeout.InfiniteTimeSpan ? "infinite" : string.Create(CultureInfo.InvariantCulture, $"{(long)Math.Ceiling(span.TotalMilliseconds)}ms"))
        : this;

    /// <summary>Sets <paramref name="key"/> to a list of strings.</summary>
    public HoconOverrides List(string key, IEnumerable<string>? values) =>
        values is null ? this : Set(key, "[" + string.Join(", ", values.Select(Quote)) + "]");

    /// <summary>The HOCON text, one key a line.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (var line in _lines)
        {
            text.Append(line).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>The keys as a <see cref="Config"/>.</summary>
    public Config ToConfig() => _lines.Count == 0 ? ConfigurationFactory.Empty : ConfigurationFactory.ParseString(ToString());

    private HoconOverrides Set(string key, string value)
    {
        _lines.Add($"{key} = {value}");
        return this;
    }
}
