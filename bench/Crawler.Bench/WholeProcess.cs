using System.Diagnostics;
using System.Globalization;

namespace Crawler.Bench;

/// <summary>
/// The crawler and the baseline (HttpClient + AngleSharp + Task.WhenAll) as a user times them: whole processes,
/// start-up included, against one planet farm in a process of its own, in the same run. Each figure is the median of
/// several runs; CPU seconds and peak memory come from /usr/bin/time when the machine has it.
/// </summary>
internal static class WholeProcess
{
    private static readonly string Root = FindRoot();

    public static async Task RunAsync(int runs)
    {
        var crawler = Environment.GetEnvironmentVariable("BENCH_CRAWLER") ?? Path.Combine(Root, "artifacts", "crawler", "crawler");
        var baseline = Environment.GetEnvironmentVariable("BENCH_BASELINE") ?? Path.Combine(Root, "artifacts", "baseline", "baseline");
        foreach (var program in new[] { crawler, baseline })
        {
            if (!File.Exists(program))
            {
                Console.Error.WriteLine($"{program} is missing: run ./build.sh bench, which publishes both programs first");
                return;
            }
        }

        var time = File.Exists("/usr/bin/time") ? "/usr/bin/time" : null;
        var environment = Environment.GetEnvironmentVariable("BENCH_CRAWLER_ENV")?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
        var extra = Environment.GetEnvironmentVariable("BENCH_CRAWLER_ARGS")?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"whole processes, median of {runs}, run alternately (crawler, baseline, crawler, ...), {Environment.ProcessorCount} cores; crawler: --ignore-robots --max-connections-per-host 0 (the farm is one host) {string.Join(' ', [.. environment, .. extra])}"));
        Console.WriteLine($"{"case",-30} {"crawler",9} {"baseline",9} {"speed-up",8}  {"cpu",13} {"cpu ratio",9}  {"peak memory",17} {"rss ratio",9}  {"ideal",7}");
        (string Name, int Planets, int DelayMs, bool Titles, int Repeat, int PageBytes, int DripMs, double Ideal)[] cases =
        [
            ("4 planets @ 200 ms", 4, 200, false, 1, 0, 0, 0.4),
            ("titles 30 x @ 200 ms", 1, 200, true, 30, 0, 0, 0.2),
            ("1000 planets @ 100 ms", 1000, 100, false, 1, 0, 0, 0.2),
            ("1000 planets @ 0 ms", 1000, 0, false, 1, 0, 0, 0),
            ("10000 planets @ 100 ms", 10_000, 100, false, 1, 0, 0, 0.2),
            ("100 planets, 256 KB over 400 ms", 100, 100, false, 1, 256 * 1024, 400, 0.23),
        ];
        var only = Environment.GetEnvironmentVariable("BENCH_CASE");
        foreach (var group in cases.Where(c => only is null || c.Name == only).GroupBy(c => (c.DelayMs, c.PageBytes, c.DripMs)))
        {
            await using var farm = await Farm.StartAsync(group.Max(c => c.Planets), group.Key.DelayMs, group.Key.PageBytes, group.Key.DripMs);
            foreach (var (name, planets, _, titles, repeat, _, _, ideal) in group)
            {
                var file = Path.Combine(Path.GetTempPath(), $"crawler-bench-{planets}-{repeat}.txt");
                var urls = titles ? Enumerable.Repeat(farm.BaseUri, repeat) : Enumerable.Range(0, planets).Select(n => $"{farm.BaseUri}planet/{n}");
                await File.WriteAllLinesAsync(file, urls);
                string[] ours = [crawler, .. titles ? new[] { "titles" } : [], "--ignore-robots", "--max-connections-per-host", "0", .. extra, "-f", file];
                string[] theirs = [baseline, titles ? "titles" : "planets", file];
                var (a, b) = MeasureAlternately(time, ours, environment, theirs, runs);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{name,-30} {a.Wall,7:0.000} s {b.Wall,7:0.000} s {b.Wall / a.Wall,7:0.00}x  {a.Cpu,5:0.00}/{b.Cpu,5:0.00} s {a.Cpu / b.Cpu,9:0.00}  {a.PeakMb,6:0} / {b.PeakMb,6:0} MB {a.PeakMb / b.PeakMb,9:0.00}  {ideal,5:0.000} s"));
                File.Delete(file);
            }
        }
    }

    private sealed record Run(double Wall, double Cpu, double PeakMb);

    /// <summary>Runs the two commands <paramref name="runs"/> times each, alternately (after one unmeasured run of each
    /// that warms the disk cache), so that a change in the machine's load falls on both; returns their medians.</summary>
    private static (Run A, Run B) MeasureAlternately(string? time, string[] a, string[] environment, string[] b, int runs)
    {
        Once(time, a, environment);
        Once(time, b, []);
        var ours = new List<Run>();
        var theirs = new List<Run>();
        for (var i = 0; i < runs; i++)
        {
            ours.Add(Once(time, a, environment));
            theirs.Add(Once(time, b, []));
        }

        return (Median(ours), Median(theirs));
    }

    private static Run Median(List<Run> results)
    {
        double Middle(Func<Run, double> pick) => results.Select(pick).Order().ElementAt(results.Count / 2);
        return new Run(Middle(r => r.Wall), Middle(r => r.Cpu), Middle(r => r.PeakMb));
    }

    /// <summary>One run; <paramref name="environment"/> holds NAME=VALUE pairs for the child (BENCH_CRAWLER_ENV, e.g.
    /// <c>DOTNET_gcServer=1</c>, to measure a runtime setting on the crawler alone).</summary>
    private static Run Once(string? time, string[] command, string[] environment)
    {
        var report = Path.GetTempFileName();
        var start = new ProcessStartInfo(time ?? command[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var pair in environment)
        {
            var at = pair.IndexOf('=', StringComparison.Ordinal);
            start.Environment[pair[..at]] = pair[(at + 1)..];
        }

        if (time is not null)
        {
            foreach (var word in new[] { "-o", report, "-f", "%U %S %M" })
            {
                start.ArgumentList.Add(word);
            }

            start.ArgumentList.Add(command[0]);
        }

        foreach (var word in command.Skip(1))
        {
            start.ArgumentList.Add(word);
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        var wall = clock.Elapsed.TotalSeconds;
        _ = output.Result;
        _ = errors.Result;
        var fields = time is null ? [] : File.ReadAllText(report).Trim().Split('\n')[^1].Split(' ');
        File.Delete(report);
        return fields.Length == 3
            ? new Run(wall, double.Parse(fields[0], CultureInfo.InvariantCulture) + double.Parse(fields[1], CultureInfo.InvariantCulture),
                double.Parse(fields[2], CultureInfo.InvariantCulture) / 1024)
            : new Run(wall, double.NaN, double.NaN);
    }

    internal static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Crawler.sln")))
            {
                return dir.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }

    /// <summary>The planet farm in a process of its own (this program, <c>farm N D</c>).</summary>
    private sealed class Farm : IAsyncDisposable
    {
        private readonly Process _process;

        private Farm(Process process, string baseUri)
        {
            _process = process;
            BaseUri = baseUri;
        }

        public string BaseUri { get; }

        public static async Task<Farm> StartAsync(int planets, int delayMs, int pageBytes, int dripMs)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardInput = true };
            foreach (var word in new[] { typeof(Farm).Assembly.Location, "farm", planets.ToString(CultureInfo.InvariantCulture), delayMs.ToString(CultureInfo.InvariantCulture),
                         pageBytes.ToString(CultureInfo.InvariantCulture), dripMs.ToString(CultureInfo.InvariantCulture) })
            {
                start.ArgumentList.Add(word);
            }

            var process = Process.Start(start)!;
            var baseUri = await process.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("the farm did not start");
            return new Farm(process, baseUri);
        }

        public async ValueTask DisposeAsync()
        {
            _process.StandardInput.Close();
            await _process.WaitForExitAsync();
            _process.Dispose();
        }
    }
}
