using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Crawler.Core;
using Crawler.Core.Configuration;
using Crawler.Core.Embedding;
using Crawler.Core.Output;
using Crawler.Http;
using Crawler.SampleSite;

namespace Crawler.Bench;

/// <summary>Crawls of the planet farm in this process: the crawler's own time, without process start-up.</summary>
internal static class InProcess
{
    public static async Task RunAsync(int runs)
    {
        // Timed crawl benchmarks (a harness that prints figures, not a test): each case crawls the in-process planet farm
        // on 127.0.0.1 with the real actors and sockets, and reports the median of several runs against the ideal
        // (2 x delay for planets, 1 x delay for the titles job). Usage: dotnet run -c Release --project bench/Crawler.Bench [runs]
        // The last two cases put 300 requests on one connection, one at a time and then pipelined: Kestrel answers
        // pipelined requests one after the other, so pipelining saves round trips, not the server's own time per request.
        (string Name, int Planets, int DelayMs, CrawlMode Mode, int Repeat, bool? Pipelined)[] cases =
        [
            ("4 planets @ 200 ms", 4, 200, CrawlMode.Planets, 1, null),
            ("titles 30 x @ 200 ms", 1, 200, CrawlMode.Titles, 30, null),
            ("1000 planets @ 100 ms", 1000, 100, CrawlMode.Planets, 1, null),
            ("1000 planets @ 0 ms", 1000, 0, CrawlMode.Planets, 1, null),
            ("titles 300 x, 1 conn", 1, 0, CrawlMode.Titles, 300, false),
            ("titles 300 x, 1 conn, pipe", 1, 0, CrawlMode.Titles, 300, true),
        ];

        // robots.txt is off: with it on, the first request to the (single) host waits for robots.txt, one more round of the
        // farm's delay (3 x delay for planets instead of 2), which would hide what concurrency buys. BENCH_ROBOTS=on measures it.
        var robots = Environment.GetEnvironmentVariable("BENCH_ROBOTS") == "on";
        // The farm is one host: the per-host connection cap (8 by default) is off, or a thousand planets would share 8.
        using var system = ActorSystem.Create("bench", $"akka.loglevel = WARNING\nakka.log-dead-letters = off\ncrawler.robots.enabled = {(robots ? "on" : "off")}\ncrawler.http.max-connections-per-host = 0");
        var settings = CrawlerSettings.Create(system);
        Console.WriteLine($"robots.txt {(robots ? "on" : "off")}, max-connections-per-host 0 (no cap: the farm is one host)");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{"case",-24} {"median",9} {"ideal",9} {"ratio",7} {"cpu",9}   runs ({runs} each, {Environment.ProcessorCount} cores, .NET {Environment.Version})"));
        var only = Environment.GetEnvironmentVariable("BENCH_CASE"); // e.g. "1000 planets @ 0 ms", for profiling one case
        foreach (var (name, planets, delayMs, mode, repeat, pipelined) in cases.Where(c => only is null || c.Name == only))
        {
            var caseSettings = pipelined is { } pipe
                ? settings with { Http = settings.Http with { Pipelining = pipe, PipeliningDepth = 16, MaxConnectionsPerHost = 1 } }
                : settings;
            await using var farm = await PlanetFarm.StartAsync(new PlanetFarmOptions(planets, TimeSpan.FromMilliseconds(delayMs)));
            var urls = mode == CrawlMode.Titles
                ? Enumerable.Repeat(farm.BaseUri.ToString(), repeat).ToList()
                : farm.PlanetUrls.ToList();
            await Crawl(system, settings, [farm.PlanetUrls[0]], CrawlMode.Planets); // warm-up: JIT and first connections
            var times = new List<double>();
            var cpu = new List<double>();
            for (var i = 0; i < runs; i++)
            {
                var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                var summary = await Crawl(system, caseSettings, urls, mode);
                times.Add(clock.Elapsed.TotalSeconds);
                cpu.Add((Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds);
                if (!summary.AllOk)
                {
                    Console.Error.WriteLine($"{name}: {ResultFormatter.Summary(summary, mode)}");
                }
            }

            times.Sort();
            var median = times[times.Count / 2];
            var ideal = (mode == CrawlMode.Titles ? 1 : 2) * delayMs / 1000.0;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-24} {median,7:0.000} s {ideal,7:0.000} s {Ratio(median, ideal),7} {cpu.Order().ElementAt(cpu.Count / 2),7:0.000} s   {string.Join(" ", times.Select(t => t.ToString("0.000", CultureInfo.InvariantCulture)))}"));
        }

        await system.Terminate();

    }

    private static string Ratio(double median, double ideal) =>
        ideal > 0 ? (median / ideal).ToString("0.00", CultureInfo.InvariantCulture) + "x" : "-";

    /// <summary>One crawl on <paramref name="system"/>, its output dropped.</summary>
    internal static Task<CrawlSummary> Crawl(ActorSystem system, CrawlerSettings settings, IReadOnlyList<string> urls, CrawlMode mode) =>
        CrawlerProps.Start(system, new Crawl.StartCrawl([.. urls], mode), settings, ResultFormat.Text, TextWriter.Null, TextWriter.Null).Completion;
}
