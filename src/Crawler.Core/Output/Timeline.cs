using System.Globalization;
using System.Net;
using System.Text;
using Crawler.Http;

namespace Crawler.Core.Output;

/// <summary>
/// Draws a crawl's requests as an SVG timeline: one horizontal bar per request, split into its phases (waiting for a
/// connection, DNS, connect, TLS, waiting for the first byte, the body), on one time axis, so that requests running
/// side by side (or, with <c>--sequential</c>, one after another) are seen at a glance. Pure: it returns text.
/// </summary>
internal static class Timeline
{
    private const int Width = 1100;
    private const int Left = 60;
    private const int Row = 6;
    private const int Top = 40;

    private static readonly (string Name, string Color)[] Phases =
    [
        ("queued", "#d0d0d0"), ("dns", "#8e44ad"), ("connect", "#e67e22"), ("tls", "#e84393"), ("wait", "#3498db"), ("body", "#27ae60"),
        ("failed", "#c0392b"),
    ];

    /// <summary>One request on the timeline.</summary>
    /// <param name="Planet">The planet's index.</param>
    /// <param name="Url">The URL requested.</param>
    /// <param name="Timings">Its phases.</param>
    /// <param name="Error">The kind it failed with (drawn with a red end), or null when it was answered.</param>
    /// <param name="Robots">The host's robots.txt request the planet waited for.</param>
    public sealed record Entry(int Planet, string Url, RequestTimings Timings, ErrorKind? Error = null, bool Robots = false);

    /// <summary>The SVG document for <paramref name="entries"/>; <paramref name="origin"/> is the crawl's start (a
    /// Stopwatch timestamp), the left edge of the axis.</summary>
    public static string Svg(IReadOnlyList<Entry> entries, long origin)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var rows = entries.OrderBy(e => e.Timings.Started).ToList();
        double Seconds(long timestamp) => (timestamp - origin) / (double)System.Diagnostics.Stopwatch.Frequency;
        var end = rows.Count == 0 ? 1 : rows.Max(e => Seconds(e.Timings.Started) + e.Timings.Total.TotalSeconds);
        end = Math.Max(end, 0.001);
        var scale = (Width - Left - 20) / end;
        var height = Top + (rows.Count * Row) + 30;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"""<svg xmlns="http://www.w3.org/2000/svg" width="{Width}" height="{height}" font-family="sans-serif" font-size="11">""").Append('\n');
        svg.Append(CultureInfo.InvariantCulture, $"""<text x="{Left}" y="14">{rows.Count} requests in {end:0.000} s</text>""").Append('\n');
        for (var i = 0; i < Phases.Length; i++)
        {
            var x = Left + 180 + (i * 90);
            svg.Append(CultureInfo.InvariantCulture, $"""<rect x="{x}" y="5" width="10" height="10" fill="{Phases[i].Color}"/><text x="{x + 14}" y="14">{Phases[i].Name}</text>""").Append('\n');
        }

        // A tick per step of the axis: 10 or so, at round values.
        var step = Math.Pow(10, Math.Floor(Math.Log10(end / 10)));
        step = end / step > 50 ? step * 5 : end / step > 20 ? step * 2 : step;
        for (var t = 0.0; t <= end + 1e-9; t += step)
        {
            var x = Left + (t * scale);
            svg.Append(CultureInfo.InvariantCulture, $"""<line x1="{x:0.#}" y1="{Top - 8}" x2="{x:0.#}" y2="{height - 25}" stroke="#eee"/><text x="{x:0.#}" y="{height - 10}" text-anchor="middle">{t:0.###} s</text>""").Append('\n');
        }

        for (var r = 0; r < rows.Count; r++)
        {
            var (planet, url, timings, error, robots) = rows[r];
            var y = Top + (r * Row);
            var x = Left + (Seconds(timings.Started) * scale);
            TimeSpan[] parts = [timings.Queued, timings.Dns, timings.Connect, timings.Tls, timings.Wait, timings.Body];
            var title = WebUtility.HtmlEncode(string.Create(CultureInfo.InvariantCulture,
                $"planet {planet}: {(robots ? "robots.txt " : string.Empty)}{url}{(error is { } kind ? $" failed ({kind.Name()})" : string.Empty)} | queued {Ms(timings.Queued)}, dns {Ms(timings.Dns)}, connect {Ms(timings.Connect)}, tls {Ms(timings.Tls)}, wait {Ms(timings.Wait)}, body {Ms(timings.Body)}"));
            svg.Append("<g><title>").Append(title).Append("</title>");
            for (var p = 0; p < parts.Length; p++)
            {
                var w = parts[p].TotalSeconds * scale;
                if (w > 0)
                {
                    svg.Append(CultureInfo.InvariantCulture, $"""<rect x="{x:0.##}" y="{y}" width="{Math.Max(w, 0.5):0.##}" height="{Row - 1}" fill="{Phases[p].Color}"/>""");
                }

                x += w;
            }

            if (error is not null)
            {
                svg.Append(CultureInfo.InvariantCulture, $"""<rect x="{x:0.##}" y="{y}" width="3" height="{Row - 1}" fill="#c0392b"/>""");
            }

            svg.Append("</g>\n");
        }

        return svg.Append("</svg>\n").ToString();
    }

    /// <summary>The timeline as a page (for a <c>.html</c> file).</summary>
    public static string Html(IReadOnlyList<Entry> entries, long origin) =>
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Crawl timeline</title></head><body>\n" + Svg(entries, origin) + "</body></html>\n";

    private static string Ms(TimeSpan span) => string.Create(CultureInfo.InvariantCulture, $"{span.TotalMilliseconds:0.#} ms");
}
