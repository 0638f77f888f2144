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
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"whole processes, median of {runs}, {Environment.ProcessorCount} cores; crawler: --ignore-robots --max-connections-per-host 0 (the farm is one host)"));
        Console.WriteLine($"{"case",-26} {"crawler",9} {"baseline",9} {"speed-up",8}  {"cpu",13}  {"peak memory",17}  {"ideal",7}");
        (string Name, int Planets, int DelayMs, bool Titles, int Repeat)[] cases =
        [
            ("4 planets @ 200 ms", 4, 200, false, 1),
            ("titles 30 x @ 200 ms", 1, 200, true, 30),
            ("1000 planets @ 100 ms", 1000, 100, false, 1),
            ("1000 planets @ 0 ms", 1000, 0, false, 1),
            ("10000 planets @ 100 ms", 10_000, 100, false, 1),
        ];
        var only = Environment.GetEnvironmentVariable("BENCH_CASE");
        foreach (var group in cases.Where(c => only is null || c.Name == only).GroupBy(c => c.DelayMs))
        {
            await using var farm = await Farm.StartAsync(group.Max(c => c.Planets), group.Key);
            foreach (var (name, planets, delayMs, titles, repeat) in group)
            {
                var file = Path.Combine(Path.GetTempPath(), $"crawler-bench-{planets}-{repeat}.txt");
                var urls = titles ? Enumerable.Repeat(farm.BaseUri, repeat) : Enumerable.Range(0, planets).Select(n => $"{farm.BaseUri}planet/{n}");
                await File.WriteAllLinesAsync(file, urls);
                string[] ours = [crawler, .. titles ? new[] { "titles" } : [], "--ignore-robots", "--max-connections-per-host", "0", "-f", file];
                string[] theirs = [baseline, titles ? "titles" : "planets", file];
                var a = Measure(time, ours, runs);
                var b = Measure(time, theirs, runs);
                var ideal = (titles ? 1 : 2) * delayMs / 1000.0;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{name,-26} {a.Wall,7:0.000} s {b.Wall,7:0.000} s {b.Wall / a.Wall,7:0.00}x  {a.Cpu,5:0.00}/{b.Cpu,5:0.00} s  {a.PeakMb,6:0} / {b.PeakMb,6:0} MB  {ideal,5:0.000} s"));
                File.Delete(file);
            }
        }
    }

    private sealed record Run(double Wall, double Cpu, double PeakMb);

    /// <summary>Runs the command <paramref name="runs"/> times (after one unmeasured run that warms the disk cache)
    /// and returns the medians.</summary>
    private static Run Measure(string? time, string[] command, int runs)
    {
        Once(time, command);
        var results = Enumerable.Range(0, runs).Select(_ => Once(time, command)).ToList();
        double Median(Func<Run, double> pick) => results.Select(pick).Order().ElementAt(results.Count / 2);
        return new Run(Median(r => r.Wall), Median(r => r.Cpu), Median(r => r.PeakMb));
    }

    private static Run Once(string? time, string[] command)
    {
        var report = Path.GetTempFileName();
        var start = new ProcessStartInfo(time ?? command[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
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

        public static async Task<Farm> StartAsync(int planets, int delayMs)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardInput = true };
            foreach (var word in new[] { typeof(Farm).Assembly.Location, "farm", planets.ToString(CultureInfo.InvariantCulture), delayMs.ToString(CultureInfo.InvariantCulture) })
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
