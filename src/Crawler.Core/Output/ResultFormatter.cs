using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Crawler.Http;

namespace Crawler.Core.Output;

/// <summary>How results are written.</summary>
public enum ResultFormat
{
    /// <summary>The seed's text: <c>first article on URL :</c>, the article, the title, a blank line.</summary>
    Text,

    /// <summary>One JSON object per line per planet.</summary>
    Json,
}

/// <summary>Formats results and summaries (pure; the printer writes what this returns).</summary>
public static class ResultFormatter
{
    // Output is read by people and tools, never embedded in HTML: keep quotes and non-ASCII text readable.
    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The text of one result, ending with a newline.</summary>
    public static string Format(Crawl.PlanetResult result, CrawlMode mode, ResultFormat format)
    {
        ArgumentNullException.ThrowIfNull(result);
        return format == ResultFormat.Json ? Json(result, mode) + "\n" : Text(result, mode);
    }

    /// <summary>The summary line, e.g. <c>4 planets: 3 ok, 1 failed (dns 1) in 0.43 s</c>.</summary>
    public static string Summary(CrawlSummary summary, CrawlMode mode)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var noun = mode == CrawlMode.Titles ? "pages" : "planets";
        if (summary.Total == 1)
        {
            noun = noun[..^1];
        }

        var kinds = summary.FailuresByKind.Count == 0
            ? string.Empty
            : " (" + string.Join(", ", summary.FailuresByKind
                .OrderByDescending(k => k.Value).ThenBy(k => k.Key.Name(), StringComparer.Ordinal)
                .Select(k => $"{k.Key.Name()} {k.Value}")) + ")";
        return string.Create(CultureInfo.InvariantCulture,
            $"{summary.Total} {noun}: {summary.Ok} ok, {summary.Failed} failed{kinds} in {summary.Elapsed.TotalSeconds:0.00} s");
    }

    private static double Ms(TimeSpan span) => Math.Round(span.TotalMilliseconds, 1);

    // Text goes to terminals: what came from the web or the input has its control characters escaped (JSON escapes
    // them by itself).
    private static string Text(Crawl.PlanetResult result, CrawlMode mode) => result switch
    {
        Crawl.PlanetFetched ok when mode == CrawlMode.Titles => $"{TerminalText.Escape(ok.Planet)} : {TerminalText.Escape(ok.Title)}\n",
        Crawl.PlanetFetched ok => $"first article on {TerminalText.Escape(ok.Planet)} :\n{TerminalText.Escape(ok.Article)}\n{TerminalText.Escape(ok.Title)}\n\n",
        Crawl.PlanetFailed failed => $"failed on {TerminalText.Escape(failed.Planet)} : {KindAndMessage(failed)}\n" +
                                     (mode == CrawlMode.Titles ? string.Empty : "\n"),
        _ => throw new ArgumentOutOfRangeException(nameof(result), result, null),
    };

    /// <summary><c>kind: message</c>, without saying the kind twice when the message already starts with it
    /// (<c>cancelled: the caller cancelled the crawl</c>).</summary>
    private static string KindAndMessage(Crawl.PlanetFailed failed)
    {
        var kind = failed.Kind.Name();
        var message = TerminalText.Escape(failed.Message) ?? string.Empty;
        return message.StartsWith(kind + ":", StringComparison.Ordinal) ? message : $"{kind}: {message}";
    }

    private static string Json(Crawl.PlanetResult result, CrawlMode mode)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, JsonOptions))
        {
            json.WriteStartObject();
            json.WriteString(mode == CrawlMode.Titles ? "url" : "planet", result.Planet);
            json.WriteBoolean("ok", result is Crawl.PlanetFetched);
            var fetched = result as Crawl.PlanetFetched;
            var failed = result as Crawl.PlanetFailed;
            if (mode == CrawlMode.Planets)
            {
                json.WriteString("article", fetched?.Article);
            }

            json.WriteString("title", fetched?.Title);
            json.WriteString("error", failed?.Kind.Name());
            if (mode == CrawlMode.Planets)
            {
                json.WriteString("stage", failed?.Stage.Name());
            }

            var status = fetched?.Status ?? failed?.Status;
            if (status is { } code)
            {
                json.WriteNumber("status", code);
            }
            else
            {
                json.WriteNull("status");
            }

            json.WriteString("message", failed?.Message);
            json.WriteNumber("elapsedMs", result.ElapsedMs);
            json.WriteString("failedUrl", failed?.Url);
            json.WriteNumber("attempts", fetched?.Attempts ?? failed!.Attempts);
            json.WriteString("phase", failed?.Phase?.Name());
            json.WriteStartArray("timings");
            // The answered requests of the planet itself, as the contract has it; the timeline also draws the failed
            // ones and the robots.txt request the planet waited for.
            foreach (var (url, t) in result.Timings.Where(t => t.Error is null && !t.Robots))
            {
                json.WriteStartObject();
                json.WriteString("url", url);
                json.WriteNumber("queuedMs", Ms(t.Queued));
                json.WriteNumber("dnsMs", Ms(t.Dns));
                json.WriteNumber("connectMs", Ms(t.Connect));
                json.WriteNumber("tlsMs", Ms(t.Tls));
                json.WriteNumber("waitMs", Ms(t.Wait));
                json.WriteNumber("bodyMs", Ms(t.Body));
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
