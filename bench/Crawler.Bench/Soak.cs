using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Crawler.SampleSite;

namespace Crawler.Bench;

/// <summary>
/// The soak (a benchmark, not CI): the published crawler crawls a planet farm of many hosts with a tenth of its
/// planets faulty (every fault the farm has), streamed from a file read several times, in one process for as long as
/// that takes. Every second the crawler's resident set and open descriptors are sampled from /proc; at the end every
/// planet must have had exactly one result of the kind its fault implies, the resident set must not grow from the
/// first pass to the last, and the descriptors must be back where they were. Writes the samples (CSV), a plot (SVG)
/// and a summary (Markdown) into the output folder.
/// </summary>
internal static class Soak
{
    private static readonly PlanetFault[] Faults = [.. Enum.GetValues<PlanetFault>().Where(f => f != PlanetFault.None)];

    public static async Task<int> RunAsync(int planets, int hosts, int passes, string output)
    {
        var crawler = Environment.GetEnvironmentVariable("BENCH_CRAWLER") ?? Path.Combine(WholeProcess.FindRoot(), "artifacts", "crawler", "crawler");
        if (!File.Exists(crawler))
        {
            Console.Error.WriteLine($"{crawler} is missing: run ./build.sh publish (or ./build.sh bench whole) first");
            return 2;
        }

        Directory.CreateDirectory(output);
        var options = new PlanetFarmOptions(planets, TimeSpan.FromMilliseconds(20), Faults: PlanetFarmOptions.EveryTenth(Faults)) { Hosts = hosts };
        await using var farm = await PlanetFarm.StartAsync(options);
        var file = Path.Combine(Path.GetTempPath(), $"crawler-soak-{planets}.txt");
        await File.WriteAllLinesAsync(file, farm.PlanetUrls);
        var config = Path.Combine(Path.GetTempPath(), "crawler-soak.conf");
        await File.WriteAllTextAsync(config, """
            crawler.http.request-timeout = 3s
            crawler.http.read-idle-timeout = 2s
            crawler.http.first-byte-timeout = 3s
            crawler.planet-timeout = 20s
            crawler.robots.enabled = on
            # Every host answers 503 now and then: slowed for the rest of the crawl at 1 s a request, 50 hosts would
            # take an hour a pass. The soak is about memory and descriptors, so the slow-down is kept but made small.
            crawler.retry.slow-down = 1ms
            crawler.retry.max-host-delay = 2ms
            """);

        var start = new ProcessStartInfo(crawler) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "--json", "--config", config }.Concat(Enumerable.Range(0, passes).SelectMany(_ => new[] { "-f", file })))
        {
            start.ArgumentList.Add(arg);
        }

        Console.WriteLine($"soak: {planets} planets on {hosts} hosts ({planets / 10} faulty: {Faults.Length} kinds), {passes} passes = {planets * passes} planets, one process");
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var samples = new List<(double Seconds, long RssKb, int Fds, long Results)>();
        long results = 0;
        var kinds = new Dictionary<string, long>();
        var wrong = new List<string>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var reading = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                var result = JsonDocument.Parse(line).RootElement;
                var planet = result.GetProperty("planet").GetString()!;
                var kind = result.GetProperty("ok").GetBoolean() ? "ok" : result.GetProperty("error").GetString()!;
                var n = int.Parse(planet[(planet.LastIndexOf('/') + 1)..], CultureInfo.InvariantCulture);
                var expected = Expected(options.FaultOf(n));
                lock (kinds)
                {
                    kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
                    seen[planet] = seen.GetValueOrDefault(planet) + 1;
                    if (kind != expected && wrong.Count < 20)
                    {
                        wrong.Add($"{planet} ({options.FaultOf(n)}): {kind}, expected {expected}: {result.GetProperty("message").GetString()}");
                    }
                }

                Interlocked.Increment(ref results);
            }
        });
        var stderr = process.StandardError.ReadToEndAsync();
        while (!process.HasExited)
        {
            try
            {
                var rss = File.ReadAllLines($"/proc/{process.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
                var fds = Directory.GetFiles($"/proc/{process.Id}/fd").Length;
                samples.Add((clock.Elapsed.TotalSeconds, long.Parse(rss.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture),
                    fds, Interlocked.Read(ref results)));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                break; // it exited between the check and the read
            }

            await Task.Delay(1000);
        }

        await process.WaitForExitAsync();
        await reading;
        var elapsed = clock.Elapsed;
        var total = (long)planets * passes;
        var duplicates = seen.Values.Count(c => c != passes);

        // Flat: the resident set of the last pass against the first pass's (after its first tenth: start-up and JIT).
        var perPass = elapsed.TotalSeconds / passes;
        var firstPass = samples.Where(s => s.Seconds > perPass * 0.1 && s.Seconds <= perPass).Select(s => s.RssKb).DefaultIfEmpty(0).Max();
        var lastPass = samples.Where(s => s.Seconds > elapsed.TotalSeconds - perPass).Select(s => s.RssKb).DefaultIfEmpty(0).Max();
        var firstFds = samples.Count > 2 ? samples[2].Fds : 0;
        var lastFds = samples.Count > 0 ? samples[^1].Fds : 0;
        var peakFds = samples.Count > 0 ? samples.Max(s => s.Fds) : 0;

        var csv = new StringBuilder("seconds,rss_kb,fds,results\n");
        foreach (var s in samples)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{s.Seconds:0.0},{s.RssKb},{s.Fds},{s.Results}\n");
        }

        await File.WriteAllTextAsync(Path.Combine(output, "soak-samples.csv"), csv.ToString());
        await File.WriteAllTextAsync(Path.Combine(output, "soak-rss.svg"), Plot(samples, $"crawler soak: {total:N0} planets, {hosts} hosts, 10% faulty"));
        var report = new StringBuilder();
        report.Append(CultureInfo.InvariantCulture, $"""
            # Soak

            `./build.sh publish && dotnet run -c Release --project bench/Crawler.Bench -- soak {planets} {hosts} {passes}` (a benchmark, not CI)

            - {total:N0} planets ({planets:N0} planets on {hosts} hosts of the sample site, every tenth faulty, cycling through
              {Faults.Length} faults: {string.Join(", ", Faults)}; the URL file read {passes} times), one crawler process, {elapsed.TotalMinutes:0.0} min
            - results: {Interlocked.Read(ref results):N0} (expected {total:N0}); planets without exactly {passes} results: {duplicates}; wrong kind: {wrong.Count}
            - kinds: {string.Join(", ", kinds.OrderByDescending(k => k.Value).Select(k => $"{k.Key} {k.Value:N0}"))}
            - resident set: peak of the first pass {firstPass / 1024.0:0} MiB, peak of the last pass {lastPass / 1024.0:0} MiB (sampled every second; plot: `soak-rss.svg`, samples: `soak-samples.csv`)
            - open descriptors: {firstFds} early on, {peakFds} at the peak, {lastFds} at the last sample before exit
            - exit code {process.ExitCode}; summary: {(await stderr).Trim().Split('\n').LastOrDefault()}

            """);
        foreach (var line in wrong)
        {
            report.Append("  - ").Append(line).Append('\n');
        }

        await File.WriteAllTextAsync(Path.Combine(output, "soak.md"), report.ToString());
        Console.WriteLine(report);
        return Interlocked.Read(ref results) == total && duplicates == 0 && wrong.Count == 0 ? 0 : 1;
    }

    /// <summary>The kind a planet with <paramref name="fault"/> ends with.</summary>
    private static string Expected(PlanetFault fault) => fault switch
    {
        PlanetFault.None or PlanetFault.UnavailableOnce or PlanetFault.Redirect => "ok",
        PlanetFault.NotFound or PlanetFault.ArticleNotFound or PlanetFault.Unavailable => "http-status",
        PlanetFault.NoArticle => "no-article",
        PlanetFault.NoTitle => "no-title",
        PlanetFault.RedirectLoop => "redirects",
        PlanetFault.Hang or PlanetFault.StallBody => "timeout",
        PlanetFault.Reset => "reset",
        PlanetFault.TooLarge => "too-large",
        _ => "?",
    };

    /// <summary>RSS (MiB, left axis) and open descriptors (right axis) over time, as SVG.</summary>
    private static string Plot(List<(double Seconds, long RssKb, int Fds, long Results)> samples, string title)
    {
        const int W = 900, H = 360, L = 60, R = 60, T = 40, B = 40;
        var end = Math.Max(1, samples.Count == 0 ? 1 : samples[^1].Seconds);
        var maxRss = Math.Max(1, samples.Count == 0 ? 1 : samples.Max(s => s.RssKb) / 1024.0) * 1.15;
        var maxFds = Math.Max(1, samples.Count == 0 ? 1 : samples.Max(s => s.Fds)) * 1.15;
        string X(double s) => (L + (s / end * (W - L - R))).ToString("0.#", CultureInfo.InvariantCulture);
        string Y(double v, double max) => (H - B - (v / max * (H - T - B))).ToString("0.#", CultureInfo.InvariantCulture);
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"""<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="11">""").Append('\n');
        svg.Append(CultureInfo.InvariantCulture, $"""<rect width="{W}" height="{H}" fill="white"/><text x="{L}" y="20" font-size="13">{title}</text>""").Append('\n');
        svg.Append(CultureInfo.InvariantCulture, $"""<text x="{L}" y="34" fill="#2c7fb8">resident set (MiB)</text><text x="{W - R}" y="34" text-anchor="end" fill="#d95f0e">open descriptors</text>""").Append('\n');
        for (var i = 0; i <= 5; i++)
        {
            var y = Y(maxRss * i / 5, maxRss);
            svg.Append(CultureInfo.InvariantCulture, $"""<line x1="{L}" y1="{y}" x2="{W - R}" y2="{y}" stroke="#eee"/><text x="{L - 5}" y="{y}" text-anchor="end">{maxRss * i / 5:0}</text><text x="{W - R + 5}" y="{y}">{maxFds * i / 5:0}</text>""").Append('\n');
        }

        for (var i = 0; i <= 10; i++)
        {
            var s = end * i / 10;
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="{X(s)}" y="{H - B + 15}" text-anchor="middle">{s / 60:0.#} min</text>""").Append('\n');
        }

        svg.Append("<polyline fill=\"none\" stroke=\"#2c7fb8\" stroke-width=\"1.5\" points=\"")
            .AppendJoin(' ', samples.Select(s => $"{X(s.Seconds)},{Y(s.RssKb / 1024.0, maxRss)}")).Append("\"/>\n");
        svg.Append("<polyline fill=\"none\" stroke=\"#d95f0e\" stroke-width=\"1\" points=\"")
            .AppendJoin(' ', samples.Select(s => $"{X(s.Seconds)},{Y(s.Fds, maxFds)}")).Append("\"/>\n");
        return svg.Append("</svg>\n").ToString();
    }
}
